#include "remediator/decision/engine.h"

#include <algorithm>

#include "remediator/state/state_bounds.h"
#include "remediator/state/state_codec.h"

namespace fhc::remediator {

const char* DecisionOutcomeName(DecisionOutcome outcome) {
  switch (outcome) {
    case DecisionOutcome::kNone:
      return "none";
    case DecisionOutcome::kWaiting:
      return "waiting";
    case DecisionOutcome::kBlocked:
      return "blocked";
    case DecisionOutcome::kRestart:
      return "restart";
  }
  return "none";
}

const char* MailKindName(MailKind kind) {
  switch (kind) {
    case MailKind::kRestarted:
      return "restarted";
    case MailKind::kRestartFailed:
      return "restart_failed";
    case MailKind::kBlocked:
      return "blocked";
    case MailKind::kRecovered:
      return "recovered";
    case MailKind::kEscalated:
      return "escalated";
  }
  return "blocked";
}

std::string AlertReason(const TrackedAlert& alert) {
  const auto it = alert.labels.find("reason");
  if (it != alert.labels.end() && !it->second.empty()) return it->second;
  return alert.alertname;
}

namespace {

// Unique per target and millisecond; readable in the state and in mails.
std::string IdAt(const Target& target, WallTime now) {
  return target.Key() + "@" + FormatStateTime(now);
}

// The exporter's target labels first (TARGET_LABELS: frigate_namespace, frigate_deployment, which
// no scrape overwrites); then namespace/deployment, which rules written for older exporters
// carry; then the configured target. Each part is taken from the first of its labels that is set.
Target TargetOf(const Alert& alert, const Target& fallback) {
  struct Part {
    std::string Target::*field;
    const char* labels[2];
  };
  static const Part kParts[] = {
      {&Target::namespace_, {"frigate_namespace", "namespace"}},
      {&Target::deployment, {"frigate_deployment", "deployment"}},
  };
  Target t = fallback;
  for (const Part& part : kParts) {
    for (const char* label : part.labels) {
      if (const auto& v = alert.Label(label); !v.empty()) {
        t.*part.field = v;
        break;
      }
    }
  }
  return t;
}

template <typename T>
void AddUnique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// Keeps the stored state small whatever the rules put in their labels and annotations (the
// state must fit a ConfigMap): see BoundAlert.
TrackedAlert Track(const Alert& a, WallTime now, Dropped& dropped) {
  TrackedAlert t;
  t.fingerprint = a.fingerprint;
  t.alertname = a.Name();
  t.starts_at = a.starts_at;
  t.last_seen = now;
  t.generator_url = a.generator_url;
  t.labels = a.labels;
  t.annotations = a.annotations;
  BoundAlert(t, dropped);
  return t;
}

bool Erase(std::vector<TrackedAlert>& list, const std::string& fingerprint) {
  return std::erase_if(list, [&](const TrackedAlert& x) { return x.fingerprint == fingerprint; }) >
         0;
}

// Replaces the entry with the same fingerprint or appends; the list stays bounded by dropping
// the alert seen longest ago. An identical copy seen again within `resolution` changes nothing:
// last_seen only orders evictions and informs people, and leaving it alone lets Alertmanager's
// duplicates and HA double deliveries leave the stored state untouched (no store write each).
void Upsert(std::vector<TrackedAlert>& list, TrackedAlert alert, std::chrono::seconds resolution) {
  for (auto& x : list) {
    if (x.fingerprint == alert.fingerprint) {
      if (alert.last_seen - x.last_seen < resolution) {
        TrackedAlert same_time = alert;
        same_time.last_seen = x.last_seen;
        if (same_time == x) return;
      }
      x = std::move(alert);
      return;
    }
  }
  list.push_back(std::move(alert));
  if (list.size() > kMaxTrackedAlerts) {
    list.erase(std::min_element(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.last_seen < b.last_seen;
    }));
  }
}

bool IsRemediable(const Alert& a) { return a.Label("remediate") == "restart"; }

// Whether restarts of the target's open incident stopped helping (see Engine::Decide).
bool Escalated(const TargetState& ts, const DecisionSettings& settings) {
  if (!ts.incident || !ts.incident->open) return false;
  return ts.incident->escalated_at.has_value() ||
         (settings.escalate_after_restarts > 0 &&
          ts.incident->restarts >= settings.escalate_after_restarts);
}

// Why the circuit breaker is held open beyond what its gate counts, or "" when it is not: a
// state document the remediator could not read is kept for a person (restart history unknown),
// or the incident's restarts are not helping.
std::string BreakerHold(const State& state, const TargetState& ts,
                        const DecisionSettings& settings) {
  if (!state.unreadable_hold.empty()) return "restarts held: " + state.unreadable_hold;
  if (Escalated(ts, settings)) {
    return "escalated: " + std::to_string(ts.incident->restarts) +
           " restart(s) in this incident did not clear it (ESCALATE_AFTER_RESTARTS=" +
           std::to_string(settings.escalate_after_restarts) +
           "); no more restarts until its alerts have stayed resolved for " +
           std::to_string(settings.incident_reopen.count()) + " s";
  }
  return "";
}

// The circuit breaker's verdict becomes a block with `reason` (added when no such gate ran).
void HoldBreaker(std::vector<Verdict>& verdicts, const std::string& reason) {
  for (auto& v : verdicts) {
    if (v.gate == "circuit_breaker") {
      v.outcome = GateOutcome::kBlock;
      v.reason = reason;
      return;
    }
  }
  verdicts.push_back(Verdict{"circuit_breaker", GateOutcome::kBlock, reason});
}

// Asks for a mail once: records its key and returns the request, or nothing if already asked.
std::optional<MailRequest> RequestMail(TargetState& ts, MailKind kind, const std::string& gate,
                                       const std::string& decision_id, std::string detail,
                                       const std::string& key_suffix = "") {
  if (!ts.incident) return std::nullopt;
  std::string key = ts.incident->id + ":" + MailKindName(kind);
  if (!gate.empty()) key += ":" + gate;
  if (!key_suffix.empty()) key += ":" + key_suffix;
  if (EmailSent(ts, key)) return std::nullopt;
  RecordEmailSent(ts, key);
  return MailRequest{ts.target,      kind,        ts.incident->id,  gate,
                     std::move(key), decision_id, std::move(detail)};
}

bool IncidentWasMailed(const TargetState& ts) {
  const std::string prefix = ts.incident->id + ":";
  return std::any_of(ts.emails_sent.begin(), ts.emails_sent.end(),
                     [&](const std::string& k) { return k.starts_with(prefix); });
}

// All remediable alerts of the target are gone: the streak ends and the incident closes.
void EndEpisode(TargetState& ts, WallTime now, ObservationResult& result) {
  ts.consecutive_failures = 0;
  ts.last_observation_at.reset();
  if (!ts.incident || !ts.incident->open) return;
  ts.incident->open = false;
  ts.incident->closed_at = now;
  result.recovered.push_back(ts.target);
  // "Recovered" answers an earlier mail; an incident nobody was told about (it healed while
  // the count was still below the threshold) ends silently.
  if (IncidentWasMailed(ts)) {
    if (auto m = RequestMail(ts, MailKind::kRecovered, "", "", "")) {
      result.mails.push_back(std::move(*m));
    }
  }
}

}  // namespace

Engine::Engine(DecisionSettings settings, GateList gates)
    : settings_(std::move(settings)), gates_(std::move(gates)) {}

std::vector<std::pair<std::string, std::string>> Engine::DecisionLabelSets() const {
  std::vector<std::pair<std::string, std::string>> out{
      {DecisionOutcomeName(DecisionOutcome::kNone), ""},
      {DecisionOutcomeName(DecisionOutcome::kRestart), ""}};
  for (const auto& gate : gates_) {
    const std::string name = gate->Name();
    // As Decide: the consecutive-failures gate makes the outcome "waiting", any other "blocked".
    const DecisionOutcome outcome =
        name == "consecutive_failures" ? DecisionOutcome::kWaiting : DecisionOutcome::kBlocked;
    out.emplace_back(DecisionOutcomeName(outcome), name);
  }
  return out;
}

ObservationResult Engine::Observe(State& state, const Notification& n, WallTime now) const {
  ObservationResult result;
  // Alerts grouped by target, in the order targets first appear.
  std::vector<std::pair<Target, std::vector<const Alert*>>> groups;
  for (const Alert& a : n.alerts) {
    const Target t = TargetOf(a, settings_.default_target);
    if (!settings_.Allowed(t)) {
      // Label values come from outside: the per-target tally is bounded, the rest is lumped.
      constexpr std::size_t kMaxIgnoredTargets = 50;
      const bool known = state.ignored_alerts.count(t.Key()) > 0;
      ++state.ignored_alerts[known || state.ignored_alerts.size() < kMaxIgnoredTargets
                                 ? t.Key()
                                 : std::string("(other)")];
      ++result.ignored_alerts;
      AddUnique(result.ignored, t);
      continue;
    }
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == t; });
    if (it == groups.end()) it = groups.insert(groups.end(), {t, {}});
    it->second.push_back(&a);
  }

  for (const auto& [target, alerts] : groups) {
    TargetState& ts = state.For(target);
    result.touched.push_back(target);
    if (!n.external_url.empty()) ts.alertmanager_url = n.external_url;

    // A firing alert whose startsAt differs from the one tracked under its fingerprint is a new
    // episode: the end of the previous one never arrived (send_resolved off, a lost delivery).
    // The old episode counts as resolved, so its streak does not carry over into the new one.
    bool missed_resolution = false;
    for (const Alert* a : alerts) {
      if (a->status != AlertStatus::kFiring || !IsRemediable(*a) || !a->starts_at) continue;
      missed_resolution |=
          std::erase_if(ts.firing, [&](const TrackedAlert& t) {
            return t.fingerprint == a->fingerprint && t.starts_at && *t.starts_at != *a->starts_at;
          }) > 0;
    }
    if (missed_resolution && ts.firing.empty()) EndEpisode(ts, now, result);

    std::vector<TrackedAlert> firing_now;  // remediable alerts firing in this notification
    bool resolved_remediable = false;
    for (const Alert* a : alerts) {
      const bool remediable = IsRemediable(*a);
      if (a->status == AlertStatus::kFiring) {
        TrackedAlert t = Track(*a, now, result.dropped);
        Erase(remediable ? ts.diagnostics : ts.firing, a->fingerprint);
        if (remediable) firing_now.push_back(t);
        Upsert(remediable ? ts.firing : ts.diagnostics, std::move(t),
               settings_.observation_interval);
      } else {
        Erase(ts.diagnostics, a->fingerprint);
        if (Erase(ts.firing, a->fingerprint) || remediable) resolved_remediable = true;
      }
    }

    if (!firing_now.empty()) {
      if (ts.incident && !ts.incident->open && ts.incident->restarts > 0 &&
          ts.incident->closed_at && now - *ts.incident->closed_at < settings_.incident_reopen) {
        // Back soon after it cleared: the restart interrupted the alerts, the fault stayed. The
        // same incident goes on (its restarts keep counting); its final recovery is mailed again.
        ts.incident->open = true;
        ts.incident->closed_at.reset();
        std::erase(ts.emails_sent, ts.incident->id + ":" + MailKindName(MailKind::kRecovered));
        ts.consecutive_failures = 0;
        ts.last_observation_at.reset();
      } else if (!ts.incident || !ts.incident->open) {
        Incident incident;
        incident.id = IdAt(target, now);
        incident.started_at = now;
        ts.incident = std::move(incident);
        ts.consecutive_failures = 0;
        ts.last_observation_at.reset();
      }
      for (const TrackedAlert& t : firing_now) {
        if (ts.incident->reasons.size() < 20) AddUnique(ts.incident->reasons, AlertReason(t));
        Upsert(ts.incident->alerts, t, settings_.observation_interval);
      }
      // Alertmanager re-sends, HA replicas deliver twice, several groups fire at once: within
      // one interval all of that is one observation.
      if (!ts.last_observation_at ||
          now - *ts.last_observation_at >= settings_.observation_interval) {
        ++ts.consecutive_failures;
        ts.last_observation_at = now;
        result.counted.push_back(target);
        if (!ts.pending) result.need_decision.push_back(target);
      }
    } else if (ts.firing.empty() && (resolved_remediable || ts.consecutive_failures > 0 ||
                                     (ts.incident && ts.incident->open))) {
      EndEpisode(ts, now, result);
    }
  }
  return result;
}

bool Engine::NeedsFacts(const State& state, const Target& target, WallTime now) const {
  const TargetState* found = state.Find(target);
  const TargetState empty;
  const GateContext ctx{now, found ? *found : empty, nullptr, settings_.gates};
  return FactsNeeded(gates_, ctx);
}

Decision Engine::Decide(State& state, const Target& target, const TargetFacts* facts,
                        WallTime now) const {
  TargetState& ts = state.For(target);
  Decision d;
  d.target = target;
  d.id = IdAt(target, now);
  if (ts.pending) {
    d.detail = "restart " + ts.pending->id + " is still pending";
    return d;
  }
  if (ts.firing.empty()) {
    d.detail = "no firing alert with remediate=\"restart\"";
    return d;
  }
  d.verdicts = EvaluateGates(gates_, GateContext{now, ts, facts, settings_.gates});
  const std::string hold = BreakerHold(state, ts, settings_);
  if (!hold.empty()) HoldBreaker(d.verdicts, hold);
  const std::string incident_id = ts.incident ? ts.incident->id : "";
  if (const Verdict* block = FirstBlock(d.verdicts)) {
    d.gate = block->gate;
    d.detail = block->reason;
    if (block->gate == "consecutive_failures") {
      d.outcome = DecisionOutcome::kWaiting;
    } else {
      d.outcome = DecisionOutcome::kBlocked;
      if (block->gate == "circuit_breaker" && Escalated(ts, settings_) &&
          state.unreadable_hold.empty()) {
        if (!ts.incident->escalated_at) ts.incident->escalated_at = now;
        if (auto m = RequestMail(ts, MailKind::kEscalated, "", d.id, block->reason)) {
          d.mails.push_back(std::move(*m));
        }
      } else if (auto m = RequestMail(ts, MailKind::kBlocked, block->gate, d.id, block->reason)) {
        d.mails.push_back(std::move(*m));
      }
    }
  } else {
    d.outcome = DecisionOutcome::kRestart;
    d.intent = RestartIntent{d.id, now, settings_.action, incident_id};
    ts.pending = d.intent;
    d.detail = "all gates pass; restarting with action " + settings_.action;
  }
  RecordDecision(ts, DecisionRecord{d.id, now, DecisionOutcomeName(d.outcome), d.gate, incident_id,
                                    d.detail, d.verdicts});
  return d;
}

CompletionResult Engine::CompleteRestart(State& state, const Target& target,
                                         const std::string& intent_id, const RestartResult& result,
                                         WallTime now) const {
  CompletionResult out;
  TargetState& ts = state.For(target);
  if (!ts.pending || ts.pending->id != intent_id) return out;
  out.matched = true;
  const RestartIntent intent = *ts.pending;
  ts.pending.reset();
  ts.restart_times.push_back(intent.at);
  PruneRestartTimes(ts, now);
  ts.consecutive_failures = 0;
  int nth = 1;  // the restart's number within its incident
  if (ts.incident && ts.incident->id == intent.incident_id) {
    nth = ++ts.incident->restarts;
    ts.incident->last_restart_at = intent.at;
  }

  const std::string outcome = result.ok ? "restarted" : "restart_failed";
  std::string detail = result.detail.empty() ? outcome : result.detail;
  std::vector<Verdict> verdicts;
  for (auto it = ts.decisions.rbegin(); it != ts.decisions.rend(); ++it) {
    if (it->id == intent.id) {
      verdicts = it->verdicts;
      break;
    }
  }
  const std::string record_id = intent.id + "/done";
  RecordDecision(ts, DecisionRecord{record_id, now, outcome, "", intent.incident_id, detail,
                                    std::move(verdicts)});
  // Every restart is mailed: the first of an incident under "<incident>:restarted", later ones
  // with their number.
  if (auto m = RequestMail(ts, result.ok ? MailKind::kRestarted : MailKind::kRestartFailed, "",
                           record_id, detail, nth > 1 ? std::to_string(nth) : "")) {
    out.mails.push_back(std::move(*m));
  }
  // The alerts resolved while the action was still watching Frigate come back (its downtime
  // ends them): the incident closed before anyone was mailed, so its "recovered" mail was not
  // asked for then. Ask now, after the mail that it answers.
  if (ts.incident && !ts.incident->open && ts.incident->id == intent.incident_id) {
    if (auto m = RequestMail(ts, MailKind::kRecovered, "", "", "")) {
      out.mails.push_back(std::move(*m));
    }
  }
  return out;
}

CompletionResult Engine::Recover(State& state, const Target& target, RestartEvidence evidence,
                                 WallTime now) const {
  TargetState& ts = state.For(target);
  if (!ts.pending) return CompletionResult{};
  const std::string id = ts.pending->id;
  switch (evidence) {
    case RestartEvidence::kHappened:
      return CompleteRestart(
          state, target, id,
          RestartResult{true, "restart confirmed after the remediator restarted"}, now);
    case RestartEvidence::kUnknown:
      return CompleteRestart(
          state, target, id,
          RestartResult{true,
                        "the remediator stopped during this restart and could not confirm it; "
                        "counted as done so Frigate is not restarted twice"},
          now);
    case RestartEvidence::kDidNotHappen:
      break;
  }
  const std::string incident_id = ts.pending->incident_id;
  ts.pending.reset();
  RecordDecision(ts, DecisionRecord{id + "/done",
                                    now,
                                    "restart_not_performed",
                                    "",
                                    incident_id,
                                    "the remediator stopped before the restart ran; the next "
                                    "observation decides again",
                                    {}});
  CompletionResult out;
  out.matched = true;
  return out;
}

bool Engine::CircuitOpen(const State& state, const Target& target, WallTime now) const {
  const TargetState* ts = state.Find(target);
  if (!state.unreadable_hold.empty() || (ts && !BreakerHold(state, *ts, settings_).empty())) {
    return true;
  }
  return ts && RestartsWithin(*ts, now, settings_.gates.circuit_window) >=
                   settings_.gates.max_restarts_per_hour;
}

}  // namespace fhc::remediator
