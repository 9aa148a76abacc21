#include "exporter/logs/detector_hung_tracker.h"

namespace fhc::exporter {

void DetectorHungTracker::OnEvent(LogEventKind kind, WallTime time) {
  switch (kind) {
    case LogEventKind::kDetectorForceKill:
      pending_kill_ = time;
      followed_up_at_.reset();
      break;
    case LogEventKind::kDetectorExited:
      // The kill worked: only a follow-up inside the grace proves the watchdog is not blocked;
      // a late one does not clear a verdict already reached (a new detector must start).
      if (pending_kill_ && !followed_up_at_) followed_up_at_ = time;
      break;
    case LogEventKind::kDetectorStarted:
    case LogEventKind::kEdgeTpuFound:
    case LogEventKind::kFrigateStarting:
      pending_kill_.reset();
      followed_up_at_.reset();
      break;
    default:
      break;
  }
}

bool DetectorHungTracker::Hung(WallTime now) const {
  if (!pending_kill_) return false;
  const WallTime deadline = *pending_kill_ + grace_;
  if (followed_up_at_ && *followed_up_at_ <= deadline) return false;
  return now >= deadline;
}

}  // namespace fhc::exporter
