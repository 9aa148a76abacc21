#include "remediator/gates/gate_list.h"

#include "remediator/gates/circuit_breaker_gate.h"
#include "remediator/gates/consecutive_failures_gate.h"
#include "remediator/gates/crash_loop_gate.h"
#include "remediator/gates/manual_action_gate.h"
#include "remediator/gates/node_ready_gate.h"
#include "remediator/gates/rollout_sanity_gate.h"
#include "remediator/gates/startup_grace_gate.h"

namespace fhc::remediator {

GateList DefaultGates() {
  GateList gates;
  gates.push_back(std::make_unique<ConsecutiveFailuresGate>());
  gates.push_back(std::make_unique<ManualActionGate>());
  gates.push_back(std::make_unique<CrashLoopGate>());
  gates.push_back(std::make_unique<StartupGraceGate>());
  gates.push_back(std::make_unique<CircuitBreakerGate>());
  gates.push_back(std::make_unique<NodeReadyGate>());
  gates.push_back(std::make_unique<RolloutSanityGate>());
  return gates;
}

bool FactsNeeded(const GateList& gates, const GateContext& ctx) {
  for (const auto& g : gates) {
    if (!g->NeedsFacts() && g->Decide(ctx).outcome == GateOutcome::kBlock) return false;
  }
  return true;
}

std::vector<Verdict> EvaluateGates(const GateList& gates, const GateContext& ctx) {
  // Without facts a gate that needs them cannot say "pass". When a fact-free gate blocks anyway
  // (wherever it stands in the order) it is merely skipped; otherwise it must block (fail
  // closed), or a caller that forgot to gather facts would restart unchecked.
  const bool fact_free_block = !ctx.facts && !FactsNeeded(gates, ctx);
  std::vector<Verdict> out;
  out.reserve(gates.size());
  for (const auto& g : gates) {
    if (g->NeedsFacts() && !ctx.facts) {
      out.push_back(fact_free_block
                        ? NotApplicable(*g, "not checked: another gate already blocks")
                        : Block(*g, "not checked: facts about the target were not gathered"));
    } else {
      out.push_back(g->Decide(ctx));
    }
  }
  return out;
}

const Verdict* FirstBlock(const std::vector<Verdict>& verdicts) {
  for (const auto& v : verdicts) {
    if (v.outcome == GateOutcome::kBlock) return &v;
  }
  return nullptr;
}

}  // namespace fhc::remediator
