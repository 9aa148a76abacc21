#include "remediator/app/target_facts.h"

namespace fhc::remediator {

TargetFacts FactsOrErrors(RestartAction& action, const Target& target) {
  auto facts = action.GatherFacts(target);
  if (facts) return *facts;
  TargetFacts f;
  f.kubernetes = action.uses_kubernetes();
  f.frigate_started_at_error = f.node_error = f.deployment_error = facts.error();
  if (f.kubernetes) f.pod_error = facts.error();
  return f;
}

}  // namespace fhc::remediator
