#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// Frigate's container must not be in CrashLoopBackOff: the kubelet is already restarting it, and
// a rollout restart on top only starts the same failing container in a new pod (and resets the
// kubelet's back-off). Such a Frigate needs a person (its last log, its config, its devices):
// the mail says so. Read from the container's own status, so a Deployment status that still
// counts the pod as available cannot hide it. No Frigate pod or container found blocks (fail
// closed). Not applicable when the restart action does not use Kubernetes.
class CrashLoopGate final : public Gate {
 public:
  const char* Name() const override { return "crash_loop"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
