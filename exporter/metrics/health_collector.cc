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
  return out;
}

HealthSnapshot MakeHealthSnapshot(const FrigateStats* stats, HealthVerdict verdict,
                                  std::map<std::string, std::uint64_t> stats_errors) {
  HealthSnapshot s;
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
