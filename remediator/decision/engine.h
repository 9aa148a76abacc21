#pragma once
// The remediator's decisions, pure: state, notification, facts and time in; new state, verdicts
// and mails to send out. No I/O, no clock: the caller owns both.
//
// How the program drives it, per webhook:
//   1. r = engine.Observe(state, notification, now)        -> alerts tracked, observations counted
//   2. for t in r.need_decision:
//        facts = engine.NeedsFacts(state, t, now) ? Gather(t) : nullptr   (Kubernetes/Frigate API)
//        d = engine.Decide(state, t, facts, now)          -> on d.restart() state.pending is set
//   3. compose r.mails + d.mails (remediator/mail), store the state   (write-ahead)
//   4. for a restart: run the action, then engine.CompleteRestart(state, t, d.intent->id, ...),
//      compose its mails, store the state again.
// At start, for each target with state.pending: engine.Recover(state, t, evidence, now).
//
// Every function mutates `state` in place; a caller that needs all-or-nothing works on a copy
// and stores it before replacing its own.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "remediator/decision/decision_settings.h"
#include "remediator/gates/gate_list.h"
#include "remediator/state/state.h"
#include "remediator/webhook/notification.h"

namespace fhc::remediator {

enum class DecisionOutcome {
  kNone,     // nothing to decide: no firing remediable alert, or a restart already pending
  kWaiting,  // only the consecutive-failures gate holds the restart back
  kBlocked,  // another gate blocks
  kRestart,  // all gates pass: a restart intent was recorded, run the action now
};
const char* DecisionOutcomeName(DecisionOutcome outcome);  // "none"|"waiting"|"blocked"|"restart"

enum class MailKind { kRestarted, kRestartFailed, kBlocked, kRecovered, kEscalated };
// "restarted"|"restart_failed"|"blocked"|"recovered"|"escalated"
const char* MailKindName(MailKind kind);

// A mail the engine wants sent. Already recorded as sent in the target's emails_sent (so it is
// asked for once); the caller composes it and puts it in the outbox in the same state write.
struct MailRequest {
  Target target;
  MailKind kind = MailKind::kBlocked;
  std::string incident_id;
  std::string gate;         // the blocking gate, for kBlocked
  std::string key;          // dedup key, "<incident id>:<kind>[:<gate>]"; also the outbox id
  std::string decision_id;  // the decision record the mail reports
  std::string detail;       // e.g. the action's error for kRestartFailed
};

struct ObservationResult {
  std::vector<Target> touched;        // allowed targets whose state this notification changed
  std::vector<Target> counted;        // allowed targets for which an observation was counted
  std::vector<Target> need_decision;  // counted and no restart pending: call Decide
  std::vector<Target> recovered;      // targets whose incident closed (all remediable resolved)
  std::vector<Target> ignored;        // targets outside ALLOWED_TARGETS
  int ignored_alerts = 0;
  std::vector<MailRequest> mails;
  // What the state's bounds cut from the notification's alerts, by kind (state_bounds.h).
  std::map<std::string, std::size_t> dropped;
};

struct Decision {
  Target target;
  std::string id;
  DecisionOutcome outcome = DecisionOutcome::kNone;
  std::string gate;  // the first blocking gate ("" unless waiting/blocked)
  std::vector<Verdict> verdicts;
  std::optional<RestartIntent> intent;  // set iff outcome == kRestart; also in state.pending
  std::vector<MailRequest> mails;
  std::string detail;
  bool restart() const { return outcome == DecisionOutcome::kRestart; }
};

struct RestartResult {
  bool ok = false;
  std::string detail;  // what the action reported, e.g. "rollout complete" or an API error
};

// What the program found out about a restart left pending by a previous run.
enum class RestartEvidence {
  kHappened,      // e.g. restartedAt annotation equals the intent's time, or Frigate's uptime is
                  // shorter than the time since the intent
  kDidNotHappen,  // e.g. annotation older than the intent and Frigate up since before it
  kUnknown,       // could not tell
};

struct CompletionResult {
  bool matched = false;  // false: no pending intent with that id (nothing changed)
  std::vector<MailRequest> mails;
};

class Engine {
 public:
  explicit Engine(DecisionSettings settings, GateList gates = DefaultGates());

  const DecisionSettings& settings() const { return settings_; }

  // Every (outcome, gate) pair Decide can record, so decision counters can start at 0 and
  // increase() sees the first decision of each kind.
  std::vector<std::pair<std::string, std::string>> DecisionLabelSets() const;

  // Tracks the notification's alerts per target and counts observations (see DESIGN.md):
  // only alerts with label remediate="restart" count, others are kept as diagnostics; an
  // observation is a notification with at least one firing remediable alert of the target,
  // counted at most once per observation interval; all remediable alerts resolved resets the
  // count and closes the incident. Targets outside ALLOWED_TARGETS are only counted as ignored.
  ObservationResult Observe(State& state, const Notification& notification, WallTime now) const;

  // Whether Decide for `target` would read facts: true when every gate that needs no facts
  // passes. When false, Decide may be called with facts = nullptr.
  bool NeedsFacts(const State& state, const Target& target, WallTime now) const;

  // Runs every gate in order and records the decision in the target's history. On kRestart the
  // restart intent is stored in state (write-ahead) before the caller acts. A "blocked" mail is
  // asked for once per incident and gate.
  // Escalation: once the open incident has had escalate_after_restarts restarts and its alerts
  // still fire, the circuit breaker blocks for the rest of the incident (reason "escalated: ...")
  // and an "escalated" mail (restarts are not helping; what to check) is asked for once.
  Decision Decide(State& state, const Target& target, const TargetFacts* facts, WallTime now) const;

  // The action for intent `intent_id` finished: records the restart time (at the intent's time,
  // also when the action failed: an attempt that hammers a failing API must count toward the
  // circuit breaker) and counts it in its incident, clears the intent, resets the failure count
  // and asks for the "restarted" (or "restart_failed") mail: one per restart.
  CompletionResult CompleteRestart(State& state, const Target& target, const std::string& intent_id,
                                   const RestartResult& result, WallTime now) const;

  // At start, for a target whose state holds a pending intent: kHappened completes it,
  // kUnknown completes it too (assuming it happened never restarts twice and keeps the circuit
  // breaker honest), kDidNotHappen drops it so the next observation decides afresh.
  CompletionResult Recover(State& state, const Target& target, RestartEvidence evidence,
                           WallTime now) const;

  // For the frigate_remediator_circuit_open gauge.
  bool CircuitOpen(const State& state, const Target& target, WallTime now) const;

 private:
  DecisionSettings settings_;
  GateList gates_;
};

// The reason an alert stands for: its `reason` label (alerts are per reason), else its name.
std::string AlertReason(const TrackedAlert& alert);

}  // namespace fhc::remediator
