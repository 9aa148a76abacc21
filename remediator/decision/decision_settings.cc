#include "remediator/decision/decision_settings.h"

#include <algorithm>

namespace fhc::remediator {

bool DecisionSettings::Allowed(const Target& target) const {
  if (allowed_targets.empty()) return target == default_target;
  return std::find(allowed_targets.begin(), allowed_targets.end(), target) != allowed_targets.end();
}

}  // namespace fhc::remediator
