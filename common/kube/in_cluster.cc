#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/kube/kube_client.h"

namespace fhc::kube {
namespace {

std::string Env(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in) std::getline(in, line);
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  line.erase(line.begin(), std::find_if(line.begin(), line.end(), not_space));
  line.erase(std::find_if(line.rbegin(), line.rend(), not_space).base(), line.end());
  return line;
}

}  // namespace

bool InCluster(const std::map<std::string, std::string>& env) {
  return !Env(env, "KUBERNETES_SERVICE_HOST").empty();
}

Result<Config> InClusterConfig(const std::map<std::string, std::string>& env,
                               const InClusterPaths& paths) {
  std::string host = Env(env, "KUBERNETES_SERVICE_HOST");
  if (host.empty()) return Result<Config>::Error("not in a cluster: KUBERNETES_SERVICE_HOST unset");
  // The https port is the one the docs name; plain KUBERNETES_SERVICE_PORT is what client
  // libraries read. Both point at the same service port in a normal cluster.
  std::string port = Env(env, "KUBERNETES_SERVICE_PORT_HTTPS");
  if (port.empty()) port = Env(env, "KUBERNETES_SERVICE_PORT");
  if (port.empty()) {
    return Result<Config>::Error(
        "in-cluster: KUBERNETES_SERVICE_PORT_HTTPS and KUBERNETES_SERVICE_PORT unset");
  }
  int port_number = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (ec != std::errc() || p != port.data() + port.size() || port_number < 1 ||
      port_number > 65535) {
    return Result<Config>::Error("in-cluster: bad service port \"" + port + "\"");
  }
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  if (!Readable(paths.token)) {
    return Result<Config>::Error("in-cluster: service account token " + paths.token +
                                 " not readable");
  }
  if (!Readable(paths.ca)) {
    return Result<Config>::Error("in-cluster: service account CA " + paths.ca + " not readable");
  }
  Config config;
  config.api_url = "https://" + host + ":" + port;
  config.token_file = paths.token;
  config.ca_file = paths.ca;
  config.own_namespace = FirstLine(paths.ns);
  // kubectl's fallback when the file is missing.
  if (config.own_namespace.empty()) config.own_namespace = "default";
  return config;
}

}  // namespace fhc::kube
