#include "exporter/health/inference_baseline.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fhc::exporter {
namespace {

// frigate/object_detection.py (0.12-0.15), object_detection/base.py (0.16+):
// avg_inference_speed = Value("d", 0.01), reported as round(value * 1000, 2).
constexpr double kFrigateStartupPlaceholderMs = 10.0;

std::optional<double> ComputeMedian(const std::deque<double>& samples, std::size_t min_samples) {
  if (samples.size() < std::max<std::size_t>(min_samples, 1)) return std::nullopt;
  std::vector<double> v(samples.begin(), samples.end());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double upper = v[mid];
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

}  // namespace

InferenceBaselineTracker::InferenceBaselineTracker(BaselineOptions options, InferenceRule rule)
    : options_(options), rule_(std::move(rule)) {}

std::size_t InferenceBaselineTracker::Capacity() const {
  const double n = options_.window_seconds / std::max(options_.min_spacing_seconds, 1e-3);
  return std::max<std::size_t>(options_.min_samples, static_cast<std::size_t>(std::ceil(n)));
}

std::optional<double> InferenceBaselineTracker::Median(Track& track) const {
  if (!track.median) track.median = ComputeMedian(track.samples, options_.min_samples);
  return *track.median;
}

void InferenceBaselineTracker::Observe(std::string_view detector, std::string_view model, double ms,
                                       double at) {
  if (!std::isfinite(ms) || ms <= 0 || !std::isfinite(at)) return;
  auto [it, added] = tracks_.try_emplace(std::string(detector));
  Track& t = it->second;
  if (!model.empty() && model != t.model) {
    if (!t.model.empty()) t = Track{};  // a new model: what was learned no longer applies
    t.model = std::string(model);
  }
  const std::optional<double> baseline = Median(t);
  const bool slow = baseline && SlowAgainstBaseline(ms, *baseline, rule_);
  if (slow) {
    if (!t.slow_since) t.slow_since = at;
  } else {
    t.slow_since.reset();
  }
  const bool measured = ms != kFrigateStartupPlaceholderMs;
  const bool spaced = !t.last_sample_at || at - *t.last_sample_at >= options_.min_spacing_seconds;
  if (slow || !measured || !spaced) return;
  t.samples.push_back(ms);
  t.last_sample_at = at;
  while (t.samples.size() > Capacity()) t.samples.pop_front();
  t.median.reset();
}

DetectorBaselineView InferenceBaselineTracker::View(std::string_view detector, double at) {
  DetectorBaselineView view;
  auto it = tracks_.find(detector);
  if (it == tracks_.end()) return view;
  Track& t = it->second;
  view.baseline_ms = Median(t);
  view.samples = t.samples.size();
  if (t.slow_since) view.slow_for_seconds = std::max(0.0, at - *t.slow_since);
  return view;
}

}  // namespace fhc::exporter
