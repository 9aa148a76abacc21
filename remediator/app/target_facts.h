#pragma once
// What the gates and mails need to know about a target right now (pod, node, deployment), from
// the restart action. Never fails: when the action cannot tell, the facts carry its error in
// every field a gate reads, and those gates fail closed.
#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

TargetFacts FactsOrErrors(RestartAction& action, const Target& target);

}  // namespace fhc::remediator
