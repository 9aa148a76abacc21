#pragma once
// The Kubernetes API client: in-cluster (service account token, CA, namespace; token re-read
// when it rotates) or explicit URL/token/CA. Every call has a timeout and bounded retries with
// backoff on transport errors, 429 and 5xx.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "common/http/http_client.h"
#include "common/kube/api_error.h"
#include "common/kube/config_map.h"
#include "common/kube/deployment.h"
#include "common/kube/node.h"

namespace fhc::kube {

struct Config {
  std::string api_url;     // e.g. https://10.0.0.1:443
  std::string token_file;  // re-read at most every 60 s and after a 401
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string own_namespace;  // the namespace this program runs in (in-cluster), else ""
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 3;
  // Backoff before retry n (1-based): initial_backoff * 2^(n-1), at most max_backoff.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  // A followed log may be silent for long stretches; past this with no byte the stream fails.
  std::chrono::milliseconds log_idle_timeout{std::chrono::minutes(10)};
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
  // Per container status (the kubelet lists them sorted by name, not in spec order).
  struct Container {
    std::string name;
    std::optional<WallTime> started_at;  // state.running.startedAt (absent when not running)
    int restart_count = 0;
    bool ready = false;  // passes its readiness probe
    std::string state;   // "running" | "waiting" | "terminated" | "" (not reported)
    std::string reason;  // state.waiting/terminated.reason, e.g. "CrashLoopBackOff"
    std::string message;
    std::string last_termination_reason;  // lastState.terminated.reason, e.g. "OOMKilled"
  };
  std::vector<Container> containers;
  std::optional<WallTime> deletion_timestamp;
};

// Parses a PodList body (pure; fuzzed).
Result<std::vector<PodInfo>> ParsePodList(std::string_view body);
// RFC 3339 time as Kubernetes writes it ("2024-05-01T10:00:00Z", fractions and offsets allowed).
std::optional<WallTime> ParseRfc3339(std::string_view text);

// How the client waits between attempts; tests pass one that records instead of sleeping.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

class Client {
 public:
  // sleep defaults to a real sleep of the calling thread.
  Client(Config config, http::Client& http, const Clock& clock, Sleeper sleep = {});

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

  // GET /api/v1/nodes/{name}.
  ApiResult<NodeInfo> GetNode(const std::string& name);

  // GET /apis/apps/v1/namespaces/{ns}/deployments/{name}.
  ApiResult<DeploymentInfo> GetDeployment(const std::string& ns, const std::string& name);

  // What kubectl rollout restart does: reads the deployment, refuses a paused one (kPaused with
  // kubectl's message), then PATCHes RestartPatchBody(FormatRfc3339Local(now)) as
  // application/strategic-merge-patch+json with ?fieldManager=field_manager. Returns the
  // deployment as the server answered the PATCH.
  ApiResult<DeploymentInfo> RestartDeployment(const std::string& ns, const std::string& name,
                                              WallTime now, const std::string& field_manager);

  // GET /api/v1/namespaces/{ns}/configmaps/{name}; kNotFound when absent.
  ApiResult<ConfigMap> GetConfigMap(const std::string& ns, const std::string& name);
  // POST to /api/v1/namespaces/{cm.namespace_}/configmaps; kAlreadyExists when the name is taken.
  ApiResult<ConfigMap> CreateConfigMap(const ConfigMap& cm);
  // PUT with metadata.resourceVersion = cm.resource_version; kConflict when it is stale.
  ApiResult<ConfigMap> ReplaceConfigMap(const ConfigMap& cm);

  const Config& config() const { return config_; }

 private:
  http::Request BaseRequest(const std::string& method, const std::string& path);
  std::string Token();
  // Forgets the cached token so the next Token() re-reads the file (after a 401).
  void InvalidateToken();
  http::Response Exchange(http::Request request);
  template <typename T, typename Parse>
  ApiResult<T> Decode(const http::Response& response, Parse parse);

  Sleeper sleep_;

  Config config_;
  http::Client& http_;
  const Clock& clock_;
  std::mutex token_mu_;
  std::string token_;
  std::optional<MonoTime> token_read_at_;
};

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view s);

// Message of a Kubernetes Status error body ("deployments.apps \"x\" not found"), or the raw body
// when it is not a Status.
std::string StatusMessage(const http::Response& response);

}  // namespace fhc::kube
