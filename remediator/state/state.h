#pragma once
// The remediator's persistent state: everything a decision needs to survive a restart of the
// remediator itself. Plain data; the codec (state_codec.h) gives it a versioned JSON form and the
// decision engine (remediator/decision) is the only writer of its rules.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock/clock.h"
#include "remediator/state/verdict.h"
#include "remediator/target/target.h"

namespace fhc::remediator {

inline constexpr int kStateSchema = 1;
// Bounds that keep the state small enough for a ConfigMap (1 MiB) whatever happens.
inline constexpr std::size_t kMaxDecisions = 50;
inline constexpr std::size_t kMaxEmailsSent = 100;
inline constexpr std::size_t kMaxOutbox = 50;
inline constexpr std::size_t kMaxTrackedAlerts = 30;
inline constexpr auto kRestartHistory = std::chrono::hours(24);

// An alert as last received, with what a mail needs to explain it.
struct TrackedAlert {
  std::string fingerprint;
  std::string alertname;
  std::optional<WallTime> starts_at;
  WallTime last_seen{};
  std::string generator_url;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  bool operator==(const TrackedAlert&) const = default;
};

struct Incident {
  std::string id;  // stable and unique per target, e.g. "nvr/frigate@1795848044"
  WallTime started_at{};
  std::optional<WallTime> closed_at;
  bool open = true;
  std::vector<std::string> reasons;  // distinct reasons seen during the incident, in order
  // Every remediable alert seen during the incident (latest copy per fingerprint), so the
  // "recovered" mail can still say what was wrong after the alerts are gone from `firing`.
  std::vector<TrackedAlert> alerts;
  // Restarts completed (ok or failed) during the incident, and when the last one was decided.
  // The incident outlives a restart that only interrupted its alerts (see
  // DecisionSettings::incident_reopen), so these count restarts that did not clear the fault.
  int restarts = 0;
  std::optional<WallTime> last_restart_at;
  // Set when restarts stopped because they were not helping (ESCALATE_AFTER_RESTARTS).
  std::optional<WallTime> escalated_at;
  bool operator==(const Incident&) const = default;
};

// Write-ahead record of a restart about to run: stored before the action, so a crash of the
// remediator between "decided" and "done" neither restarts twice nor loses the restart time.
struct RestartIntent {
  std::string id;  // e.g. "nvr/frigate@1795848044.425"
  WallTime at{};
  std::string action;  // "kubernetes" | "frigate-api" | "dry-run"
  std::string incident_id;
  bool operator==(const RestartIntent&) const = default;
};

struct DecisionRecord {
  std::string id;
  WallTime at{};
  std::string outcome;  // see decision/decision.h: restart|blocked|waiting|none|restarted|...
  std::string gate;     // the blocking gate, "" when none blocked
  std::string incident_id;
  std::string detail;
  std::vector<Verdict> verdicts;
  bool operator==(const DecisionRecord&) const = default;
};

// A composed mail waiting to be sent (or retried). Composition is pure (remediator/mail);
// sending belongs to the mail sender, which updates attempts/next_attempt_at/last_error.
struct OutboxMail {
  std::string id;      // the dedup key, e.g. "nvr/frigate@1795848044:restarted"
  std::string target;  // "namespace/deployment"
  std::string subject;
  std::string body;  // UTF-8 plain text
  std::string to;
  std::string from;
  std::map<std::string, std::string> headers;
  WallTime queued_at{};
  int attempts = 0;
  WallTime next_attempt_at{};
  std::string last_error;
  bool operator==(const OutboxMail&) const = default;
};

struct TargetState {
  Target target;
  int consecutive_failures = 0;
  std::optional<WallTime> last_observation_at;
  std::vector<TrackedAlert> firing;       // firing alerts with remediate="restart"
  std::vector<TrackedAlert> diagnostics;  // other firing alerts of the target
  std::optional<Incident> incident;       // the open one, or the last closed one
  std::vector<WallTime> restart_times;    // oldest first, last 24 h
  std::optional<RestartIntent> pending;
  std::vector<DecisionRecord> decisions;  // oldest first, at most kMaxDecisions
  std::vector<std::string> emails_sent;   // dedup keys, oldest first, at most kMaxEmailsSent
  std::string alertmanager_url;           // externalURL of the last notification
  bool operator==(const TargetState&) const = default;
};

struct State {
  int schema = kStateSchema;
  std::map<std::string, TargetState> targets;  // by Target::Key()
  std::vector<OutboxMail> outbox;              // oldest first
  // Notifications' alerts for targets outside ALLOWED_TARGETS, by "namespace/deployment".
  std::map<std::string, std::int64_t> ignored_alerts;
  // Not part of the document (the codec neither writes nor reads it): the store's note while a
  // state document it could not read is kept for a person (StoredState::unreadable_note). While
  // set, the circuit breaker of every target counts as tripped.
  std::string unreadable_hold;
  bool operator==(const State&) const = default;

  // The state of a target, created empty on first use.
  TargetState& For(const Target& target);
  const TargetState* Find(const Target& target) const;
};

// Restarts (done, plus a pending intent) within (now - window, now]; a time after now (a clock
// stepped back) counts as now.
int RestartsWithin(const TargetState& state, WallTime now, std::chrono::seconds window);
bool EmailSent(const TargetState& state, const std::string& key);
// Appends with the bounds above (oldest dropped first).
void RecordDecision(TargetState& state, DecisionRecord record);
void RecordEmailSent(TargetState& state, const std::string& key);
void PruneRestartTimes(TargetState& state, WallTime now);

}  // namespace fhc::remediator
