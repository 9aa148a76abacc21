#include "exporter/app/log_source_factory.h"

#include "common/docker/docker_settings.h"
#include "common/kube/settings_config.h"
#include "exporter/logs/file_log_source.h"
#include "exporter/logs/frigate_api_log_source.h"

namespace fhc::exporter {

Result<LogSourceBundle> MakeLogSource(const ExporterConfig& config, http::Client& http,
                                      const Clock& clock,
                                      const std::map<std::string, std::string>& env) {
  LogSourceBundle b;
  const auto timeout =
      std::chrono::milliseconds(static_cast<long>(config.api_timeout_seconds * 1000));
  if (config.log_source == "frigate-api") {
    FrigateApiLogSource::Options o;
    o.base_url = config.frigate_url;
    o.bearer_token = config.frigate_token;
    o.interval = std::chrono::milliseconds(static_cast<long>(config.log_poll_seconds * 1000));
    o.timeout = timeout;
    b.source = std::make_unique<FrigateApiLogSource>(o, http);
  } else if (config.log_source == "file") {
    FileLogSource::Options o;
    o.path = config.log_file;
    b.source = std::make_unique<FileLogSource>(o);
  } else if (config.log_source == "kubernetes") {
    auto kc = kube::ConfigFromSettings(config.kube_api_url, config.kube_token_file,
                                       config.kube_ca_file, config.kube_insecure_skip_tls_verify,
                                       config.api_timeout_seconds, env);
    if (!kc) return Result<LogSourceBundle>::Error(kc.error());
    b.kube = std::make_unique<kube::Client>(std::move(kc).value(), http, clock);
    b.pod_logs = std::make_unique<KubePodLogApi>(*b.kube);
    KubernetesLogSource::Options o;
    o.ns = config.namespace_;
    o.selector = config.pod_label_selector;
    o.container = config.frigate_container;
    o.deployment = config.deployment;
    o.initial_since = std::chrono::seconds(config.log_window_minutes * 60 + 60);
    b.source = std::make_unique<KubernetesLogSource>(o, *b.pod_logs, clock);
  } else if (config.log_source == "docker") {
    // A missing or unwritable socket refuses the start (exit 2) instead of retrying forever.
    auto endpoint = docker::EndpointFromSettings(config.docker_host, env, config.docker_tls_verify,
                                                 config.docker_cert_path);
    if (!endpoint) return Result<LogSourceBundle>::Error(endpoint.error());
    docker::Client::Options dopt;
    dopt.endpoint = std::move(endpoint).value();
    dopt.timeout = timeout;
    b.docker = std::make_unique<docker::Client>(dopt, http);
    b.container_logs =
        std::make_unique<DockerContainerLogApi>(*b.docker, config.docker_container_label);
    DockerLogSource::Options o;
    o.container = config.docker_container;
    o.initial_since = std::chrono::seconds(config.log_window_minutes * 60 + 60);
    b.source = std::make_unique<DockerLogSource>(o, *b.container_logs, clock);
  }
  return b;
}

}  // namespace fhc::exporter
