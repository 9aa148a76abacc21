#pragma once
// The standard process_* metrics of Prometheus client libraries, read from /proc/self on Linux:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds, process_max_fds.
#include <prometheus/collectable.h>

#include <string>
#include <vector>

namespace fhc::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  // proc_dir is "/proc/self" except in tests.
  explicit ProcessCollector(std::string proc_dir = "/proc/self", std::string proc_root = "/proc");
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_dir_;
  std::string proc_root_;
};

}  // namespace fhc::metrics
