#include "remediator/gates/consecutive_failures_gate.h"

#include <string>

namespace fhc::remediator {

Verdict ConsecutiveFailuresGate::Decide(const GateContext& ctx) const {
  const int have = ctx.state.consecutive_failures;
  const int need = ctx.settings.consecutive_failures_required;
  const std::string counts =
      std::to_string(have) + " of " + std::to_string(need) + " consecutive failed observations";
  if (have >= need) return Pass(*this, counts);
  return Block(*this, counts + "; waiting for the next observation");
}

}  // namespace fhc::remediator
