#include "remediator/mail/composer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "remediator/mail/next_steps.h"
#include "remediator/state/state_codec.h"

namespace fhc::remediator {
namespace {

std::string Duration(std::chrono::seconds d) {
  long s = static_cast<long>(std::max<long long>(0, d.count()));
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

std::string Ago(WallTime t, WallTime now) {
  return FormatStateTime(t) + " (" +
         Duration(std::chrono::duration_cast<std::chrono::seconds>(now - t)) + " ago)";
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The reasons of the incident, or of the firing alerts when there is no incident.
std::vector<std::string> Reasons(const TargetState& ts) {
  std::vector<std::string> out;
  if (ts.incident) out = ts.incident->reasons;
  for (const auto& a : ts.firing) {
    const std::string r = AlertReason(a);
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

const DecisionRecord* FindDecision(const TargetState& ts, const MailRequest& r) {
  for (auto it = ts.decisions.rbegin(); it != ts.decisions.rend(); ++it) {
    if (!r.decision_id.empty() ? it->id == r.decision_id
                               : it->incident_id == r.incident_id && !it->verdicts.empty()) {
      return &*it;
    }
  }
  return nullptr;
}

std::string WhatHappened(const MailRequest& r, const TargetState& ts, const std::string& reasons) {
  const std::string target = ts.target.Key();
  switch (r.kind) {
    case MailKind::kRestarted:
      return "Frigate (" + target + ") was restarted because of: " + reasons + ".";
    case MailKind::kRestartFailed:
      return "A restart of Frigate (" + target + ") was attempted because of: " + reasons +
             ", and it FAILED.";
    case MailKind::kBlocked:
      return "Frigate (" + target + ") is unhealthy (" + reasons + ") but was NOT restarted: the " +
             r.gate + " gate blocks the restart.";
    case MailKind::kRecovered:
      return "Frigate (" + target +
             ") has recovered: all alerts that could trigger a restart "
             "are resolved.";
    case MailKind::kEscalated:
      return "Restarts are not helping Frigate (" + target +
             "): " + std::to_string(ts.incident ? ts.incident->restarts : 0) +
             " restart(s) in this incident and it is still unhealthy (" + reasons +
             "). The remediator will NOT restart it again for this incident: a person must "
             "find the cause.";
  }
  return "";
}

std::string Subject(const MailRequest& r, const TargetState& ts, const std::string& reasons) {
  const std::string prefix = "[frigate-remediator] " + ts.target.Key() + " ";
  switch (r.kind) {
    case MailKind::kRestarted:
      return prefix + "restarted (" + reasons + ")";
    case MailKind::kRestartFailed:
      return prefix + "restart FAILED (" + reasons + ")";
    case MailKind::kBlocked:
      return prefix + "unhealthy, restart blocked by " + r.gate + " (" + reasons + ")";
    case MailKind::kRecovered:
      return prefix + "recovered (" + reasons + ")";
    case MailKind::kEscalated:
      return prefix + "restarts are not helping, escalated to you (" + reasons + ")";
  }
  return prefix;
}

void AlertBlock(std::string& out, const TrackedAlert& a, WallTime now) {
  out += "  - " + a.alertname + " (reason: " + AlertReason(a) + ")";
  if (a.starts_at) out += ", firing since " + Ago(*a.starts_at, now);
  out += "\n";
  for (const auto& [k, v] : a.annotations) out += "      " + k + ": " + v + "\n";
  std::string labels;
  for (const auto& [k, v] : a.labels) {
    if (k != "alertname") labels += (labels.empty() ? "" : ", ") + k + "=" + v;
  }
  if (!labels.empty()) out += "      labels: " + labels + "\n";
}

}  // namespace

Email ComposeEmail(const MailRequest& r, const TargetState& ts, const TargetFacts* facts,
                   const EmailSettings& settings, WallTime now) {
  const std::vector<std::string> reason_list = Reasons(ts);
  const std::string reasons = reason_list.empty() ? "unknown reason" : Join(reason_list, ", ");
  const Incident* incident =
      ts.incident && ts.incident->id == r.incident_id ? &*ts.incident : nullptr;
  Email e;
  e.to = settings.to;
  e.from = settings.from;
  e.subject = Subject(r, ts, reasons);
  e.headers = {{"Auto-Submitted", "auto-generated"},
               {"X-Frigate-Remediator-Target", ts.target.Key()},
               {"X-Frigate-Remediator-Incident", r.incident_id},
               {"X-Frigate-Remediator-Outcome", MailKindName(r.kind)}};

  std::string& b = e.body;
  b += "What happened\n";
  b += "  " + WhatHappened(r, ts, reasons) + "\n";
  if (!r.detail.empty()) b += "  " + r.detail + "\n";
  if (incident) {
    b += "  Incident " + incident->id + ", started " + Ago(incident->started_at, now);
    if (incident->closed_at) b += ", closed " + FormatStateTime(*incident->closed_at);
    b += ".\n";
  }

  b += "\nWhy\n";
  // Alerts still firing; for a recovered incident, those it had.
  const std::vector<TrackedAlert>& alerts =
      !ts.firing.empty() || !incident ? ts.firing : incident->alerts;
  if (alerts.empty()) b += "  (no alert details kept)\n";
  for (const auto& a : alerts) AlertBlock(b, a, now);
  if (!ts.diagnostics.empty()) {
    b += "  Also firing, for information (not acted on):\n";
    for (const auto& a : ts.diagnostics) AlertBlock(b, a, now);
  }

  b += "\nGate verdicts\n";
  if (const DecisionRecord* d = FindDecision(ts, r); d && !d->verdicts.empty()) {
    b += "  (decision " + d->id + ")\n";
    for (const auto& v : d->verdicts) {
      b += "  [" + std::string(GateOutcomeName(v.outcome)) + "] " + v.gate + ": " + v.reason + "\n";
    }
  } else {
    b += "  (no gate decision recorded for this incident)\n";
  }

  const int recent = RestartsWithin(ts, now, std::chrono::hours(1));
  b += "\nRestarts in the last hour: " + std::to_string(recent) + " (limit " +
       std::to_string(settings.max_restarts_per_hour) + ")\n";
  for (WallTime t : ts.restart_times) {
    if (t > now - std::chrono::hours(1)) b += "  - " + Ago(t, now) + "\n";
  }

  b += "\nPod and node\n";
  const std::string pod = facts && !facts->pod_name.empty() ? facts->pod_name : "";
  const std::string node = facts && !facts->node_name.empty() ? facts->node_name : "";
  b += "  pod: " + (pod.empty() ? std::string("unknown") : pod) + "\n";
  b += "  node: " + (node.empty() ? std::string("unknown") : node);
  if (facts && facts->node_ready) b += " (Ready=" + *facts->node_ready + ")";
  if (facts && facts->node_unschedulable) b += " (cordoned)";
  b += "\n";
  if (facts && facts->frigate_started_at) {
    b += "  Frigate started: " + Ago(*facts->frigate_started_at, now) + "\n";
  }

  b += "\nNext steps\n";
  if (r.kind == MailKind::kBlocked && r.gate == "circuit_breaker") {
    b += "  Restarts are not fixing this: the circuit breaker stops further restarts for now.\n";
  }
  if (r.kind == MailKind::kEscalated) {
    b += "  Restarts of this incident are over; it stays open until its alerts resolve. Check "
         "what a restart cannot change: hardware (detector, EdgeTPU, GPU), storage, the node, "
         "the cameras' network and Frigate's configuration, using the steps below.\n";
    if (incident) {
      b += "  Restarts in this incident:\n";
      for (WallTime t : ts.restart_times) {
        if (t >= incident->started_at) b += "    - " + Ago(t, now) + "\n";
      }
    }
  }
  std::vector<const ReasonGuide*> guides;
  for (const auto& reason : reason_list) {
    const ReasonGuide* g = &GuideFor(reason);
    if (std::find(guides.begin(), guides.end(), g) == guides.end()) guides.push_back(g);
  }
  if (guides.empty()) guides.push_back(&GuideFor(""));
  const std::string frigate =
      settings.frigate_public_url.empty() ? "http://<frigate>:5000" : settings.frigate_public_url;
  for (const ReasonGuide* g : guides) {
    b += "  " + std::string(*g->reason ? g->reason : "general") + ": " + g->title + "\n";
    b += "  " + std::string(g->restart_note) + "\n";
    int n = 0;
    for (const char* step : g->steps) {
      std::string s = step;
      Replace(s, "{namespace}", ts.target.namespace_);
      Replace(s, "{deployment}", ts.target.deployment);
      Replace(s, "{pod}", pod.empty() ? "<frigate pod>" : pod);
      Replace(s, "{node}", node.empty() ? "<node>" : node);
      Replace(s, "{frigate}", frigate);
      b += "    " + std::to_string(++n) + ". " + s + "\n";
    }
  }

  b += "\nLinks\n";
  if (!ts.alertmanager_url.empty()) b += "  Alertmanager: " + ts.alertmanager_url + "\n";
  std::vector<std::string> seen;
  for (const auto& a : alerts) {
    if (a.generator_url.empty() ||
        std::find(seen.begin(), seen.end(), a.generator_url) != seen.end()) {
      continue;
    }
    seen.push_back(a.generator_url);
    b += "  Prometheus (" + a.alertname + "): " + a.generator_url + "\n";
  }
  if (!settings.grafana_url.empty()) b += "  Grafana: " + settings.grafana_url + "\n";
  if (!settings.frigate_public_url.empty()) {
    b += "  Frigate: " + settings.frigate_public_url + "\n";
  }
  b += "\n-- \nfrigate-remediator, " + FormatStateTime(now) + "\n";
  return e;
}

void Enqueue(State& state, const MailRequest& r, Email email, WallTime now) {
  const auto same = [&](const OutboxMail& m) { return m.id == r.key; };
  if (std::any_of(state.outbox.begin(), state.outbox.end(), same)) return;
  OutboxMail m;
  m.id = r.key;
  m.target = r.target.Key();
  m.subject = std::move(email.subject);
  m.body = std::move(email.body);
  m.to = std::move(email.to);
  m.from = std::move(email.from);
  m.headers = std::move(email.headers);
  m.queued_at = now;
  m.next_attempt_at = now;
  state.outbox.push_back(std::move(m));
  if (state.outbox.size() > kMaxOutbox) {
    state.outbox.erase(state.outbox.begin(),
                       state.outbox.end() - static_cast<std::ptrdiff_t>(kMaxOutbox));
  }
}

void ComposeAndEnqueue(State& state, const std::vector<MailRequest>& requests,
                       const std::map<std::string, TargetFacts>& facts,
                       const EmailSettings& settings, WallTime now) {
  for (const auto& req : requests) {
    const TargetState* ts = state.Find(req.target);
    if (ts == nullptr) continue;
    auto f = facts.find(req.target.Key());
    Email email = ComposeEmail(req, *ts, f == facts.end() ? nullptr : &f->second, settings, now);
    Enqueue(state, req, std::move(email), now);
  }
}

}  // namespace fhc::remediator
