#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// No restart while Frigate is younger than STARTUP_GRACE_PERIOD_SECONDS: Frigate's own start
// takes minutes and looks unhealthy meanwhile; without this gate the old tool restarted Frigate
// in a loop.
//
// With Kubernetes the start is Frigate's own container's (picked by name, never the pod's first
// container: a sidecar up for days must not hide a Frigate the kubelet restarted a minute ago).
// No pod, no such container, or a container that is not running blocks (fail closed).
//
// Without Kubernetes (RESTART_ACTION=frigate-api) an unknown start time passes, with a note.
// Failing closed would block forever in exactly the case a restart exists for: a Frigate whose
// API does not answer (api_unresponsive) cannot report its uptime, and there is no container
// start time to fall back on. The circuit breaker still bounds the restarts.
class StartupGraceGate final : public Gate {
 public:
  const char* Name() const override { return "startup_grace"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
