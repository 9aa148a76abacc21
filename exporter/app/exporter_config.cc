#include "exporter/app/exporter_config.h"

#include "common/docker/docker_settings.h"

namespace fhc::exporter {

using settings::Spec;
namespace accept = settings::accept;

std::vector<settings::Spec> ExporterSpecs() {
  std::vector<Spec> specs = settings::CommonSpecs(kExporterDefaultListen);
  std::vector<Spec> own = {
      {"INFERENCE_THRESHOLD_MS", "100",
       "slowest acceptable inference of an edgetpu (Coral) detector, in milliseconds "
       "(inference_slow); other detector types: INFERENCE_LIMITS_MS",
       accept::Int(1, 600000)},
      {"INFERENCE_LIMITS_MS", "",
       "slowest acceptable inference per detector type, as type=ms,... (e.g. cpu=500,onnx=250); "
       "replaces those types' built-in limits (README: Inference rule)",
       [](std::string_view v) {
         return ParseTypeLimits(v) ? std::string()
                                   : std::string("type=milliseconds pairs, comma-separated");
       }},
      {"INFERENCE_BASELINE_FACTOR", "3",
       "inference_slow against a detector's own baseline: slower than this many times the "
       "baseline (README: Inference rule)",
       accept::Double(1, 1000)},
      {"INFERENCE_BASELINE_MARGIN_MS", "20",
       "inference_slow against the baseline also needs the speed this many milliseconds above it",
       accept::Double(0, 600000)},
      {"INFERENCE_SLOW_SECONDS", "300",
       "inference_slow against the baseline fires once the detector has been slow this many "
       "seconds",
       accept::Double(0, 86400)},
      {"INFERENCE_BASELINE_MINUTES", "60",
       "the baseline is the median inference of each detector over about this many minutes of "
       "work",
       accept::Int(5, 10080)},
      {"INFERENCE_BASELINE_SAMPLE_SECONDS", "10",
       "at most one baseline sample per detector this often, however often Prometheus scrapes "
       "(30 samples make a baseline)",
       accept::Double(0.1, 600)},
      {"CONFIG_MAX_AGE_SECONDS", "60",
       "how often Frigate's /api/config is read in the background (cameras off, detector "
       "types); a failed read is retried after 10 s and the last good one kept",
       accept::Double(1, 86400)},
      {"STUCK_DETECTION_THRESHOLD", "2",
       "more \"Detection appears to be stuck\" lines than this in the log window is unhealthy",
       accept::Int(0, 1000000)},
      {"BACKLOG_THRESHOLD", "5",
       "more recording-backlog lines (all cameras, every wording) than this in the window is "
       "unhealthy",
       accept::Int(0, 1000000)},
      {"LOG_WINDOW_MINUTES", "5", "length of the log window the two thresholds above count in",
       accept::Int(1, 1440)},
      {"SKIP_CAMERAS", "[\"reolink_doorbell\"]",
       "cameras the fps checks ignore (JSON list or comma-separated)", accept::StringList()},
      {"SKIP_RATIO_THRESHOLD", "0.8",
       "skipped_fps / camera_fps above this makes a camera \"high skip\"", accept::Double(0, 1)},
      {"LOG_SOURCE", "frigate-api",
       "where Frigate's log comes from: frigate-api (/api/logs/frigate), kubernetes (follow the "
       "pod's log), docker (follow the container's log through the Docker Engine API), file "
       "(LOG_FILE) or none",
       accept::OneOf({"frigate-api", "kubernetes", "docker", "file", "none"})},
      {"LOG_FILE", "",
       "Frigate's log file for LOG_SOURCE=file (e.g. /dev/shm/logs/frigate/current)"},
      {"DETECTOR_HUNG_SECONDS", "60",
       "a detector force-kill not followed by a new detector within this many seconds is "
       "detector_hung (Frigate's own wait for the killed process is 30 s)",
       accept::Int(1, 3600)},
      {"LOG_POLL_SECONDS", "10", "how often LOG_SOURCE=frigate-api fetches the log",
       accept::Double(0.2, 3600)},
      {"STATS_MAX_AGE_SECONDS", "1",
       "reuse one /api/stats fetch for scrapes within this many seconds", accept::Double(0, 300)},
      {"CMDLINE_LABEL", "false",
       "add Frigate's cmdline label (the process's command line, stream credentials masked by "
       "Frigate) to frigate_cpu_usage_percent, frigate_mem_usage_percent and "
       "frigate_bandwidth_usage_bytes_per_second, as Frigate's own /api/metrics has it",
       accept::Bool()},
      {"TARGET_LABELS", "false",
       "add constant labels frigate_namespace and frigate_deployment (NAMESPACE, DEPLOYMENT_NAME) "
       "to frigate_* series so alerts carry their target; they never collide with the labels a "
       "scrape adds (namespace, pod, service, job, instance)",
       accept::Bool()},
  };
  specs.insert(specs.end(), own.begin(), own.end());
  const auto docker_specs = docker::DockerSpecs();
  specs.insert(specs.end(), docker_specs.begin(), docker_specs.end());
  return specs;
}

Result<ExporterConfig> ToExporterConfig(const settings::Settings& s) {
  ExporterConfig c;
  c.listen = s.Get("LISTEN");
  c.log_level = s.Get("LOG_LEVEL");
  c.log_format = s.Get("LOG_FORMAT");
  c.frigate_url = s.Get("FRIGATE_URL");
  while (!c.frigate_url.empty() && c.frigate_url.back() == '/') c.frigate_url.pop_back();
  c.frigate_token = s.Get("FRIGATE_TOKEN");
  c.api_timeout_seconds = s.GetDouble("API_TIMEOUT_SECONDS");
  c.stats_max_age_seconds = s.GetDouble("STATS_MAX_AGE_SECONDS");
  c.cmdline_label = s.GetBool("CMDLINE_LABEL");
  c.log_source = s.Get("LOG_SOURCE");
  c.log_file = s.Get("LOG_FILE");
  c.log_poll_seconds = s.GetDouble("LOG_POLL_SECONDS");
  c.log_window_minutes = static_cast<int>(s.GetInt("LOG_WINDOW_MINUTES"));
  c.detector_hung_seconds = static_cast<int>(s.GetInt("DETECTOR_HUNG_SECONDS"));
  c.target_labels = s.GetBool("TARGET_LABELS");
  c.namespace_ = s.Get("NAMESPACE");
  c.deployment = s.Get("DEPLOYMENT_NAME");
  c.pod_label_selector = s.Get("POD_LABEL_SELECTOR");
  c.frigate_container = s.Get("FRIGATE_CONTAINER");
  c.kube_api_url = s.Get("KUBE_API_URL");
  c.kube_token_file = s.Get("KUBE_TOKEN_FILE");
  c.kube_ca_file = s.Get("KUBE_CA_FILE");
  c.kube_insecure_skip_tls_verify = s.GetBool("KUBE_INSECURE_SKIP_TLS_VERIFY");
  c.docker_host = s.Get("DOCKER_HOST");
  c.docker_container = s.Get("DOCKER_CONTAINER");
  c.docker_container_label = s.Get("DOCKER_CONTAINER_LABEL");
  c.docker_tls_verify = s.Get("DOCKER_TLS_VERIFY");
  c.docker_cert_path = s.Get("DOCKER_CERT_PATH");
  c.thresholds.inference_threshold_ms = static_cast<double>(s.GetInt("INFERENCE_THRESHOLD_MS"));
  InferenceRule& rule = c.thresholds.inference_rule;
  const auto limits =
      ParseTypeLimits(s.Get("INFERENCE_LIMITS_MS"))
          .value_or(std::map<std::string, double, std::less<>>{});  // validated by its Spec
  for (const auto& [type, ms] : limits) {
    if (type == "edgetpu") {
      return Result<ExporterConfig>::Error(settings::InvalidSettingMessage(
          "INFERENCE_LIMITS_MS", s.Get("INFERENCE_LIMITS_MS"),
          "no edgetpu row (INFERENCE_THRESHOLD_MS is the edgetpu limit)"));
    }
    rule.type_limits_ms[type] = ms;
  }
  rule.baseline_factor = s.GetDouble("INFERENCE_BASELINE_FACTOR");
  rule.baseline_margin_ms = s.GetDouble("INFERENCE_BASELINE_MARGIN_MS");
  rule.sustain_seconds = s.GetDouble("INFERENCE_SLOW_SECONDS");
  c.baseline.window_seconds = static_cast<double>(s.GetInt("INFERENCE_BASELINE_MINUTES")) * 60;
  c.baseline.min_spacing_seconds = s.GetDouble("INFERENCE_BASELINE_SAMPLE_SECONDS");
  c.config_max_age_seconds = s.GetDouble("CONFIG_MAX_AGE_SECONDS");
  c.thresholds.stuck_detection_threshold = static_cast<int>(s.GetInt("STUCK_DETECTION_THRESHOLD"));
  c.thresholds.backlog_threshold = static_cast<int>(s.GetInt("BACKLOG_THRESHOLD"));
  c.thresholds.skip_ratio_threshold = s.GetDouble("SKIP_RATIO_THRESHOLD");
  c.thresholds.skip_cameras.clear();
  for (auto& cam : s.GetList("SKIP_CAMERAS")) c.thresholds.skip_cameras.insert(cam);
  if (c.log_source == "file" && c.log_file.empty()) {
    return Result<ExporterConfig>::Error(
        settings::InvalidSettingMessage("LOG_FILE", "", "a file path when LOG_SOURCE=file"));
  }
  return c;
}

}  // namespace fhc::exporter
