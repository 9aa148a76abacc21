#include "remediator/gates/node_ready_gate.h"

#include <string>

namespace fhc::remediator {

Verdict NodeReadyGate::Decide(const GateContext& ctx) const {
  const TargetFacts& f = *ctx.facts;
  if (!f.kubernetes) return NotApplicable(*this, "the restart action does not use Kubernetes");
  const std::string node = f.node_name.empty() ? "the Frigate pod's node" : "node " + f.node_name;
  if (!f.pod_error.empty()) {
    return Block(*this, "no node to check: " + f.pod_error + " (fail closed)");
  }
  if (!f.node_error.empty()) {
    return Block(*this, "cannot read " + node + ": " + f.node_error + " (fail closed)");
  }
  if (!f.node_ready) return Block(*this, node + " has no Ready condition (fail closed)");
  const std::string reason = f.node_ready_reason.empty() ? "" : " (" + f.node_ready_reason + ")";
  if (*f.node_ready != "True") {
    return Block(*this, node + " is Ready=" + *f.node_ready + reason);
  }
  std::string text = node + " is Ready=True";
  if (f.node_unschedulable) {
    text += "; note: it is cordoned (unschedulable), a new pod that must run there stays Pending";
  }
  return Pass(*this, text);
}

}  // namespace fhc::remediator
