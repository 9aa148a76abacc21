#include "remediator/gates/circuit_breaker_gate.h"

#include <algorithm>
#include <string>

namespace fhc::remediator {

Verdict CircuitBreakerGate::Decide(const GateContext& ctx) const {
  const auto kHour = ctx.settings.circuit_window;
  const int recent = RestartsWithin(ctx.state, ctx.now, kHour);
  const int limit = ctx.settings.max_restarts_per_hour;
  const std::string counts =
      std::to_string(recent) + " restart(s) in the last hour (limit " + std::to_string(limit) + ")";
  if (recent < limit) return Pass(*this, counts);
  // The circuit closes again when the oldest restart inside the window leaves it.
  // A restart time after now (the clock was stepped back) counts as now, as in RestartsWithin.
  WallTime oldest = ctx.now;
  for (WallTime t : ctx.state.restart_times) {
    if (t > ctx.now - kHour) oldest = std::min(oldest, t);
  }
  if (ctx.state.pending && ctx.state.pending->at > ctx.now - kHour) {
    oldest = std::min(oldest, ctx.state.pending->at);
  }
  const auto reopen =
      std::chrono::duration_cast<std::chrono::seconds>(oldest + kHour - ctx.now).count();
  return Block(*this, counts + "; circuit open, next restart possible in " +
                          std::to_string(std::max<long long>(0, reopen)) + " s");
}

}  // namespace fhc::remediator
