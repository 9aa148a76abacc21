#pragma once
// The log families, from a LogSnapshot taken at each scrape:
//   frigate_log_events_total{event}          counter, every event kind (0 until seen)
//   frigate_stuck_detection_events           gauge, "Detection appears to be stuck" in the window
//   frigate_recording_backlog_events{camera} gauge, backlog lines (every wording) in the window,
//                                            0 for every camera the stats named (so the series
//                                            exists from the start, not from the first line)
//   frigate_log_source_up                    gauge, 1 while the log source reads successfully
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/logs/log_monitor.h"

namespace fhc::exporter {

// The families for one snapshot (pure); `cameras` are the cameras Frigate's stats named, each
// given a backlog series even before its first backlog line.
std::vector<prometheus::MetricFamily> LogEventFamilies(
    const LogSnapshot& snapshot, const std::vector<std::string>& cameras = {});

class LogEventsCollector final : public prometheus::Collectable {
 public:
  // `snapshot` is called once per Collect() (e.g. [&monitor] { return monitor.Snapshot(); }).
  explicit LogEventsCollector(std::function<LogSnapshot()> snapshot)
      : snapshot_(std::move(snapshot)) {}
  // The cameras of the latest stats; an empty list (stats not fetched) keeps the previous one.
  void UpdateCameras(std::vector<std::string> cameras) {
    if (cameras.empty()) return;
    std::lock_guard lock(mu_);
    cameras_ = std::move(cameras);
  }
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<std::string> cameras;
    {
      std::lock_guard lock(mu_);
      cameras = cameras_;
    }
    return LogEventFamilies(snapshot_(), cameras);
  }

 private:
  std::function<LogSnapshot()> snapshot_;
  mutable std::mutex mu_;
  std::vector<std::string> cameras_;
};

}  // namespace fhc::exporter
