#include "common/docker/docker_client.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace fhc::docker {
namespace {

std::optional<std::pair<int, int>> ParseVersion(const std::string& v) {
  int major = 0, minor = 0;
  char tail = 0;
  if (std::sscanf(v.c_str(), "%d.%d%c", &major, &minor, &tail) != 2) return std::nullopt;
  return std::make_pair(major, minor);
}

std::string PathEscape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string Describe(const http::Response& r) {
  if (!r.ok()) return r.error;
  return std::to_string(r.status) + " " + ErrorMessage(r.body);
}

}  // namespace

std::string MinApiVersion(const std::string& a, const std::string& b) {
  const auto va = ParseVersion(a), vb = ParseVersion(b);
  if (!va) return b;
  if (!vb) return a;
  return *va < *vb ? a : b;
}

http::Request Client::BaseRequest(const std::string& method, const std::string& path) const {
  http::Request r;
  r.method = method;
  r.url = options_.endpoint.base_url + path;
  r.unix_socket = options_.endpoint.unix_socket;
  r.ca_file = options_.endpoint.ca_file;
  r.client_cert_file = options_.endpoint.cert_file;
  r.client_key_file = options_.endpoint.key_file;
  r.timeout = options_.timeout;
  r.connect_timeout = std::min(options_.timeout, std::chrono::milliseconds(5'000));
  r.max_response_bytes = 4 * 1024 * 1024;
  r.headers.emplace_back("User-Agent", "frigate-health");
  return r;
}

Result<std::string> Client::ApiVersion() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!version_.empty()) return version_;
  }
  const http::Response r = http_.Send(BaseRequest("GET", "/_ping"));
  if (!r.ok()) return Result<std::string>::Error("docker ping: " + r.error);
  // A daemon (or proxy) that answers the ping with an error still answers: go on with our
  // version, as the docker CLI does, and ask again next time.
  if (r.status != 200 && r.Header("api-version").empty()) return std::string(kMaxApiVersion);
  // A daemon that does not say its version gets ours, as the docker CLI does.
  const std::string server = r.Header("api-version");
  const std::string v = server.empty() ? kMaxApiVersion : MinApiVersion(server, kMaxApiVersion);
  std::lock_guard<std::mutex> lock(mu_);
  version_ = v;
  return v;
}

Result<ContainerInfo> Client::Inspect(const std::string& name) {
  auto v = ApiVersion();
  if (!v) return Result<ContainerInfo>::Error(v.error());
  const http::Response r =
      http_.Send(BaseRequest("GET", "/v" + *v + "/containers/" + PathEscape(name) + "/json"));
  if (!r.ok() || r.status != 200) {
    return Result<ContainerInfo>::Error("docker inspect " + name + ": " + Describe(r));
  }
  auto info = ParseContainerInfo(r.body);
  if (!info) return Result<ContainerInfo>::Error("docker inspect " + name + ": " + info.error());
  return info;
}

Result<std::string> Client::FindByLabel(const std::string& label) {
  auto v = ApiVersion();
  if (!v) return Result<std::string>::Error(v.error());
  const std::string path =
      "/v" + *v + "/containers/json?filters=" + PathEscape(ContainerLabelFilter(label));
  const http::Response r = http_.Send(BaseRequest("GET", path));
  if (!r.ok() || r.status != 200) {
    return Result<std::string>::Error("docker ps --filter label=" + label + ": " + Describe(r));
  }
  auto found = ParseContainerList(r.body);
  if (!found) return Result<std::string>::Error("docker ps: " + found.error());
  if (found->empty()) {
    return Result<std::string>::Error("no running container has the label " + label);
  }
  if (found->size() > 1) {
    std::string names;
    for (const auto& c : *found) names += (names.empty() ? "" : ", ") + c.name;
    return Result<std::string>::Error(std::to_string(found->size()) +
                                      " running containers have the label " + label + " (" + names +
                                      "): make it unique or set DOCKER_CONTAINER");
  }
  return found->front().id;
}

CallResult Client::Restart(const std::string& name, int stop_timeout_seconds) {
  auto v = ApiVersion();
  if (!v) return {0, v.error()};
  http::Request req = BaseRequest("POST", "/v" + *v + "/containers/" + PathEscape(name) +
                                              "/restart?t=" + std::to_string(stop_timeout_seconds));
  // The daemon answers after the stop (up to t seconds) and the start.
  req.timeout = options_.timeout + std::chrono::seconds(stop_timeout_seconds);
  const http::Response r = http_.Send(req);
  if (r.ok() && r.status == 204) return {204, ""};
  return {r.status, "docker restart " + name + ": " + Describe(r)};
}

http::Response Client::FollowLogs(const std::string& id, const std::optional<DockerTime>& since,
                                  const http::ChunkHandler& on_chunk,
                                  const std::atomic<bool>* cancel) {
  auto v = ApiVersion();
  if (!v) {
    http::Response r;
    r.error = v.error();
    return r;
  }
  std::string path =
      "/v" + *v + "/containers/" + PathEscape(id) + "/logs?follow=1&stdout=1&stderr=1&timestamps=1";
  if (since) path += "&since=" + since->SinceParameter();
  return http_.Stream(BaseRequest("GET", path), on_chunk, cancel, options_.log_idle_timeout);
}

}  // namespace fhc::docker
