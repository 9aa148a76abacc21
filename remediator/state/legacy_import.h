#pragma once
// Reading the state the old CronJob health checker left in its ConfigMap (four string keys, see
// reference/seed-health-checker.md), so its restart history and "already mailed" flag carry over.
#include <map>
#include <string>
#include <vector>

#include "remediator/state/state.h"

namespace fhc::remediator {

struct LegacyImport {
  TargetState state;
  std::vector<std::string> warnings;  // one per value that could not be read (and was skipped)
  bool found = false;                 // at least one of the four keys was present
};

// Maps the old keys onto a fresh TargetState of `target`:
//   consecutive_failures  -> consecutive_failures (non-negative integer)
//   last_restart_times    -> restart_times (comma-separated unix seconds; older than 24 h dropped)
//   alert_sent_for_incident == "true" and last_alert_time > 0 -> an open incident
//       "<target>@legacy" started at last_alert_time, marked as already mailed, so the first
//       observation does not mail again about what the old tool already reported.
// A bad value never fails the import: it is skipped with a warning, because refusing to start
// over a leftover string would be worse than forgetting it.
LegacyImport ImportLegacy(const std::map<std::string, std::string>& data, const Target& target,
                          WallTime now);

}  // namespace fhc::remediator
