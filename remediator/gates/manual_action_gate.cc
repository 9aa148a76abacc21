#include "remediator/gates/manual_action_gate.h"

#include <string>

namespace fhc::remediator {

std::vector<const TrackedAlert*> ManualAlerts(const TargetState& state) {
  std::vector<const TrackedAlert*> out;
  for (const auto* list : {&state.diagnostics, &state.firing}) {
    for (const auto& a : *list) {
      auto it = a.labels.find("remediate");
      if (it != a.labels.end() && it->second == kManualRemediation) out.push_back(&a);
    }
  }
  return out;
}

Verdict ManualActionGate::Decide(const GateContext& ctx) const {
  const auto manual = ManualAlerts(ctx.state);
  if (manual.empty()) return Pass(*this, "no alert with remediate=\"manual\" is firing");
  std::string names;
  for (const TrackedAlert* a : manual) {
    std::string name = a->alertname;
    if (auto r = a->labels.find("reason"); r != a->labels.end() && !r->second.empty()) {
      name += " (" + r->second + ")";
    }
    names += (names.empty() ? "" : ", ") + name;
  }
  return Block(*this, names + (manual.size() == 1 ? " is" : " are") +
                          " firing with remediate=\"manual\": a restart cannot fix that, a person "
                          "must act; restarts resume by themselves once " +
                          (manual.size() == 1 ? "it resolves" : "they resolve"));
}

}  // namespace fhc::remediator
