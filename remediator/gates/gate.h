#pragma once
// A restart gate: one small object with one decision. Gates are pure: everything they may look
// at is in the GateContext, including the time.
#include <chrono>

#include "common/clock/clock.h"
#include "remediator/state/state.h"
#include "remediator/state/verdict.h"
#include "remediator/target/target.h"

namespace fhc::remediator {

struct GateSettings {
  int consecutive_failures_required = 2;    // CONSECUTIVE_FAILURES_REQUIRED
  std::chrono::seconds startup_grace{600};  // STARTUP_GRACE_PERIOD_SECONDS
  int max_restarts_per_hour = 2;            // MAX_RESTARTS_PER_HOUR
  // The circuit breaker's sliding window: an hour, shortened only to compress time in tests and
  // demos (CIRCUIT_WINDOW_SECONDS).
  std::chrono::seconds circuit_window{3600};
};

struct GateContext {
  WallTime now;
  const TargetState& state;
  // Null when facts were not gathered (they cost API calls and are fetched only when no
  // fact-free gate blocks). A gate with NeedsFacts() is never asked to Decide without them.
  const TargetFacts* facts;
  const GateSettings& settings;
};

class Gate {
 public:
  virtual ~Gate() = default;
  // Stable snake_case name: metrics label, state history, mail.
  virtual const char* Name() const = 0;
  // Whether Decide reads ctx.facts.
  virtual bool NeedsFacts() const { return false; }
  // The verdict for this gate alone; its gate field is Name().
  virtual Verdict Decide(const GateContext& ctx) const = 0;
};

// Helpers for gates' verdicts.
inline Verdict Pass(const Gate& g, std::string reason) {
  return Verdict{g.Name(), GateOutcome::kPass, std::move(reason)};
}
inline Verdict Block(const Gate& g, std::string reason) {
  return Verdict{g.Name(), GateOutcome::kBlock, std::move(reason)};
}
inline Verdict NotApplicable(const Gate& g, std::string reason) {
  return Verdict{g.Name(), GateOutcome::kNotApplicable, std::move(reason)};
}

}  // namespace fhc::remediator
