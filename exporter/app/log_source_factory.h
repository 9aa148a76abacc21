#pragma once
// Builds the log source LOG_SOURCE names, with the clients it needs.
#include <map>
#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "common/docker/docker_client.h"
#include "common/http/http_client.h"
#include "common/kube/kube_client.h"
#include "exporter/app/exporter_config.h"
#include "exporter/logs/docker_log_source.h"
#include "exporter/logs/kubernetes_log_source.h"
#include "exporter/logs/log_source.h"

namespace fhc::exporter {

// Owns whatever the source uses (the Kubernetes client for LOG_SOURCE=kubernetes, the Docker
// client for LOG_SOURCE=docker).
struct LogSourceBundle {
  std::unique_ptr<kube::Client> kube;
  std::unique_ptr<KubePodLogApi> pod_logs;
  std::unique_ptr<docker::Client> docker;
  std::unique_ptr<DockerContainerLogApi> container_logs;
  std::unique_ptr<LogSource> source;  // null for LOG_SOURCE=none
};

Result<LogSourceBundle> MakeLogSource(const ExporterConfig& config, http::Client& http,
                                      const Clock& clock,
                                      const std::map<std::string, std::string>& env);

}  // namespace fhc::exporter
