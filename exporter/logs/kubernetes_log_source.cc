#include "exporter/logs/kubernetes_log_source.h"

#include <cmath>

#include "common/kube/frigate_container.h"

namespace fhc::exporter {

Result<std::vector<kube::PodInfo>> KubePodLogApi::ListPods(const std::string& ns,
                                                           const std::string& selector) {
  return client_.ListPods(ns, selector);
}

http::Response KubePodLogApi::FollowLog(const std::string& ns, const std::string& pod,
                                        const std::string& container, long since_seconds,
                                        const http::ChunkHandler& on_chunk,
                                        const std::atomic<bool>* cancel) {
  return client_.FollowLog(ns, pod, container, since_seconds, on_chunk, cancel);
}

KubernetesLogSource::KubernetesLogSource(Options options, PodLogApi& api, const Clock& clock,
                                         Sleeper sleeper)
    : options_(std::move(options)), api_(api), clock_(clock), sleeper_(std::move(sleeper)) {}

const kube::PodInfo* KubernetesLogSource::PickPod(const std::vector<kube::PodInfo>& pods) {
  // ListPods orders running pods first, newest first; a terminating one is only a fallback.
  const kube::PodInfo* fallback = nullptr;
  for (const auto& p : pods) {
    if (p.phase != "Running") continue;
    if (!p.deletion_timestamp) return &p;
    if (fallback == nullptr) fallback = &p;
  }
  return fallback;
}

long KubernetesLogSource::SinceSecondsFor(const std::string& pod) const {
  if (last_pod_.empty()) return static_cast<long>(options_.initial_since.count());
  if (pod != last_pod_) return 0;  // a new pod: all of its log is new to us
  if (!last_data_at_) return static_cast<long>(options_.initial_since.count());
  const double away = std::chrono::duration<double>(clock_.Monotonic() - *last_data_at_).count();
  return static_cast<long>(std::ceil(std::max(0.0, away))) +
         static_cast<long>(options_.reconnect_margin.count());
}

void KubernetesLogSource::Run(const LineHandler& on_line, const std::atomic<bool>& stop) {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  while (!stop.load()) {
    auto pods = api_.ListPods(options_.ns, options_.selector);
    const kube::PodInfo* picked = pods.ok() ? PickPod(*pods) : nullptr;
    if (picked == nullptr) {
      up_ = false;
      sleeper_(backoff.Next(), stop);
      continue;
    }
    const std::string pod = picked->name;
    const std::string container =
        kube::FrigateContainerName(*picked, options_.container, options_.deployment);
    const long since = SinceSecondsFor(pod);
    if (pod != last_pod_) last_data_at_.reset();
    last_pod_ = pod;
    splitter_.Reset();
    bool got_data = false;
    const http::Response resp = api_.FollowLog(
        options_.ns, pod, container, since,
        [&](std::string_view chunk) {
          got_data = true;
          up_ = true;  // also for the empty chunk that says the stream is open: a quiet log is up
          if (chunk.empty()) return !stop.load();
          last_data_at_ = clock_.Monotonic();
          splitter_.Feed(chunk, on_line);
          return !stop.load();
        },
        &stop);
    const bool clean_end = resp.ok() && resp.status == 200;
    if (clean_end) {
      // Kubelet closes a followed log when the container stops: its last line is complete.
      splitter_.Flush(on_line);
      up_ = true;
    }
    if (clean_end || got_data) {
      backoff.Reset();
      // Reconnect soon but not in a tight loop when the API keeps ending streams at once.
      sleeper_(options_.backoff_initial, stop);
    } else {
      up_ = false;
      sleeper_(backoff.Next(), stop);
    }
  }
}

}  // namespace fhc::exporter
