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

  bool Allowed(const Target& target) const;
};

}  // namespace fhc::remediator
