#include "common/docker/docker_settings.h"

#include <unistd.h>

namespace fhc::docker {

namespace accept = settings::accept;

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
      {"DOCKER_TLS_VERIFY", "",
       "talk TLS to a tcp:// DOCKER_HOST and verify the daemon (true/false); when not set, on "
       "when the environment's DOCKER_TLS_VERIFY is non-empty, as for the docker CLI",
       accept::Bool()},
      {"DOCKER_CERT_PATH", "",
       "directory with ca.pem, cert.pem and key.pem for DOCKER_TLS_VERIFY; when not set, the "
       "environment's DOCKER_CERT_PATH, else ~/.docker"},
      {"DOCKER_CONTAINER_LABEL", "",
       "find Frigate's container by this label instead (key=value, e.g. "
       "com.docker.compose.service=frigate): the one running container carrying it; none or "
       "several is an error, never a guess"},
  };
}

Result<Endpoint> EndpointFromSettings(const std::string& docker_host_setting,
                                      const std::map<std::string, std::string>& env,
                                      const std::string& tls_verify_setting,
                                      const std::string& cert_path_setting) {
  const auto from_env = [&](const char* name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  bool tls = false;
  if (!tls_verify_setting.empty()) {
    tls = tls_verify_setting == "true" || tls_verify_setting == "1" ||
          tls_verify_setting == "yes" || tls_verify_setting == "TRUE" ||
          tls_verify_setting == "True";
  } else {
    tls = !from_env("DOCKER_TLS_VERIFY").empty();
  }
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
  auto e = ParseDockerHost(value, tls);
  if (!e) return Result<Endpoint>::Error(e.error() + "; from " + origin);
  if (tls) {
    std::string dir = cert_path_setting;
    if (dir.empty()) dir = from_env("DOCKER_CERT_PATH");
    if (dir.empty() && !from_env("HOME").empty()) dir = from_env("HOME") + "/.docker";
    if (dir.empty()) {
      return Result<Endpoint>::Error(
          "DOCKER_TLS_VERIFY is on but DOCKER_CERT_PATH (env FRIGATE_HC_DOCKER_CERT_PATH / flag "
          "--docker-cert-path) names no directory");
    }
    e->ca_file = dir + "/ca.pem";
    e->cert_file = dir + "/cert.pem";
    e->key_file = dir + "/key.pem";
    for (const std::string* f : {&e->ca_file, &e->cert_file, &e->key_file}) {
      if (access(f->c_str(), R_OK) != 0) {
        return Result<Endpoint>::Error(
            "DOCKER_CERT_PATH (env FRIGATE_HC_DOCKER_CERT_PATH / flag "
            "--docker-cert-path): cannot read " +
            *f + " (DOCKER_TLS_VERIFY needs ca.pem, cert.pem, key.pem)");
      }
    }
  }
  if (!e->unix_socket.empty()) {
    if (std::string why = CheckSocket(e->unix_socket); !why.empty()) {
      return Result<Endpoint>::Error(origin + " = \"" + value + "\": " + why);
    }
  }
  return e;
}

}  // namespace fhc::docker
