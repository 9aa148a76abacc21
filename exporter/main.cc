// frigate-exporter: Frigate's /api/stats and log as Prometheus metrics and a health verdict.
// This file only wires the parts together.
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <iostream>
#include <thread>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "common/http/http_server.h"
#include "common/program/healthcheck.h"
#include "common/program/program.h"
#include "exporter/app/exporter_config.h"
#include "exporter/app/exporter_service.h"
#include "exporter/app/log_source_factory.h"

namespace {

using namespace fhc;
using namespace fhc::exporter;

const settings::ProgramInfo kProgram{
    "frigate-exporter", FHC_VERSION,
    "Serves Frigate NVR's health as Prometheus metrics (/metrics) and a verdict (/health).",
    "frigate-exporter [check|healthcheck] [--setting value ...]\n"
    "  (no command)  serve /metrics, /health and / on LISTEN\n"
    "  check         evaluate once, print a report, exit 0 healthy, 1 unhealthy, 2 bad settings\n"
    "  healthcheck   ask the running exporter's GET /healthz on LISTEN's port (the image's\n"
    "                HEALTHCHECK): exit 0 when it answers 200, else 1"};

// For `check`: give the log source its first read (bounded), so the window is filled.
void AwaitFirstLogRead(LogMonitor& monitor, const ExporterConfig& config) {
  if (config.log_source == "none") return;
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(
                                           static_cast<long>(config.api_timeout_seconds * 1000));
  while (clock::now() < deadline && !monitor.Snapshot().source_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // frigate-api and file hand over their whole first read before they report up. Only a
  // streamed pod log arrives in chunks after the stream opens: wait until its line count settles.
  if (config.log_source != "kubernetes") return;
  uint64_t lines = monitor.Snapshot().lines_read;
  for (int quiet = 0; quiet < 5 && clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    uint64_t now = monitor.Snapshot().lines_read;
    quiet = now == lines ? quiet + 1 : 0;
    lines = now;
  }
}

}  // namespace

int main(int argc, char** argv) {
  program::BlockStopSignals();
  program::LimitMallocArenas();
  int exit_code = 0;
  auto parsed = program::Start(kProgram, ExporterSpecs(), argc, argv, exit_code);
  if (!parsed) return program::AsksHealthcheck(argc, argv) && exit_code == 2 ? 1 : exit_code;
  if (parsed->positional == std::vector<std::string>{"healthcheck"}) {
    return program::RunHealthcheck(parsed->settings.Get("LISTEN"), false);
  }
  bool check = false;
  for (const auto& word : parsed->positional) {
    if (word == "check" && !check) {
      check = true;
    } else {
      std::cerr << "frigate-exporter: unknown command \"" << word
                << "\"; expected: check or healthcheck\n";
      return 2;
    }
  }
  auto config = ToExporterConfig(parsed->settings);
  if (!config) {
    std::cerr << "frigate-exporter: " << config.error() << "\n";
    return 2;
  }

  const Clock& clock = SystemClock::Instance();
  http::CurlClient http;
  auto env = settings::ProcessEnvironment();
  auto bundle = MakeLogSource(*config, http, clock, env);
  if (!bundle) {
    std::cerr << "frigate-exporter: " << bundle.error() << "\n";
    return 2;
  }
  StatsFetcher fetcher(http, clock,
                       {.frigate_url = config->frigate_url,
                        .token = config->frigate_token,
                        .timeout_seconds = config->api_timeout_seconds,
                        .max_age_seconds = config->stats_max_age_seconds});
  ConfigFetcher frigate_config(http, clock,
                               {.frigate_url = config->frigate_url,
                                .token = config->frigate_token,
                                .timeout_seconds = config->api_timeout_seconds,
                                .max_age_seconds = config->config_max_age_seconds});
  LogMonitorOptions log_options;
  log_options.window = std::chrono::minutes(config->log_window_minutes);
  log_options.hung_grace = std::chrono::seconds(config->detector_hung_seconds);
  LogMonitor monitor(clock, log_options, std::move(bundle->source));
  ExporterService service(*config, fetcher, frigate_config, monitor, clock);

  if (check) {
    // The stats fetch and the first log read are independent: do them side by side.
    auto first_fetch = std::async(std::launch::async, [&fetcher] { fetcher.Get(); });
    auto config_read =
        std::async(std::launch::async, [&frigate_config] { frigate_config.RefreshNow(); });
    monitor.Start();
    AwaitFirstLogRead(monitor, *config);
    first_fetch.wait();
    config_read.wait();
    Evaluation e = service.Evaluate();
    std::cout << HealthText(service.Report(e));
    monitor.Stop();
    return e.verdict.healthy() ? 0 : 1;
  }

  http::ServerOptions server_options;
  server_options.listen = config->listen;
  server_options.threads = static_cast<int>(parsed->settings.GetInt("HTTP_WORKERS"));
  server_options.max_body_bytes = 64 * 1024;  // the exporter takes no request bodies
  http::Server server(server_options);
  service.RegisterRoutes(server);
  if (auto started = server.Start(); !started) {
    spdlog::critical("cannot listen: {}", started.error());
    return 1;
  }
  frigate_config.Start();  // first read at once; until it lands detector types are unknown
  monitor.Start();
  auto host = config->listen.substr(0, config->listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  spdlog::info("frigate-exporter {} listening on http://{}:{} (Frigate {}, log source {})",
               FHC_VERSION, host, server.port(), config->frigate_url, config->log_source);
  int sig = program::WaitForStopSignal();
  spdlog::info("stopping on signal {}", sig);
  server.Stop();
  frigate_config.Stop();
  monitor.Stop();
  return 0;
}
