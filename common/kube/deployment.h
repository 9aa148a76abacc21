#pragma once
// A Deployment as the restart action and the rollout-sanity gate see it, and the rollout rule
// kubectl rollout status applies.
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
  kComplete,     // every replica updated and available
  kProgressing,  // a rollout is under way (or the spec change is not yet observed)
  kPaused,       // spec.paused: nothing will move until resumed
  kFailed,       // Progressing=False with ProgressDeadlineExceeded
};

struct RolloutState {
  RolloutPhase phase = RolloutPhase::kProgressing;
  std::string message;  // kubectl rollout status's wording
};

// kubectl rollout status's decision for a Deployment, plus paused (pure).
RolloutState RolloutStatus(const DeploymentInfo& d);

// The annotation kubectl rollout restart sets on the pod template.
inline constexpr std::string_view kRestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
// kubectl's refusal, word for word, so operators recognise it.
inline constexpr std::string_view kPausedRestartMessage =
    "can't restart paused deployment (run rollout resume first)";

// The strategic-merge patch body kubectl rollout restart sends, with the given timestamp.
std::string RestartPatchBody(std::string_view restarted_at);

}  // namespace fhc::kube
