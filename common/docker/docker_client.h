#pragma once
// The Docker Engine API calls this project makes, as the docker CLI makes them: a ping to learn
// the daemon's API version (the Api-Version header), then versioned paths
// (/v1.41/containers/{name}/json, .../restart?t=N, .../logs?follow=1&...). Nothing else: never a
// list of containers (except, when asked to find Frigate's by a label, a list filtered by that
// label), never another container.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "common/core/result.h"
#include "common/docker/container_info.h"
#include "common/docker/docker_host.h"
#include "common/docker/docker_time.h"
#include "common/http/http_client.h"

namespace fhc::docker {

// The newest API version this client speaks (Docker Engine 20.10). Daemons that are newer are
// asked for this one; older ones for theirs.
inline constexpr const char* kMaxApiVersion = "1.41";

// The smaller of two "major.minor" versions; `b` when `a` does not parse.
std::string MinApiVersion(const std::string& a, const std::string& b);

// Outcome of one call: the HTTP status (0 when no answer came) and, when it failed, a plain
// sentence ("404 No such container: frigate", "no socket at /var/run/docker.sock", ...).
struct CallResult {
  int status = 0;
  std::string error;
  bool ok() const { return error.empty(); }
};

class Client {
 public:
  struct Options {
    Endpoint endpoint;
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds log_idle_timeout{std::chrono::minutes(10)};
  };
  Client(Options options, http::Client& http) : options_(std::move(options)), http_(http) {}

  // "1.41": negotiated on first use from the ping's Api-Version header (the smaller of the
  // daemon's and ours); a ping answered with an error and no version means ours, not cached.
  // An error only when the daemon cannot be reached. Thread-safe.
  Result<std::string> ApiVersion();
  Result<ContainerInfo> Inspect(const std::string& name);
  // The one running container carrying `label` ("key=value" or "key"), as
  // `GET /containers/json?filters={"label":["key=value"]}` lists it: its ID. An error for none
  // or several (naming them), never a guess.
  Result<std::string> FindByLabel(const std::string& label);
  // `name` when `label` is empty, else FindByLabel(label).
  Result<std::string> Resolve(const std::string& name, const std::string& label) {
    return label.empty() ? Result<std::string>(name) : FindByLabel(label);
  }
  // POST .../restart?t=stop_timeout_seconds: 204 is success.
  CallResult Restart(const std::string& name, int stop_timeout_seconds);
  // GET .../logs?follow=1&stdout=1&stderr=1&timestamps=1[&since=...], streamed to on_chunk.
  http::Response FollowLogs(const std::string& id, const std::optional<DockerTime>& since,
                            const http::ChunkHandler& on_chunk, const std::atomic<bool>* cancel);

 private:
  http::Request BaseRequest(const std::string& method, const std::string& path) const;

  Options options_;
  http::Client& http_;
  std::mutex mu_;
  std::string version_;  // "" until negotiated
};

}  // namespace fhc::docker
