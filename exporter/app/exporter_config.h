#pragma once
// The exporter's settings: their declarations (for parsing and --help) and the typed
// configuration the program runs with.
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/settings/settings.h"
#include "exporter/health/health_evaluator.h"
#include "exporter/health/inference_baseline.h"

namespace fhc::exporter {

inline constexpr const char* kExporterDefaultListen = "0.0.0.0:9711";

// Every setting of frigate-exporter: the common ones and its own.
std::vector<settings::Spec> ExporterSpecs();

struct ExporterConfig {
  std::string listen;
  std::string log_level;
  std::string log_format;
  std::string frigate_url;  // without trailing slash
  std::string frigate_token;
  double api_timeout_seconds = 10;
  double stats_max_age_seconds = 1;
  bool cmdline_label = false;  // CMDLINE_LABEL: StatsCollectorOptions::include_cmdline
  std::string log_source;      // frigate-api | kubernetes | docker | file | none
  std::string log_file;
  double log_poll_seconds = 10;
  int log_window_minutes = 5;
  int detector_hung_seconds = 60;
  bool target_labels = false;
  std::string namespace_;
  std::string deployment;
  std::string pod_label_selector;
  std::string frigate_container;  // "" = named like the deployment, else "frigate"
  std::string kube_api_url;
  std::string kube_token_file;
  std::string kube_ca_file;
  bool kube_insecure_skip_tls_verify = false;
  double config_max_age_seconds = 60;
  std::string docker_host;  // "" = the environment's DOCKER_HOST or the default socket
  std::string docker_container = "frigate";
  std::string docker_container_label;
  std::string docker_tls_verify;  // "" = the environment's DOCKER_TLS_VERIFY
  std::string docker_cert_path;   // "" = the environment's DOCKER_CERT_PATH or ~/.docker
  HealthThresholds thresholds;
  BaselineOptions baseline;
};

// Settings already validated by settings::Parse; this only converts. Cross-setting errors
// (LOG_SOURCE=file without LOG_FILE) come back as an error line naming the setting.
Result<ExporterConfig> ToExporterConfig(const settings::Settings& s);

}  // namespace fhc::exporter
