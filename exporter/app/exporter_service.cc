#include "exporter/app/exporter_service.h"

#include "common/metrics/family.h"

namespace fhc::exporter {

LogFacts ToLogFacts(const LogSnapshot& logs) {
  LogFacts f;
  f.stuck_events_in_window = logs.stuck_in_window;
  f.backlog_events_in_window = logs.backlog_total_in_window;
  f.backlog_keep_up_in_window = logs.backlog_keep_up_in_window;
  f.backlog_unprocessed_in_window = logs.backlog_unprocessed_in_window;
  f.detector_hung = logs.detector_hung;
  f.edgetpu_missing = logs.edgetpu_missing_in_window;
  f.edgetpu_wrong_model = logs.edgetpu_wrong_model_in_window;
  return f;
}

ExporterService::ExporterService(ExporterConfig config, StatsFetcher& fetcher,
                                 ConfigFetcher& frigate_config, LogMonitor& logs,
                                 const Clock& clock)
    : config_(std::move(config)),
      fetcher_(fetcher),
      frigate_config_(frigate_config),
      logs_(logs),
      clock_(clock),
      stats_collector_(StatsCollectorOptions{.include_cmdline = config_.cmdline_label}),
      health_collector_(FHC_VERSION),
      log_collector_([this] { return logs_.Snapshot(); }),
      baselines_(config_.baseline, config_.thresholds.inference_rule) {
  // The one registry of metric sources; order is the order in the output.
  registry_ = {&health_collector_, &stats_collector_, &log_collector_, &process_collector_};
}

Evaluation ExporterService::Evaluate() {
  Evaluation e;
  e.fetch = fetcher_.Get();
  e.logs = logs_.Snapshot();
  e.config = frigate_config_.Current();
  HealthInput in;
  in.stats = e.fetch->stats.get();
  in.stats_error = e.fetch->error;
  in.now_unix = ToUnixSeconds(clock_.Now());
  in.logs = ToLogFacts(e.logs);
  {
    std::lock_guard lock(version_mu_);
    if (in.stats != nullptr && !in.stats->version.empty()) last_version_ = in.stats->version;
    in.last_known_version = last_version_;
  }
  in.config = e.config.facts.get();
  if (in.stats != nullptr) {
    // Fed in the snapshot's own time: a cached snapshot read twice is one reading.
    const double at = in.stats->last_updated.value_or(in.now_unix);
    std::lock_guard lock(baseline_mu_);
    for (const auto& d : in.stats->detectors) {
      if (!d.inference_speed_ms) continue;
      std::string model;
      if (in.config != nullptr) {
        if (auto it = in.config->detectors.find(d.name); it != in.config->detectors.end()) {
          model = it->second.model;
        }
      }
      baselines_.Observe(d.name, model, *d.inference_speed_ms, at);
      in.inference_baselines[d.name] = baselines_.View(d.name, at);
    }
  }
  e.verdict = EvaluateHealth(in, config_.thresholds);
  return e;
}

std::string ExporterService::MetricsText() {
  Evaluation e = Evaluate();
  stats_collector_.Update(e.fetch->stats);
  if (e.fetch->stats) {
    std::vector<std::string> cameras;
    for (const auto& c : e.fetch->stats->cameras) cameras.push_back(c.name);
    log_collector_.UpdateCameras(std::move(cameras));
  }
  health_collector_.Update(std::make_shared<const HealthSnapshot>(MakeHealthSnapshot(
      e.fetch->stats.get(), e.verdict, fetcher_.ErrorCounts(), e.config.facts != nullptr)));
  std::vector<prometheus::MetricFamily> families;
  for (const auto* c : registry_) {
    auto f = c->Collect();
    families.insert(families.end(), std::make_move_iterator(f.begin()),
                    std::make_move_iterator(f.end()));
  }
  if (config_.target_labels) {
    metrics::AddConstantLabels(
        families,
        {{"frigate_namespace", config_.namespace_}, {"frigate_deployment", config_.deployment}},
        "frigate_");
  }
  return metrics::Serialize(families);
}

HealthReport ExporterService::Report(const Evaluation& e) const {
  HealthReport r;
  r.verdict = &e.verdict;
  r.frigate_url = config_.frigate_url;
  if (e.fetch->stats) {
    r.frigate_version = e.fetch->stats->version;
    r.frigate_uptime = e.fetch->stats->uptime_seconds;
  }
  r.stats_error = e.fetch->error;
  r.config_usable = e.config.facts != nullptr;
  r.config_error = e.config.error;
  if (e.config.read_at)
    r.config_age_seconds = ToUnixSeconds(clock_.Now()) - ToUnixSeconds(*e.config.read_at);
  r.log_source = config_.log_source;
  r.log_source_up = e.logs.source_up;
  r.log_window_minutes = config_.log_window_minutes;
  r.checked_at_unix = ToUnixSeconds(clock_.Now());
  r.exporter_version = FHC_VERSION;
  return r;
}

void ExporterService::RegisterRoutes(http::Server& server) {
  server.Route("GET", "/metrics", [this](const http::ServerRequest&) {
    http::ServerResponse resp;
    resp.content_type = metrics::kTextContentType;
    resp.body = MetricsText();
    return resp;
  });
  server.Route("GET", "/health", [this](const http::ServerRequest&) {
    Evaluation e = Evaluate();
    http::ServerResponse resp;
    resp.status = e.verdict.healthy() ? 200 : 503;
    resp.content_type = "application/json";
    resp.body = HealthJson(Report(e));
    return resp;
  });
  server.Route("GET", "/healthz", [](const http::ServerRequest&) {
    http::ServerResponse resp;
    resp.body = "ok\n";
    return resp;
  });
  server.Route("GET", "/", [](const http::ServerRequest&) {
    http::ServerResponse resp;
    resp.content_type = "text/html; charset=utf-8";
    resp.body =
        "<!doctype html><html><head><title>frigate-exporter</title></head><body>"
        "<h1>frigate-exporter " FHC_VERSION
        "</h1><ul><li><a href=\"metrics\">metrics</a> (Prometheus)</li>"
        "<li><a href=\"health\">health</a> (verdict as JSON; 503 when unhealthy)</li>"
        "</ul></body></html>\n";
    return resp;
  });
}

}  // namespace fhc::exporter
