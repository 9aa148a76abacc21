#pragma once
// A Deployment as the restart action and the rollout-sanity gate see it: its pod selector, and
// the rule that tells a rollout under way from a finished one whose pods merely are not ready.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock/clock.h"
#include "common/core/result.h"

namespace fhc::kube {

struct DeploymentInfo {
  std::string name;
  std::string namespace_;
  std::int64_t generation = 0;           // metadata.generation
  std::int64_t observed_generation = 0;  // status.observedGeneration
  bool paused = false;                   // spec.paused
  std::int64_t replicas = 1;             // spec.replicas (the API's default 1 when absent)
  std::int64_t status_replicas = 0;      // status.replicas (old and new pods)
  std::int64_t updated_replicas = 0;
  std::int64_t available_replicas = 0;
  std::int64_t ready_replicas = 0;
  std::int64_t unavailable_replicas = 0;
  // spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"], "" when never set.
  std::string restarted_at;
  // spec.selector as a label selector in the API's query syntax (matchLabels as "k=v",
  // matchExpressions as "k in (a,b)", "k notin (a,b)", "k", "!k"), terms joined by commas; ""
  // with selector_error set when the selector is absent, empty or has an unknown operator.
  std::string pod_selector;
  std::string selector_error;
  // spec.template.spec.containers[].name, in order.
  std::vector<std::string> containers;
  struct Condition {
    std::string type;    // Available, Progressing, ReplicaFailure
    std::string status;  // True, False, Unknown
    std::string reason;  // e.g. NewReplicaSetAvailable, ProgressDeadlineExceeded
    std::string message;
  };
  std::vector<Condition> conditions;
};

// Parses a Deployment object (pure; fuzzed).
Result<DeploymentInfo> ParseDeployment(std::string_view body);

enum class RolloutPhase {
  kComplete,     // the last rollout finished (its pods may since have become unready)
  kProgressing,  // a rollout is under way (or the spec change is not yet observed)
  kPaused,       // spec.paused: nothing will move until resumed
  kFailed,       // Progressing=False with ProgressDeadlineExceeded
};

struct RolloutState {
  RolloutPhase phase = RolloutPhase::kProgressing;
  std::string message;  // in kubectl rollout status's wording where it has one
};

// Whether a rollout is under way, judged as the deployment controller itself does
// (pkg/controller/deployment/progress.go): paused; the spec change not yet observed
// (generation > observedGeneration); the Progressing condition's reason
// ProgressDeadlineExceeded (failed); fewer updated replicas than spec.replicas; old ReplicaSets
// still holding pods (status.replicas > updatedReplicas); then Progressing's reason:
// NewReplicaSetAvailable means the last rollout finished, and a pod that became unready since
// (a hung Frigate failing its readiness probe) is not a rollout. Any other reason means the new
// pods have not become available yet. Only without a Progressing condition (no progress
// deadline) does availability decide, as kubectl rollout status does. Pure.
RolloutState RolloutStatus(const DeploymentInfo& d);

// The condition of that type, or null.
const DeploymentInfo::Condition* FindCondition(const DeploymentInfo& d, std::string_view type);

// The annotation kubectl rollout restart sets on the pod template.
inline constexpr std::string_view kRestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
// kubectl's refusal, word for word, so operators recognise it.
inline constexpr std::string_view kPausedRestartMessage =
    "can't restart paused deployment (run rollout resume first)";

// The strategic-merge patch body kubectl rollout restart sends, with the given timestamp.
std::string RestartPatchBody(std::string_view restarted_at);

}  // namespace fhc::kube
