#pragma once
// What every scrape, /health request and `check` does: take the stats (shared, cached), the log
// window, judge health, and render metrics or the verdict. All collectors are registered here,
// in one place.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "common/http/http_server.h"
#include "common/metrics/process_collector.h"
#include "exporter/app/config_fetcher.h"
#include "exporter/app/exporter_config.h"
#include "exporter/app/stats_fetcher.h"
#include "exporter/health/health_report.h"
#include "exporter/health/inference_baseline.h"
#include "exporter/logs/log_monitor.h"
#include "exporter/metrics/health_collector.h"
#include "exporter/metrics/log_events_collector.h"
#include "exporter/metrics/stats_collector.h"

namespace fhc::exporter {

struct Evaluation {
  std::shared_ptr<const StatsFetch> fetch;
  LogSnapshot logs;
  ConfigState config;
  HealthVerdict verdict;
};

class ExporterService {
 public:
  ExporterService(ExporterConfig config, StatsFetcher& fetcher, ConfigFetcher& frigate_config,
                  LogMonitor& logs, const Clock& clock);

  Evaluation Evaluate();
  // The whole /metrics body for one evaluation.
  std::string MetricsText();
  HealthReport Report(const Evaluation& evaluation) const;

  // GET /metrics, GET /health (200 healthy, 503 unhealthy), GET /healthz (the exporter itself is
  // serving: always 200), GET / (links).
  void RegisterRoutes(http::Server& server);

 private:
  ExporterConfig config_;
  StatsFetcher& fetcher_;
  ConfigFetcher& frigate_config_;
  LogMonitor& logs_;
  const Clock& clock_;
  StatsCollector stats_collector_;
  HealthCollector health_collector_;
  LogEventsCollector log_collector_;
  metrics::ProcessCollector process_collector_;
  std::vector<const prometheus::Collectable*> registry_;
  std::mutex version_mu_;
  std::string last_version_;  // Frigate's version as the stats last reported it
  std::mutex baseline_mu_;
  InferenceBaselineTracker baselines_;  // fed with every snapshot evaluated
};

// Converts the log snapshot into what the health verdict needs (pure).
LogFacts ToLogFacts(const LogSnapshot& logs);

}  // namespace fhc::exporter
