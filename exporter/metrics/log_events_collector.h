#pragma once
// The log families, from a LogSnapshot taken at each scrape:
//   frigate_log_events_total{event}          counter, every event kind (0 until seen)
//   frigate_stuck_detection_events           gauge, "Detection appears to be stuck" in the window
//   frigate_recording_backlog_events{camera} gauge, backlog lines (every wording) in the window
//   frigate_log_source_up                    gauge, 1 while the log source reads successfully
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <vector>

#include "exporter/logs/log_monitor.h"

namespace fhc::exporter {

// The families for one snapshot (pure).
std::vector<prometheus::MetricFamily> LogEventFamilies(const LogSnapshot& snapshot);

class LogEventsCollector final : public prometheus::Collectable {
 public:
  // `snapshot` is called once per Collect() (e.g. [&monitor] { return monitor.Snapshot(); }).
  explicit LogEventsCollector(std::function<LogSnapshot()> snapshot)
      : snapshot_(std::move(snapshot)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    return LogEventFamilies(snapshot_());
  }

 private:
  std::function<LogSnapshot()> snapshot_;
};

}  // namespace fhc::exporter
