#pragma once
// The log pipeline the exporter wires: one source thread feeding
//   line -> de-duplication -> classification -> totals, windows, hung-detector state
// and a thread-safe snapshot for scrapes.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "common/clock/clock.h"
#include "exporter/logs/detector_hung_tracker.h"
#include "exporter/logs/event_window.h"
#include "exporter/logs/line_deduplicator.h"
#include "exporter/logs/log_event.h"
#include "exporter/logs/log_source.h"
#include "exporter/logs/repeated_message_counter.h"

namespace fhc::exporter {

struct LogSnapshot {
  bool source_up = false;  // false also when LOG_SOURCE=none
  bool source_configured = false;
  std::map<LogEventKind, uint64_t>
      totals;               // every kind, 0 when never seen (frigate_log_events_total)
  int stuck_in_window = 0;  // "Detection appears to be stuck" lines in the window
  // Per camera, every backlog wording; cameras seen earlier stay listed with 0 so their series
  // does not vanish between incidents.
  std::map<std::string, int> backlog_in_window;
  int backlog_total_in_window = 0;         // all cameras together (the CronJob's count)
  bool detector_hung = false;              // force-kill without a new detector
  bool edgetpu_missing_in_window = false;  // "No EdgeTPU was detected" in the window
  // "Incorrect model used with EdgeTPU" (0.16+) in the window.
  bool edgetpu_wrong_model_in_window = false;
  // backlog_total_in_window by wording (Frigate 0.15+ gives the two wordings two causes):
  int backlog_keep_up_in_window = 0;      // "Unable to keep up with recording segments ..."
  int backlog_unprocessed_in_window = 0;  // "Too many unprocessed recording segments ..." (0.15+)
  uint64_t lines_read = 0;                // lines delivered by the source
  uint64_t lines_duplicate = 0;           // of which dropped as already seen
  std::optional<WallTime> newest_line_time;
};

struct LogMonitorOptions {
  std::chrono::seconds window{5 * 60};  // LOG_WINDOW_MINUTES
  std::chrono::seconds hung_grace{60};
  LineDeduplicator::Options dedup;
};

// Dating the repeats of a collapsed line (Frigate 0.16+ /api/logs, see repeated_message_counter.h).
// Frigate stamps "Last message repeated N times" with the FIRST line's time, so the repeats'
// own times are unknown; what is known is a range: after the first line (or after the poll that
// saw the previous, smaller N) and no later than the poll that reads the marker, or than the next
// line of the same delivery when one follows (a different line ended the run). The repeats are
// spread evenly over that range, so a fault that keeps logging stays in the window for as long as
// it logs, and an old run that ended long ago stays where it happened.
class LogMonitor {
 public:
  // `source` may be null (LOG_SOURCE=none): the snapshot then only carries zeros.
  LogMonitor(const Clock& clock, LogMonitorOptions options, std::unique_ptr<LogSource> source);
  ~LogMonitor();
  LogMonitor(const LogMonitor&) = delete;
  LogMonitor& operator=(const LogMonitor&) = delete;

  // Starts the source thread (no-op without a source or when already running).
  void Start();
  // Stops and joins it; idempotent.
  void Stop();

  // One line as delivered by a source. Thread-safe; public so tests and other feeders can use it.
  void OnLine(std::string_view line);

  LogSnapshot Snapshot() const;

 private:
  // Totals, cameras and detector state of `times` occurrences of `event`.
  void Record(const LogEvent& event, int64_t times);
  // Places the pending repeats in the window; `next_line` is the time of the line that followed
  // the marker in the same delivery (nullopt: none known, the run may still be going on).
  void PlacePendingRepeats(std::optional<WallTime> next_line) const;

  struct PendingRepeats {
    LogEventKind kind;
    std::string subject;
    int64_t count = 0;
    WallTime not_before{};
    WallTime read_at{};
  };

  const Clock& clock_;
  LogMonitorOptions options_;
  std::unique_ptr<LogSource> source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex mu_;
  LineDeduplicator dedup_;
  RepeatedMessageCounter repeats_;
  std::optional<LogEvent> last_event_;  // event of the previous line (for repeat markers)
  mutable std::optional<PendingRepeats> pending_;  // placed by the next line or snapshot
  mutable EventWindow window_;  // pruned on read; pruning is not an observable change
  DetectorHungTracker hung_;
  std::map<LogEventKind, uint64_t> totals_;
  std::set<std::string> backlog_cameras_;  // bounded by kMaxBacklogCameras
  uint64_t lines_read_ = 0;
  uint64_t lines_duplicate_ = 0;
};

}  // namespace fhc::exporter
