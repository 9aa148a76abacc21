#pragma once
// Learns each detector's normal inference speed from its own recent history (the baseline of
// the inference rule, see inference_rule.h). Fed by the exporter with every stats snapshot it
// reads; times are the snapshot's own (service.last_updated), so tests drive it with figures.
//
// A sample enters the baseline when it is:
//   - a measured speed: not Frigate's start-up placeholder (avg_inference_speed starts at 0.01 s,
//     reported as 10.0 ms until the detector's first inference; a detector that sees no motion
//     for hours keeps reporting it, and a CPU detector would then look 10x slower once it works),
//     at least min_spacing_seconds after the last sample (however often Prometheus scrapes);
//   - healthy: not slow against the current baseline (a fault does not teach itself as normal).
// The baseline is the median of the last window_seconds / min_spacing_seconds samples, ready
// from min_samples on. A detector whose model changes (from /api/config) starts over. Not
// thread-safe: the owner serialises calls.
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/health/inference_rule.h"

namespace fhc::exporter {

struct BaselineOptions {
  double window_seconds = 3600;     // INFERENCE_BASELINE_MINUTES x 60
  double min_spacing_seconds = 10;  // one sample per 10 s at most
  std::size_t min_samples = 30;     // at least 5 minutes of work before a baseline exists
};

class InferenceBaselineTracker {
 public:
  InferenceBaselineTracker(BaselineOptions options, InferenceRule rule);

  // One reading of a detector at time `at` (unix seconds). `model` identifies its model ("" when
  // unknown: keeps the current one).
  void Observe(std::string_view detector, std::string_view model, double inference_ms, double at);
  // What is known of the detector at time `at` (an unknown detector has nothing).
  // (Not const: the median is computed once per change of the samples and kept.)
  DetectorBaselineView View(std::string_view detector, double at);

 private:
  struct Track {
    std::string model;
    std::deque<double> samples;
    std::optional<double> last_sample_at;
    std::optional<double> slow_since;
    std::optional<std::optional<double>> median;  // cached Median(); reset when samples change
  };
  std::optional<double> Median(Track& track) const;
  std::size_t Capacity() const;

  BaselineOptions options_;
  InferenceRule rule_;
  std::map<std::string, Track, std::less<>> tracks_;
};

}  // namespace fhc::exporter
