#pragma once
// The Kubernetes API client: in-cluster (service account token, CA, namespace; token re-read
// when it rotates) or explicit URL/token/CA. Every call has a timeout and bounded retries with
// backoff on transport errors, 429 and 5xx.
#include <atomic>
#include <chrono>
#include <map>
#include <string_view>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "common/http/http_client.h"

namespace fhc::kube {

struct Config {
  std::string api_url;     // e.g. https://10.0.0.1:443
  std::string token_file;  // re-read at most every 60 s and after a 401
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string own_namespace;  // the namespace this program runs in (in-cluster), else ""
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 3;
};

// Paths of the in-cluster service account, overridable for tests.
struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string ns = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

// True when KUBERNETES_SERVICE_HOST is set (running in a pod).
bool InCluster(const std::map<std::string, std::string>& env);
// Config from KUBERNETES_SERVICE_HOST/PORT and the service account files.
Result<Config> InClusterConfig(const std::map<std::string, std::string>& env,
                               const InClusterPaths& paths = {});

struct PodInfo {
  std::string name;
  std::string namespace_;
  std::string node_name;
  std::string phase;                   // Running, Pending, ...
  bool ready = false;                  // condition Ready=True
  std::optional<WallTime> start_time;  // status.startTime
  // Per container: name and state.running.startedAt (absent when not running).
  struct Container {
    std::string name;
    std::optional<WallTime> started_at;
    int restart_count = 0;
  };
  std::vector<Container> containers;
  std::optional<WallTime> deletion_timestamp;
};

// Parses a PodList body (pure; fuzzed).
Result<std::vector<PodInfo>> ParsePodList(std::string_view body);
// RFC 3339 time as Kubernetes writes it ("2024-05-01T10:00:00Z", fractions and offsets allowed).
std::optional<WallTime> ParseRfc3339(std::string_view text);

class Client {
 public:
  Client(Config config, http::Client& http, const Clock& clock);

  // Raw calls relative to the API root ("/api/v1/..."); retried as described above, except that
  // non-idempotent verbs (POST) are retried only when no response was received.
  http::Response Get(const std::string& path);
  http::Response Send(const std::string& method, const std::string& path,
                      const std::string& content_type, const std::string& body);

  // Pods in ns matching a label selector ("app=frigate"), running ones first, newest first.
  Result<std::vector<PodInfo>> ListPods(const std::string& ns, const std::string& selector);

  // Follows a pod's log (follow=true&timestamps=false); since_seconds when > 0. Returns when the
  // stream ends, on_chunk returns false or *cancel is set.
  http::Response FollowLog(const std::string& ns, const std::string& pod,
                           const std::string& container, long since_seconds,
                           const http::ChunkHandler& on_chunk, const std::atomic<bool>* cancel);

  const Config& config() const { return config_; }

 private:
  http::Request BaseRequest(const std::string& method, const std::string& path);
  std::string Token();

  Config config_;
  http::Client& http_;
  const Clock& clock_;
  std::mutex token_mu_;
  std::string token_;
  std::optional<MonoTime> token_read_at_;
};

// Message of a Kubernetes Status error body ("deployments.apps \"x\" not found"), or the raw body
// when it is not a Status.
std::string StatusMessage(const http::Response& response);

}  // namespace fhc::kube
