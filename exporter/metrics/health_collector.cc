#include "exporter/metrics/health_collector.h"

#include <algorithm>

#include "common/metrics/family.h"

namespace fhc::exporter {

using metrics::AddSample;
using metrics::Family;
using prometheus::MetricType;

void HealthCollector::Update(std::shared_ptr<const HealthSnapshot> snapshot) {
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snapshot);
}

std::vector<prometheus::MetricFamily> HealthCollector::Collect() const {
  std::shared_ptr<const HealthSnapshot> s;
  {
    std::lock_guard lock(mu_);
    s = snapshot_;
  }
  std::vector<prometheus::MetricFamily> out;
  auto build = Family("frigate_exporter_build_info",
                      "frigate-exporter's version; the value is always 1.", MetricType::Gauge);
  AddSample(build, 1, {{"version", version_}});
  out.push_back(std::move(build));
  if (!s) return out;

  auto up = Family("frigate_up", "1 when Frigate's /api/stats was fetched and parsed, else 0.",
                   MetricType::Gauge);
  AddSample(up, s->up ? 1 : 0);
  out.push_back(std::move(up));

  if (s->verdict.stats_age_seconds) {
    auto age = Family("frigate_stats_age_seconds",
                      "Seconds since Frigate took the stats snapshot (service.last_updated).",
                      MetricType::Gauge);
    AddSample(age, *s->verdict.stats_age_seconds);
    out.push_back(std::move(age));
  }
  if (!s->detectors.empty()) {
    auto stuck = Family("frigate_detector_stuck",
                        "1 when the detector's current inference started more than 10 s before "
                        "the stats snapshot.",
                        MetricType::Gauge);
    for (const auto& [name, is_stuck] : s->detectors)
      AddSample(stuck, is_stuck ? 1 : 0, {{"name", name}});
    out.push_back(std::move(stuck));
  }
  if (!s->verdict.detectors.empty()) {
    auto limit = Family("frigate_detector_inference_limit_seconds",
                        "Slowest inference the detector's type is allowed (inference_slow's type "
                        "limit; the edgetpu one is INFERENCE_THRESHOLD_MS).",
                        MetricType::Gauge);
    auto baseline = Family("frigate_detector_inference_baseline_seconds",
                           "The detector's learned normal inference time (median of its recent "
                           "healthy readings); absent until learned.",
                           MetricType::Gauge);
    for (const auto& d : s->verdict.detectors) {
      AddSample(limit, d.limit_ms / 1000, {{"name", d.name}});
      if (d.baseline_ms) AddSample(baseline, *d.baseline_ms / 1000, {{"name", d.name}});
    }
    out.push_back(std::move(limit));
    if (!baseline.metric.empty()) out.push_back(std::move(baseline));
  }
  if (!s->verdict.left_out_cameras.empty()) {
    auto off = Family("frigate_camera_off",
                      "1 for a camera off on purpose (why: disabled_in_config or "
                      "switched_off_at_runtime); such cameras are left out of no_frames and "
                      "high_skip_ratio.",
                      MetricType::Gauge);
    for (const auto& [camera, why] : s->verdict.left_out_cameras) {
      std::string label = why;
      std::replace(label.begin(), label.end(), ' ', '_');
      AddSample(off, 1, {{"camera_name", camera}, {"why", label}});
    }
    out.push_back(std::move(off));
  }
  auto unhealthy =
      Family("frigate_unhealthy", "1 when the health reason is failing, 0 when it passes.",
             MetricType::Gauge);
  for (const auto& r : s->verdict.results) {
    AddSample(unhealthy, r.failing ? 1 : 0, {{"reason", std::string(ReasonName(r.reason))}});
  }
  out.push_back(std::move(unhealthy));
  auto healthy =
      Family("frigate_healthy", "1 when no health reason is failing, else 0.", MetricType::Gauge);
  AddSample(healthy, s->verdict.healthy() ? 1 : 0);
  out.push_back(std::move(healthy));
  auto errors =
      Family("frigate_exporter_stats_errors_total",
             "Fetches of /api/stats that gave no usable stats, by cause.", MetricType::Counter);
  for (const auto& [cause, n] : s->stats_errors)
    AddSample(errors, static_cast<double>(n), {{"cause", cause}});
  out.push_back(std::move(errors));
  auto config_up = Family("frigate_exporter_config_up",
                          "1 while a usable /api/config is at hand (camera states, detector "
                          "types), else 0.",
                          MetricType::Gauge);
  AddSample(config_up, s->config_up ? 1 : 0);
  out.push_back(std::move(config_up));
  return out;
}

HealthSnapshot MakeHealthSnapshot(const FrigateStats* stats, HealthVerdict verdict,
                                  std::map<std::string, std::uint64_t> stats_errors,
                                  bool config_up) {
  HealthSnapshot s;
  s.config_up = config_up;
  s.up = stats != nullptr;
  if (stats) {
    for (const auto& d : stats->detectors) {
      bool stuck = std::find(verdict.stuck_detectors.begin(), verdict.stuck_detectors.end(),
                             d.name) != verdict.stuck_detectors.end();
      s.detectors.emplace_back(d.name, stuck);
    }
  }
  s.verdict = std::move(verdict);
  s.stats_errors = std::move(stats_errors);
  return s;
}

}  // namespace fhc::exporter
