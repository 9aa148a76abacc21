#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// No restart while Frigate is younger than STARTUP_GRACE_PERIOD_SECONDS: Frigate's own start
// takes minutes and looks unhealthy meanwhile; without this gate the old tool restarted Frigate
// in a loop.
//
// When Frigate's start time cannot be found out the gate passes, with a note. Failing closed
// would block forever in exactly the case a restart exists for: a Frigate whose API does not
// answer (api_unresponsive) cannot report its uptime, and outside Kubernetes there is no
// container start time to fall back on. The circuit breaker still bounds the restarts.
class StartupGraceGate final : public Gate {
 public:
  const char* Name() const override { return "startup_grace"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
