#include "remediator/mail/composer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "remediator/gates/manual_action_gate.h"
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

// What the steps' placeholders become for this mail: real names where the facts have them,
// otherwise commands that find them (never a "<placeholder>" a person must fill in).
struct Places {
  std::string pod;        // a pod name, or "-l '<selector>'" (kubectl takes either)
  std::string container;  // Frigate's container
  std::string node;       // a node name, or a command substitution that prints it
  std::string frigate;    // Frigate's URL
};

Places PlacesOf(const Target& t, const TargetFacts* f, const EmailSettings& settings) {
  Places p;
  // The official chart's labels name the release: the best guess without any facts.
  const std::string selector =
      f && !f->pod_selector.empty()
          ? f->pod_selector
          : "app.kubernetes.io/name=frigate,app.kubernetes.io/instance=" + t.deployment;
  const bool named = f && !f->pod_name.empty();
  p.pod = named ? f->pod_name : "-l '" + selector + "'";
  p.container = f && !f->container_name.empty() ? f->container_name : "frigate";
  if (f && !f->node_name.empty()) {
    p.node = f->node_name;
  } else if (f && !f->kubernetes) {
    p.node = "the host that runs Frigate";
  } else {
    p.node = "$(kubectl -n " + t.namespace_ + " get pod " + p.pod + " -o jsonpath='{" +
             (named ? "" : ".items[0]") + ".spec.nodeName}')";
  }
  // The official chart's Service is named like the deployment and serves port 5000.
  p.frigate = !settings.frigate_public_url.empty()
                  ? settings.frigate_public_url
                  : "http://" + t.deployment + "." + t.namespace_ + ".svc:5000";
  return p;
}

std::string Fill(std::string s, const Target& t, const Places& p) {
  Replace(s, "{namespace}", t.namespace_);
  Replace(s, "{deployment}", t.deployment);
  Replace(s, "{pod}", p.pod);
  Replace(s, "{container}", p.container);
  Replace(s, "{node}", p.node);
  Replace(s, "{frigate}", p.frigate);
  return s;
}

// The pod, its Frigate container, the node and the deployment as looked up for this mail.
void FactsBlock(std::string& b, const Target& t, const TargetFacts* f, WallTime now) {
  b += "\nPod, container and node (as looked up for this mail)\n";
  if (f == nullptr) {
    b += "  not looked up for this mail (see the gate verdicts above for what the gates saw)\n";
    return;
  }
  if (!f->kubernetes) {
    b += "  Frigate is restarted through its own API here (no Kubernetes): no pod, container or "
         "node to show.\n";
  } else if (!f->pod_error.empty()) {
    b += "  pod: none found: " + f->pod_error + "\n";
  } else {
    b += "  pod: " + f->pod_name + " (Ready=" + (f->pod_ready ? "True" : "False") + ")";
    if (!f->pod_selector.empty()) b += ", selected by " + f->pod_selector;
    b += "\n";
    if (f->container_name.empty()) {
      b += "  container: not found: " + f->frigate_started_at_error + "\n";
    } else {
      b += "  container: " + f->container_name + ", " +
           (f->container_state.empty() ? std::string("state not reported") : f->container_state);
      if (!f->container_reason.empty()) b += " (" + f->container_reason + ")";
      b += std::string(f->container_ready ? ", ready" : ", not ready") + ", " +
           std::to_string(f->container_restarts) + " restart(s)";
      if (!f->container_last_termination.empty()) {
        b += ", last ended with " + f->container_last_termination;
      }
      b += "\n";
    }
    if (!f->node_name.empty()) {
      b += "  node: " + f->node_name;
      if (f->node_ready) b += " (Ready=" + *f->node_ready + ")";
      if (f->node_unschedulable) b += " (cordoned)";
      if (!f->node_error.empty()) b += " (" + f->node_error + ")";
      b += "\n";
    }
  }
  if (f->frigate_started_at) {
    b += "  Frigate started: " + Ago(*f->frigate_started_at, now) + ", from " +
         f->frigate_started_at_source + "\n";
  } else if (!f->kubernetes && !f->frigate_started_at_error.empty()) {
    b += "  Frigate started: unknown (" + f->frigate_started_at_error + ")\n";
  }
  if (f->kubernetes) {
    b += "  deployment " + t.Key() + ": ";
    if (!f->deployment_error.empty()) {
      b += f->deployment_error + "\n";
    } else {
      b += std::string(f->deployment_paused.value_or(false) ? "paused; " : "") +
           (f->rollout_message.empty() ? "rollout state unknown" : f->rollout_message) + "\n";
    }
  }
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
  const std::vector<const TrackedAlert*> manual = ManualAlerts(ts);
  if (!manual.empty()) {
    b += "  Firing, a person must act (remediate=\"manual\": a restart cannot help):\n";
    for (const TrackedAlert* a : manual) AlertBlock(b, *a, now);
  }
  if (ts.diagnostics.size() > manual.size()) {
    b += "  Also firing, for information (not acted on):\n";
    for (const auto& a : ts.diagnostics) {
      if (std::find(manual.begin(), manual.end(), &a) == manual.end()) AlertBlock(b, a, now);
    }
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

  const Places where = PlacesOf(ts.target, facts, settings);
  FactsBlock(b, ts.target, facts, now);

  b += "\nNext steps\n";
  if (r.kind == MailKind::kBlocked) {
    const GateGuide& gate = GuideForGate(r.gate);
    b += "  Blocked by " + r.gate + ": " + Fill(gate.step, ts.target, where) + "\n";
    b += "  " + Fill(gate.retry, ts.target, where) +
         " Nothing needs doing for the remediator to try again: it retries by itself.\n";
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
  // The reasons a person must act on first, then those of the incident.
  std::vector<const ReasonGuide*> guides;
  auto add_guide = [&](const std::string& reason) {
    const ReasonGuide* g = &GuideFor(reason);
    if (std::find(guides.begin(), guides.end(), g) == guides.end()) guides.push_back(g);
  };
  for (const TrackedAlert* a : manual) add_guide(AlertReason(*a));
  for (const auto& reason : reason_list) add_guide(reason);
  if (guides.empty()) guides.push_back(&GuideFor(""));
  for (const ReasonGuide* g : guides) {
    b += "  " + std::string(*g->reason ? g->reason : "general") + ": " + g->title + "\n";
    for (const TrackedAlert* a : manual) {
      if (&GuideFor(AlertReason(*a)) != g) continue;
      auto runbook = a->annotations.find("runbook_url");
      b += "  " + a->alertname + " says a person must act" +
           (runbook == a->annotations.end() ? std::string(".") : ": runbook " + runbook->second) +
           "\n";
    }
    b += "  " + std::string(g->restart_note) + "\n";
    int n = 0;
    for (const char* step : g->steps) {
      b += "    " + std::to_string(++n) + ". " + Fill(step, ts.target, where) + "\n";
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
