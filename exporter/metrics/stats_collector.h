#pragma once
// The Frigate stats families (frigate_camera_fps, frigate_cpu_usage_percent,
// frigate_storage_used_bytes, ...): Frigate 0.16's own /api/metrics names with its defects fixed
// (true bytes, detection_enabled as 0/1, no cmdline label unless asked), built from the latest
// parsed /api/stats body. See StatsFamilies for the exact list.
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <memory>
#include <mutex>
#include <vector>

#include "exporter/stats/frigate_stats.h"

namespace fhc::exporter {

struct StatsCollectorOptions {
  // Adds Frigate's `cmdline` label to frigate_cpu_usage_percent, frigate_mem_usage_percent and
  // frigate_bandwidth_usage_bytes_per_second (setting CMDLINE_LABEL). Off by default: command
  // lines are long and change often (Frigate masks the credentials in stream URLs).
  bool include_cmdline = false;
};

// Every family for one stats body, gauges only, each family's series with the same label names.
// Families without any series are left out. Process families (cpu, mem, bandwidth) carry every
// pid of the body, labelled as Frigate's own /api/metrics labels them (see ProcessIdentity);
// cpu and mem carry each detector pid twice, as type="Detector" and as type="detectors".
std::vector<prometheus::MetricFamily> StatsFamilies(const FrigateStats& stats,
                                                    const StatsCollectorOptions& options);

class StatsCollector final : public prometheus::Collectable {
 public:
  explicit StatsCollector(StatsCollectorOptions options = {}) : options_(options) {}

  // Replaces the stats the next Collect() reports; nullptr means no usable stats, and then
  // Collect() returns none of these families (frigate_up, elsewhere, says why).
  void Update(std::shared_ptr<const FrigateStats> stats);

  // Thread-safe against Update().
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const StatsCollectorOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const FrigateStats> stats_;
};

}  // namespace fhc::exporter
