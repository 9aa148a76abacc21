#pragma once
// A gate's verdict as decisions record and store it. Lives with the state because every
// decision in the history keeps the verdicts of all gates.
#include <string>

namespace fhc::remediator {

enum class GateOutcome { kPass, kBlock, kNotApplicable };
const char* GateOutcomeName(GateOutcome outcome);  // "pass" | "block" | "not_applicable"
bool ParseGateOutcome(const std::string& text, GateOutcome* out);

struct Verdict {
  std::string gate;  // e.g. "circuit_breaker"
  GateOutcome outcome = GateOutcome::kNotApplicable;
  std::string reason;  // one readable sentence, e.g. "2 restarts in the last hour (limit 2)"
  bool operator==(const Verdict&) const = default;
};

}  // namespace fhc::remediator
