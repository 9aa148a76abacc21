#pragma once
// Frigate's watchdog joins a force-killed detector with no timeout: a detector stuck in
// uninterruptible USB I/O never dies and the watchdog blocks for good (frigate-failure-modes.md,
// "Hung kill"). In the log that is a "Force killing..." line that no "has exited", "Starting
// detection process" or "TPU found" line follows. This pure state machine turns the event stream
// into that verdict: hung once the grace has passed without a follow-up, and hung until a new
// detector (or a new Frigate) starts.
#include <chrono>
#include <optional>

#include "common/clock/clock.h"
#include "exporter/logs/log_event.h"

namespace fhc::exporter {

class DetectorHungTracker {
 public:
  explicit DetectorHungTracker(std::chrono::seconds grace = std::chrono::seconds(60))
      : grace_(grace) {}

  // Feed every classified event, in log order, with its time.
  void OnEvent(LogEventKind kind, WallTime time);

  // Whether the detector is hung as of `now`.
  bool Hung(WallTime now) const;

 private:
  std::chrono::seconds grace_;
  std::optional<WallTime> pending_kill_;    // last force-kill not yet cleared by a new detector
  std::optional<WallTime> followed_up_at_;  // first "has exited" after that kill
};

}  // namespace fhc::exporter
