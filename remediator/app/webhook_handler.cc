#include "remediator/app/webhook_handler.h"

#include <spdlog/spdlog.h>

#include "common/log/log.h"
#include "remediator/app/crash_point.h"
#include "remediator/app/target_facts.h"
#include "remediator/app/webhook_auth.h"
#include "remediator/mail/composer.h"
#include "remediator/webhook/webhook_parser.h"

namespace fhc::remediator {
namespace {

constexpr std::size_t kMaxWebhookBytes = 1024 * 1024;

std::string JsonString(const std::string& s) { return "\"" + log::JsonEscape(s) + "\""; }

}  // namespace

http::ServerResponse JsonResponse(int status, std::string body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body) + "\n";
  return r;
}

http::ServerResponse JsonError(int status, const std::string& message) {
  return JsonResponse(status, "{\"error\":" + JsonString(message) + "}");
}

WebhookHandler::WebhookHandler(const RemediatorConfig& config, const Engine& engine,
                               StateKeeper& keeper, RestartAction& action, RestartWorker& worker,
                               SharedCounters& counters, const Clock& clock)
    : config_(config),
      engine_(engine),
      keeper_(keeper),
      action_(action),
      worker_(worker),
      counters_(counters),
      clock_(clock) {}

http::ServerResponse WebhookHandler::Handle(const http::ServerRequest& request) {
  const auto count = [&](const char* result) {
    counters_.Update([&](RemediatorCounters& c) { c.webhooks[result] += 1; });
  };
  if (!WebhookAuthorized(config_.auth, request.Header("authorization"))) {
    count("unauthorized");
    auto r = JsonError(401, "missing or wrong credentials");
    r.headers.emplace_back("WWW-Authenticate", config_.auth.mode == "basic"
                                                   ? "Basic realm=\"frigate-remediator\""
                                                   : "Bearer realm=\"frigate-remediator\"");
    return r;
  }
  if (request.body.size() > kMaxWebhookBytes) {
    count("too_large");
    return JsonError(413, "body larger than 1 MiB");
  }
  auto parsed = ParseWebhook(request.body);
  if (!parsed) {
    count("malformed");
    spdlog::warn("webhook from {} rejected: {}", request.remote_addr, parsed.error());
    return JsonError(400, parsed.error());
  }
  const Notification& n = *parsed;
  const WallTime now = clock_.Now();

  // Facts cost API calls: find out first which targets will ask for them, gather those outside
  // the state transaction (which may run more than once). The gates get facts only where they
  // need them; every mail gets its target's facts (a "recovered" or a "blocked by the circuit
  // breaker" mail too), so it can name the pod, container and node.
  std::map<std::string, TargetFacts> facts;
  std::map<std::string, TargetFacts> mail_facts;
  {
    State probe = keeper_.Last();
    if (auto s = keeper_.Read()) probe = std::move(s).value();
    auto seen = engine_.Observe(probe, n, now);
    std::vector<Target> mailed;
    for (const auto& m : seen.mails) mailed.push_back(m.target);
    for (const auto& t : seen.need_decision) {
      if (engine_.NeedsFacts(probe, t, now)) {
        facts[t.Key()] = FactsOrErrors(action_, t);
        continue;
      }
      action_.NoteObservation(t);  // e.g. docker: the RestartCount to compare the next one with
      if (config_.email_enabled) {
        for (const auto& m : engine_.Decide(probe, t, nullptr, now).mails) {
          mailed.push_back(m.target);
        }
      }
    }
    mail_facts = facts;
    if (config_.email_enabled) {
      for (const auto& t : mailed) {
        if (!mail_facts.count(t.Key())) mail_facts[t.Key()] = FactsOrErrors(action_, t);
      }
    }
  }

  ObservationResult observed;
  std::vector<Decision> decisions;
  auto stored = keeper_.Transact(
      [&](State& s) {
        decisions.clear();
        observed = engine_.Observe(s, n, now);
        if (config_.email_enabled) {
          ComposeAndEnqueue(s, observed.mails, mail_facts, config_.email, now);
        }
        for (const auto& t : observed.need_decision) {
          auto f = facts.find(t.Key());
          Decision d = engine_.Decide(s, t, f == facts.end() ? nullptr : &f->second, now);
          if (config_.email_enabled) ComposeAndEnqueue(s, d.mails, mail_facts, config_.email, now);
          decisions.push_back(std::move(d));
        }
      },
      "webhook");
  if (stored) keeper_.ReportDropped(observed.dropped, "webhook alerts");
  if (!stored) {
    count("unavailable");
    // 5xx: Alertmanager sends the notification again.
    return JsonError(503, "state could not be stored: " + stored.error());
  }
  std::string decided = "[";
  for (const auto& d : decisions) {
    counters_.Update([&](RemediatorCounters& c) {
      c.decisions[{DecisionOutcomeName(d.outcome), d.gate}] += 1;
    });
    spdlog::info("decision {} for {}: {}{}{}", d.id, d.target.Key(), DecisionOutcomeName(d.outcome),
                 d.gate.empty() ? "" : " by ", d.gate);
    if (decided.size() > 1) decided += ",";
    decided += "{\"target\":" + JsonString(d.target.Key()) +
               ",\"outcome\":" + JsonString(DecisionOutcomeName(d.outcome)) +
               ",\"gate\":" + JsonString(d.gate) + "}";
  }
  decided += "]";
  for (const auto& t : observed.ignored) {
    spdlog::warn("alerts for {} ignored: not in ALLOWED_TARGETS", t.Key());
  }
  std::vector<RestartJob> jobs;
  for (const auto& d : decisions) {
    if (d.restart() && d.intent) jobs.push_back({d.target, *d.intent});
  }
  if (!jobs.empty()) {
    // Only a webhook that stored a restart intent reaches this point (not every stored webhook).
    CrashPoint("after_intent_stored");
    worker_.Enqueue(std::move(jobs));
  }
  const bool accepted = !observed.touched.empty();
  count(accepted ? "accepted" : "ignored");
  return JsonResponse(200, std::string("{\"status\":\"") + (accepted ? "accepted" : "ignored") +
                               "\",\"counted\":" + std::to_string(observed.counted.size()) +
                               ",\"ignored_alerts\":" + std::to_string(observed.ignored_alerts) +
                               ",\"decisions\":" + decided + "}");
}

}  // namespace fhc::remediator
