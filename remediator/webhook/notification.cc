#include "remediator/webhook/notification.h"

namespace fhc::remediator {

const char* AlertStatusName(AlertStatus status) {
  return status == AlertStatus::kFiring ? "firing" : "resolved";
}

const std::string& Alert::Label(const std::string& name) const {
  static const std::string kEmpty;
  const auto it = labels.find(name);
  return it == labels.end() ? kEmpty : it->second;
}

}  // namespace fhc::remediator
