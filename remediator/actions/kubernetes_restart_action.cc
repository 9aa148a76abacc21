#include "remediator/actions/kubernetes_restart_action.h"

#include <utility>

#include "common/kube/frigate_container.h"
#include "common/kube/rfc3339.h"

namespace fhc::remediator {
namespace {

std::string Describe(const kube::ApiStatus& status) {
  std::string out(kube::ApiErrorName(status.error));
  if (status.http_status != 0) out += " (HTTP " + std::to_string(status.http_status) + ")";
  if (!status.message.empty()) out += ": " + status.message;
  return out;
}

}  // namespace

KubernetesRestartAction::KubernetesRestartAction(kube::Client& kube, std::string pod_selector,
                                                 std::string container)
    : kube_(kube), pod_selector_(std::move(pod_selector)), container_(std::move(container)) {}

Result<RestartReceipt> KubernetesRestartAction::Restart(const Target& target, WallTime now) {
  auto patched = kube_.RestartDeployment(target.namespace_, target.deployment, now, kFieldManager);
  if (!patched.ok()) {
    if (patched.error() == kube::ApiError::kPaused) {
      return Result<RestartReceipt>::Error(patched.status.message);  // kubectl's own words
    }
    return Result<RestartReceipt>::Error("restart of deployment " + target.Key() +
                                         " failed: " + Describe(patched.status));
  }
  RestartReceipt receipt;
  receipt.action = name();
  receipt.intent_timestamp =
      patched->restarted_at.empty() ? IntentTimestamp(now) : patched->restarted_at;
  receipt.requested_at = now;
  receipt.detail = "PATCH deployment " + target.Key() + " " +
                   std::string(kube::kRestartedAtAnnotation) + "=" + receipt.intent_timestamp +
                   " (generation " + std::to_string(patched->generation) + ")";
  return receipt;
}

Result<RecoveryStatus> KubernetesRestartAction::CheckRecovery(const Target& target,
                                                              const RestartReceipt& receipt) {
  auto d = kube_.GetDeployment(target.namespace_, target.deployment);
  if (d.error() == kube::ApiError::kNotFound) {
    return RecoveryStatus{RecoveryState::kFailed, "deployment " + target.Key() + " is gone"};
  }
  if (!d.ok()) {
    return Result<RecoveryStatus>::Error("cannot read deployment " + target.Key() + ": " +
                                         Describe(d.status));
  }
  if (d->restarted_at != receipt.intent_timestamp) {
    // A later restart (someone ran kubectl rollout restart) carries ours along; an older or absent
    // stamp means the template was put back and our restart will never roll out.
    auto ours = kube::ParseRfc3339(receipt.intent_timestamp);
    auto theirs = kube::ParseRfc3339(d->restarted_at);
    if (!ours || !theirs || *theirs < *ours) {
      return RecoveryStatus{RecoveryState::kFailed,
                            "restartedAt is \"" + d->restarted_at + "\", not ours (" +
                                receipt.intent_timestamp + "): the restart was undone"};
    }
  }
  kube::RolloutState rollout = kube::RolloutStatus(*d);
  switch (rollout.phase) {
    case kube::RolloutPhase::kComplete:
      if (d->available_replicas < d->replicas) {
        return RecoveryStatus{RecoveryState::kInProgress, std::to_string(d->available_replicas) +
                                                              " of " + std::to_string(d->replicas) +
                                                              " replicas available"};
      }
      return RecoveryStatus{RecoveryState::kRecovered, rollout.message};
    case kube::RolloutPhase::kProgressing:
      return RecoveryStatus{RecoveryState::kInProgress, rollout.message};
    case kube::RolloutPhase::kPaused:
    case kube::RolloutPhase::kFailed:
      return RecoveryStatus{RecoveryState::kFailed, rollout.message};
  }
  return RecoveryStatus{RecoveryState::kInProgress, rollout.message};
}

Result<TargetFacts> KubernetesRestartAction::GatherFacts(const Target& target) {
  TargetFacts facts;
  facts.kubernetes = true;

  auto d = kube_.GetDeployment(target.namespace_, target.deployment);
  if (!d.ok()) {
    facts.deployment_error = "cannot read deployment " + target.Key() + ": " + Describe(d.status);
  } else {
    const kube::RolloutState rollout = kube::RolloutStatus(*d);
    facts.deployment_paused = d->paused;
    facts.rollout_in_progress = rollout.phase == kube::RolloutPhase::kProgressing;
    facts.rollout_failed = rollout.phase == kube::RolloutPhase::kFailed;
    facts.rollout_message = rollout.message;
  }

  if (!pod_selector_.empty()) {
    facts.pod_selector = pod_selector_;
  } else if (!d.ok()) {
    facts.pod_error = "cannot find the Frigate pod without deployment " + target.Key() +
                      "'s spec.selector (" + facts.deployment_error + ")";
  } else if (d->pod_selector.empty()) {
    facts.pod_error = "cannot find the Frigate pod of deployment " + target.Key() + ": " +
                      d->selector_error + " (set POD_LABEL_SELECTOR to override)";
  } else {
    facts.pod_selector = d->pod_selector;
  }

  if (!facts.pod_selector.empty()) {
    auto pods = kube_.ListPods(target.namespace_, facts.pod_selector);
    if (!pods.ok()) {
      facts.pod_error = "cannot list pods: " + pods.error();
    } else if (pods->empty()) {
      facts.pod_error =
          "no pod in " + target.namespace_ + " matches \"" + facts.pod_selector + "\"";
    } else {
      GatherPodFacts(pods->front(), target, facts);  // running first, newest first
    }
  }
  if (!facts.pod_error.empty()) {
    facts.frigate_started_at_error = facts.pod_error;
    facts.node_error = facts.pod_error;
  }
  return facts;
}

void KubernetesRestartAction::GatherPodFacts(const kube::PodInfo& pod, const Target& target,
                                             TargetFacts& facts) {
  facts.pod_name = pod.name;
  facts.pod_ready = pod.ready;
  facts.node_name = pod.node_name;

  // Frigate's container by name: the configured one, else the one named like the deployment,
  // else "frigate".
  const kube::PodInfo::Container* container = nullptr;
  auto named = [&](const std::string& name) -> const kube::PodInfo::Container* {
    for (const auto& c : pod.containers) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  const std::string wanted = kube::FrigateContainerName(pod, container_, target.deployment);
  container = named(wanted);
  if (container == nullptr) {
    std::string present;
    for (const auto& c : pod.containers) present += (present.empty() ? "" : ", ") + c.name;
    facts.frigate_started_at_error = "pod " + pod.name + " has no container \"" + wanted +
                                     "\" (it has: " + (present.empty() ? "none" : present) +
                                     "; set FRIGATE_CONTAINER)";
  } else {
    facts.container_name = container->name;
    facts.container_state = container->state;
    facts.container_reason = container->reason;
    facts.container_last_termination = container->last_termination_reason;
    facts.container_restarts = container->restart_count;
    facts.container_ready = container->ready;
    if (!container->started_at) {
      facts.frigate_started_at_error =
          "container " + container->name + " of pod " + pod.name + " is not running" +
          (container->reason.empty() ? std::string() : " (" + container->reason + ")");
    } else {
      facts.frigate_started_at = container->started_at;
      facts.frigate_started_at_source = "container " + container->name;
    }
  }

  if (pod.node_name.empty()) {
    facts.node_error = "pod " + pod.name + " is not scheduled on a node";
    return;
  }
  auto node = kube_.GetNode(pod.node_name);
  if (!node.ok()) {
    facts.node_error = "cannot read node " + pod.node_name + ": " + Describe(node.status);
  } else if (node->ready.empty()) {
    facts.node_error = "node " + pod.node_name + " reports no Ready condition";
    facts.node_unschedulable = node->unschedulable;
  } else {
    facts.node_ready = node->ready;
    facts.node_ready_reason = node->ready_reason;
    facts.node_unschedulable = node->unschedulable;
  }
}

Result<bool> KubernetesRestartAction::RestartHappened(const Target& target,
                                                      const std::string& intent_timestamp) {
  auto d = kube_.GetDeployment(target.namespace_, target.deployment);
  if (!d.ok()) {
    return Result<bool>::Error("cannot read deployment " + target.Key() + ": " +
                               Describe(d.status));
  }
  return d->restarted_at == intent_timestamp;
}

}  // namespace fhc::remediator
