#pragma once
// RESTART_ACTION=kubernetes: restarts the Deployment exactly as `kubectl rollout restart` does
// (strategic-merge PATCH of the pod template's kubectl.kubernetes.io/restartedAt, refused for a
// paused deployment) under our own field manager, and follows the rollout like
// `kubectl rollout status`. Facts come from the Frigate pod, its node and the deployment.
#include <string>

#include "common/clock/clock.h"
#include "common/kube/kube_client.h"
#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

inline constexpr char kFieldManager[] = "frigate-remediator";

class KubernetesRestartAction final : public RestartAction {
 public:
  // pod_selector: POD_LABEL_SELECTOR, an override; empty (the default): each target's pods are
  // found by its own Deployment's spec.selector. container: FRIGATE_CONTAINER; empty: the
  // container named like the deployment, else the one named "frigate" (the official chart
  // names it after the chart). Never "the first container": the kubelet sorts statuses by name.
  KubernetesRestartAction(kube::Client& kube, std::string pod_selector, std::string container);

  std::string name() const override { return "kubernetes"; }
  bool uses_kubernetes() const override { return true; }
  Result<RestartReceipt> Restart(const Target& target, WallTime now) override;
  // Recovered when the deployment still carries our restartedAt and the rollout is complete
  // (observedGeneration >= generation, all replicas updated and available).
  Result<RecoveryStatus> CheckRecovery(const Target& target,
                                       const RestartReceipt& receipt) override;
  // The deployment first (paused, rollout, its selector), then the newest running pod it
  // selects, Frigate's container in it and the pod's node. Whatever cannot be found is absent
  // with its *_error (pod_error when no pod), so the gates that need it fail closed.
  Result<TargetFacts> GatherFacts(const Target& target) override;
  // True when the deployment's restartedAt equals the intent timestamp.
  Result<bool> RestartHappened(const Target& target, const std::string& intent_timestamp) override;

 private:
  void GatherPodFacts(const kube::PodInfo& pod, const Target& target, TargetFacts& facts);

  kube::Client& kube_;
  std::string pod_selector_;
  std::string container_;
};

}  // namespace fhc::remediator
