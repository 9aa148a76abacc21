#include "remediator/gates/rollout_sanity_gate.h"

#include <string>

namespace fhc::remediator {

Verdict RolloutSanityGate::Decide(const GateContext& ctx) const {
  const TargetFacts& f = *ctx.facts;
  if (!f.kubernetes) return NotApplicable(*this, "the restart action does not use Kubernetes");
  const std::string name = "deployment " + ctx.state.target.Key();
  if (!f.deployment_error.empty()) {
    return Block(*this, "cannot read " + name + ": " + f.deployment_error + " (fail closed)");
  }
  if (!f.deployment_paused || !f.rollout_in_progress) {
    return Block(*this, "rollout state of " + name + " is unknown (fail closed)");
  }
  const std::string how = f.rollout_message.empty() ? "" : " (" + f.rollout_message + ")";
  if (*f.deployment_paused) return Block(*this, name + " is paused");
  if (f.rollout_failed) {
    return Block(*this, name + "'s last rollout failed" + how +
                            "; a restart would start another rollout on top of it");
  }
  if (*f.rollout_in_progress) return Block(*this, name + " has a rollout in progress" + how);
  return Pass(*this, name + " is not paused and has no rollout in progress" + how);
}

}  // namespace fhc::remediator
