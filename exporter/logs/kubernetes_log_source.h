#pragma once
// LOG_SOURCE=kubernetes: finds the Frigate pod by POD_LABEL_SELECTOR and follows the log of
// Frigate's container in it (FRIGATE_CONTAINER; see common/kube/frigate_container.h).
// When the stream ends (API server timeout, network, pod restart) it reconnects with
// sinceSeconds covering the time it was away plus a margin; the overlap is dropped by the
// de-duplicator. After Frigate is restarted into a new pod, the new pod's whole log is read.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "common/http/http_client.h"
#include "common/kube/kube_client.h"
#include "exporter/logs/line_splitter.h"
#include "exporter/logs/log_source.h"

namespace fhc::exporter {

// The two Kubernetes calls this source needs; a seam so tests script pods and streams.
class PodLogApi {
 public:
  virtual ~PodLogApi() = default;
  virtual Result<std::vector<kube::PodInfo>> ListPods(const std::string& ns,
                                                      const std::string& selector) = 0;
  virtual http::Response FollowLog(const std::string& ns, const std::string& pod,
                                   const std::string& container, long since_seconds,
                                   const http::ChunkHandler& on_chunk,
                                   const std::atomic<bool>* cancel) = 0;
};

// The real one, over fhc::kube::Client.
class KubePodLogApi final : public PodLogApi {
 public:
  explicit KubePodLogApi(kube::Client& client) : client_(client) {}
  Result<std::vector<kube::PodInfo>> ListPods(const std::string& ns,
                                              const std::string& selector) override;
  http::Response FollowLog(const std::string& ns, const std::string& pod,
                           const std::string& container, long since_seconds,
                           const http::ChunkHandler& on_chunk,
                           const std::atomic<bool>* cancel) override;

 private:
  kube::Client& client_;
};

class KubernetesLogSource final : public LogSource {
 public:
  struct Options {
    std::string ns = "frigate";            // NAMESPACE
    std::string selector = "app=frigate";  // POD_LABEL_SELECTOR
    std::string deployment = "frigate";    // DEPLOYMENT_NAME
    // FRIGATE_CONTAINER; "" = kube::FrigateContainerName's choice (named like the deployment,
    // else "frigate"). Always sent: with a sidecar in the pod the API server refuses a log
    // request without a container (400 "a container name must be specified").
    std::string container;
    std::chrono::seconds initial_since{6 * 60};  // first connect: the log window and a bit
    std::chrono::seconds reconnect_margin{10};
    std::chrono::milliseconds backoff_initial{1'000};
    std::chrono::milliseconds backoff_max{60'000};
  };
  KubernetesLogSource(Options options, PodLogApi& api, const Clock& clock,
                      Sleeper sleeper = RealSleeper());

  void Run(const LineHandler& on_line, const std::atomic<bool>& stop) override;
  bool up() const override { return up_.load(); }

  // sinceSeconds for the next connection to `pod` (0 = whole log). Exposed for tests.
  long SinceSecondsFor(const std::string& pod) const;

 private:
  // The pod to follow: running, not being deleted, newest; nullopt when none.
  static const kube::PodInfo* PickPod(const std::vector<kube::PodInfo>& pods);

  Options options_;
  PodLogApi& api_;
  const Clock& clock_;
  Sleeper sleeper_;
  std::atomic<bool> up_{false};
  std::string last_pod_;                  // pod followed last ("" before the first)
  std::optional<MonoTime> last_data_at_;  // when bytes of last_pod_ last arrived
  LineSplitter splitter_;
};

}  // namespace fhc::exporter
