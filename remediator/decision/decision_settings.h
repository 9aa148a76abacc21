#pragma once
// What the decision engine is configured with (from the settings of the program).
#include <chrono>
#include <string>
#include <vector>

#include "remediator/gates/gate.h"
#include "remediator/target/target.h"

namespace fhc::remediator {

struct DecisionSettings {
  GateSettings gates;
  std::chrono::seconds observation_interval{30};  // OBSERVATION_INTERVAL_SECONDS
  Target default_target{"frigate", "frigate"};    // NAMESPACE, DEPLOYMENT_NAME
  std::vector<Target> allowed_targets;            // ALLOWED_TARGETS; empty = default_target only
  std::string action = "kubernetes";              // RESTART_ACTION, recorded in intents
  // Restarts within one incident after which, while its alerts still fire, restarts stop and
  // the incident escalates to a person (ESCALATE_AFTER_RESTARTS; 0 = never).
  int escalate_after_restarts = 3;
  // An incident that had restarts and whose remediable alerts fire again within this long after
  // it closed goes on (reopens) instead of a new one starting: the restart only interrupted the
  // alerts, the fault did not go away (INCIDENT_REOPEN_SECONDS).
  std::chrono::seconds incident_reopen{900};

  bool Allowed(const Target& target) const;
};

}  // namespace fhc::remediator
