#pragma once
// The health family: frigate_up, frigate_stats_age_seconds, frigate_detector_stuck{name},
// frigate_detector_inference_limit_seconds{name},
// frigate_detector_inference_baseline_seconds{name}, frigate_camera_off{camera_name,why},
// frigate_unhealthy{reason}, frigate_healthy, frigate_exporter_build_info,
// frigate_exporter_stats_errors_total{cause} and frigate_exporter_config_up, from the latest
// evaluation.
#include <prometheus/collectable.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/health/health_evaluator.h"

namespace fhc::exporter {

struct HealthSnapshot {
  bool up = false;  // stats usable
  HealthVerdict verdict;
  std::vector<std::pair<std::string, bool>> detectors;  // name, stuck
  std::map<std::string, std::uint64_t> stats_errors;    // by cause
  bool config_up = false;  // a usable /api/config is at hand (possibly from an earlier read)
};

class HealthCollector final : public prometheus::Collectable {
 public:
  explicit HealthCollector(std::string version) : version_(std::move(version)) {}
  void Update(std::shared_ptr<const HealthSnapshot> snapshot);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string version_;
  mutable std::mutex mu_;
  std::shared_ptr<const HealthSnapshot> snapshot_;
};

// Builds the snapshot from a verdict (pure).
HealthSnapshot MakeHealthSnapshot(const FrigateStats* stats, HealthVerdict verdict,
                                  std::map<std::string, std::uint64_t> stats_errors,
                                  bool config_up);

}  // namespace fhc::exporter
