#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// At most MAX_RESTARTS_PER_HOUR restarts in any sliding hour, counting a pending (write-ahead)
// restart: when restarts do not help (a missing Coral), restarting more only hides the cause.
class CircuitBreakerGate final : public Gate {
 public:
  const char* Name() const override { return "circuit_breaker"; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
