#include "common/docker/docker_settings.h"

namespace fhc::docker {

std::vector<settings::Spec> DockerSpecs() {
  return {
      {"DOCKER_HOST", "",
       "Docker Engine API (LOG_SOURCE=docker, RESTART_ACTION=docker): unix:///path/to/docker.sock "
       "or tcp://host:port "
       "(plain HTTP, e.g. a socket proxy); when not set, the environment variable DOCKER_HOST "
       "as the docker CLI reads it, else unix:///var/run/docker.sock",
       [](std::string_view v) -> std::string {
         return ParseDockerHost(v).ok() ? "" : "unix:///path/to/docker.sock or tcp://host:port";
       }},
      {"DOCKER_CONTAINER", "frigate",
       "name or ID of Frigate's container (LOG_SOURCE=docker, RESTART_ACTION=docker)",
       [](std::string_view v) -> std::string {
         return v.empty() || v.find('/') != std::string_view::npos
                    ? "a container name or ID (no '/')"
                    : "";
       }},
      {"DOCKER_CONTAINER_LABEL", "",
       "find Frigate's container by this label instead (key=value, e.g. "
       "com.docker.compose.service=frigate): the one running container carrying it; none or "
       "several is an error, never a guess"},
  };
}

Result<Endpoint> EndpointFromSettings(const std::string& docker_host_setting,
                                      const std::map<std::string, std::string>& env) {
  constexpr const char* kWhere = "DOCKER_HOST (env FRIGATE_HC_DOCKER_HOST / flag --docker-host)";
  std::string value = docker_host_setting;
  std::string origin = std::string("setting ") + kWhere;
  if (value.empty()) {
    const auto it = env.find("DOCKER_HOST");
    if (it != env.end() && !it->second.empty()) {
      value = it->second;
      origin = std::string("the environment's DOCKER_HOST (the setting ") + kWhere + " is not set)";
    } else {
      value = kDefaultDockerHost;
      origin = std::string("the default of setting ") + kWhere;
    }
  }
  auto e = ParseDockerHost(value);
  if (!e) return Result<Endpoint>::Error(e.error() + "; from " + origin);
  if (!e->unix_socket.empty()) {
    if (std::string why = CheckSocket(e->unix_socket); !why.empty()) {
      return Result<Endpoint>::Error(origin + " = \"" + value + "\": " + why);
    }
  }
  return e;
}

}  // namespace fhc::docker
