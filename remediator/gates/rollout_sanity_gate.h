#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// The deployment must not be paused (someone is working on it) and no rollout may be under way
// (ours or anyone's: a second restart on top of one rolling out only resets it). Unknown
// deployment state blocks. Not applicable when the restart action does not use Kubernetes.
class RolloutSanityGate final : public Gate {
 public:
  const char* Name() const override { return "rollout_sanity"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
