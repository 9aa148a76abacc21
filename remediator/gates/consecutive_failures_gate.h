#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// A restart needs CONSECUTIVE_FAILURES_REQUIRED counted observations in a row, so one bad
// scrape or one flapping alert never restarts Frigate.
class ConsecutiveFailuresGate final : public Gate {
 public:
  const char* Name() const override { return "consecutive_failures"; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
