#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// The deployment must not be paused (someone is working on it) and no rollout may be under way
// (ours or anyone's: a second restart on top of one rolling out only resets it), nor have failed
// (ProgressDeadlineExceeded: another rollout on top of a stuck one needs a person first). A
// rollout is judged by generations, updated replicas, old ReplicaSets and the Progressing
// condition (kube::RolloutStatus), never by availability alone: a hung Frigate failing its
// readiness probe is unavailable and is exactly what a restart is for. Unknown deployment state
// blocks. Not applicable when the restart action does not use Kubernetes.
class RolloutSanityGate final : public Gate {
 public:
  const char* Name() const override { return "rollout_sanity"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
