#include "common/kube/rfc3339.h"
#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

// kube::Client::RestartDeployment stamps FormatRfc3339Local(now); the intent must be the same text.
std::string IntentTimestamp(WallTime now) { return kube::FormatRfc3339Local(now); }

}  // namespace fhc::remediator
