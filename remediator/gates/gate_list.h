#pragma once
// The ordered list of restart gates and how it is walked.
#include <memory>
#include <vector>

#include "remediator/gates/gate.h"

namespace fhc::remediator {

using GateList = std::vector<std::unique_ptr<Gate>>;

// The gates in DESIGN order. Adding a gate: one class in its own file, one line here.
GateList DefaultGates();

// True when every gate that needs no facts passes (or is not applicable): only then are the
// facts worth their API calls.
bool FactsNeeded(const GateList& gates, const GateContext& ctx_without_facts);

// Every gate's verdict, in order. When ctx.facts is null, gates that need facts are recorded as
// not_applicable ("not checked") if a fact-free gate blocks, and block otherwise (fail closed).
std::vector<Verdict> EvaluateGates(const GateList& gates, const GateContext& ctx);

// The first blocking verdict, or null when the restart may go ahead.
const Verdict* FirstBlock(const std::vector<Verdict>& verdicts);

}  // namespace fhc::remediator
