#include "remediator/app/remediator_metrics.h"

#include "common/metrics/family.h"
#include "remediator/app/remediator_service.h"
#include "remediator/state/state_bounds.h"

namespace fhc::remediator {

using metrics::AddSample;
using metrics::Family;
using prometheus::MetricType;

std::string RenderMetrics(const State& state, const RemediatorCounters& counters,
                          const Engine& engine, const RemediatorConfig& config, WallTime now,
                          const metrics::ProcessCollector& process) {
  std::vector<prometheus::MetricFamily> out;
  auto build = Family("frigate_remediator_build_info",
                      "frigate-remediator's version, restart action and state store; always 1.",
                      MetricType::Gauge);
  AddSample(
      build, 1,
      {{"version", FHC_VERSION}, {"action", config.action}, {"state_store", config.state_store}});
  out.push_back(std::move(build));

  auto webhooks = Family("frigate_remediator_webhooks_total",
                         "Webhook requests by result (accepted, ignored, malformed, unauthorized, "
                         "too_large, unavailable).",
                         MetricType::Counter);
  for (const auto& [result, n] : counters.webhooks) AddSample(webhooks, n, {{"result", result}});
  out.push_back(std::move(webhooks));

  auto decisions = Family("frigate_remediator_decisions_total",
                          "Restart decisions by outcome (restart, waiting, blocked, none) and the "
                          "gate that held it back (\"\" when none did).",
                          MetricType::Counter);
  for (const auto& [key, n] : counters.decisions) {
    AddSample(decisions, n, {{"outcome", key.first}, {"gate", key.second}});
  }
  if (!decisions.metric.empty()) out.push_back(std::move(decisions));

  auto restarts = Family("frigate_remediator_restarts_total",
                         "Restarts run, by target and result (ok, failed).", MetricType::Counter);
  auto failures = Family("frigate_remediator_consecutive_failures",
                         "Observations in a row of a failing target.", MetricType::Gauge);
  auto circuit =
      Family("frigate_remediator_circuit_open",
             "1 while the circuit breaker holds restarts of the target back.", MetricType::Gauge);
  // Every target known to the state or allowed, so the series exist before the first incident.
  std::map<std::string, Target> targets;
  targets[config.decision.default_target.Key()] = config.decision.default_target;
  for (const auto& t : config.decision.allowed_targets) targets[t.Key()] = t;
  for (const auto& [key, ts] : state.targets) {
    if (config.decision.Allowed(ts.target)) targets[key] = ts.target;
  }
  for (const auto& [key, t] : targets) {
    const TargetState* ts = state.Find(t);
    metrics::LabelList labels{{"namespace", t.namespace_}, {"deployment", t.deployment}};
    AddSample(failures, ts ? ts->consecutive_failures : 0, labels);
    AddSample(circuit, engine.CircuitOpen(state, t, now) ? 1 : 0, labels);
    for (const char* result : {"ok", "failed"}) {
      auto it = counters.restarts.find({t.namespace_, t.deployment, result});
      auto with = labels;
      with.emplace_back("result", result);
      AddSample(restarts, it == counters.restarts.end() ? 0 : it->second, with);
    }
  }
  out.push_back(std::move(restarts));
  out.push_back(std::move(failures));
  out.push_back(std::move(circuit));

  auto emails = Family("frigate_remediator_emails_total", "Mails by result (sent, failed).",
                       MetricType::Counter);
  for (const auto& [result, n] : counters.emails) AddSample(emails, n, {{"result", result}});
  out.push_back(std::move(emails));
  auto outbox =
      Family("frigate_remediator_outbox_mails", "Mails waiting to be sent.", MetricType::Gauge);
  AddSample(outbox, static_cast<double>(state.outbox.size()));
  out.push_back(std::move(outbox));
  auto writes = Family("frigate_remediator_state_writes_total",
                       "Writes of the state by result (ok, error).", MetricType::Counter);
  for (const auto& [result, n] : counters.state_writes) AddSample(writes, n, {{"result", result}});
  out.push_back(std::move(writes));
  auto unreadable = Family("frigate_remediator_state_unreadable_total",
                           "State documents that could not be read (damaged, or a newer schema) "
                           "and were kept for a person.",
                           MetricType::Counter);
  AddSample(unreadable, counters.state_unreadable);
  out.push_back(std::move(unreadable));
  auto dropped = Family("frigate_remediator_state_dropped_total",
                        "Entries and texts the state's bounds dropped to keep the state small, by "
                        "kind (targets, ignored_targets, alerts, alert_labels, texts, reasons, "
                        "decisions, emails_sent, restart_times, outbox).",
                        MetricType::Counter);
  for (const char* what : kDroppedKinds) {
    auto it = counters.state_dropped.find(what);
    AddSample(dropped, it == counters.state_dropped.end() ? 0 : it->second, {{"what", what}});
  }
  out.push_back(std::move(dropped));
  auto hold = Family("frigate_remediator_state_hold",
                     "1 while a kept unreadable state document holds every restart back, until a "
                     "person removes its note.",
                     MetricType::Gauge);
  AddSample(hold, state.unreadable_hold.empty() ? 0 : 1);
  out.push_back(std::move(hold));

  auto proc = process.Collect();
  out.insert(out.end(), proc.begin(), proc.end());
  return metrics::Serialize(out);
}

}  // namespace fhc::remediator
