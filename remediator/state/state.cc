#include "remediator/state/state.h"

#include <algorithm>

namespace fhc::remediator {

const char* GateOutcomeName(GateOutcome outcome) {
  switch (outcome) {
    case GateOutcome::kPass:
      return "pass";
    case GateOutcome::kBlock:
      return "block";
    case GateOutcome::kNotApplicable:
      return "not_applicable";
  }
  return "not_applicable";
}

bool ParseGateOutcome(const std::string& text, GateOutcome* out) {
  for (GateOutcome o : {GateOutcome::kPass, GateOutcome::kBlock, GateOutcome::kNotApplicable}) {
    if (text == GateOutcomeName(o)) {
      *out = o;
      return true;
    }
  }
  return false;
}

TargetState& State::For(const Target& target) {
  auto [it, inserted] = targets.try_emplace(target.Key());
  if (inserted) it->second.target = target;
  return it->second;
}

const TargetState* State::Find(const Target& target) const {
  const auto it = targets.find(target.Key());
  return it == targets.end() ? nullptr : &it->second;
}

int RestartsWithin(const TargetState& state, WallTime now, std::chrono::seconds window) {
  const WallTime since = now - window;
  // A time after now means the clock was stepped back since it was recorded: the restart did
  // happen, and not later than now, so it counts as now (hiding it would let the breaker
  // restart again at once).
  auto inside = [&](WallTime t) { return std::min(t, now) > since; };
  int n = static_cast<int>(
      std::count_if(state.restart_times.begin(), state.restart_times.end(), inside));
  // A pending intent is a restart that may already be running: counting it keeps the circuit
  // breaker honest across a crash between "decided" and "done".
  if (state.pending && inside(state.pending->at)) ++n;
  return n;
}

bool EmailSent(const TargetState& state, const std::string& key) {
  return std::find(state.emails_sent.begin(), state.emails_sent.end(), key) !=
         state.emails_sent.end();
}

void RecordDecision(TargetState& state, DecisionRecord record) {
  state.decisions.push_back(std::move(record));
  if (state.decisions.size() > kMaxDecisions) {
    state.decisions.erase(state.decisions.begin(),
                          state.decisions.end() - static_cast<std::ptrdiff_t>(kMaxDecisions));
  }
}

void RecordEmailSent(TargetState& state, const std::string& key) {
  if (EmailSent(state, key)) return;
  state.emails_sent.push_back(key);
  if (state.emails_sent.size() > kMaxEmailsSent) {
    state.emails_sent.erase(state.emails_sent.begin(),
                            state.emails_sent.end() - static_cast<std::ptrdiff_t>(kMaxEmailsSent));
  }
}

void PruneRestartTimes(TargetState& state, WallTime now) {
  const WallTime since = now - kRestartHistory;
  std::erase_if(state.restart_times, [&](WallTime t) { return t <= since; });
  std::sort(state.restart_times.begin(), state.restart_times.end());
}

}  // namespace fhc::remediator
