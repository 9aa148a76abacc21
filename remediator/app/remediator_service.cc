#include "remediator/app/remediator_service.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/log/log.h"
#include "remediator/app/remediator_metrics.h"
#include "remediator/app/status_view.h"
#include "remediator/app/webhook_auth.h"
#include "remediator/email/composer.h"
#include "remediator/state/legacy_import.h"
#include "remediator/state/state_codec.h"
#include "remediator/webhook/webhook_parser.h"

namespace fhc::remediator {
namespace {

constexpr std::size_t kMaxWebhookBytes = 1024 * 1024;

http::ServerResponse Json(int status, std::string body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body) + "\n";
  return r;
}

std::string JsonString(const std::string& s) { return "\"" + log::JsonEscape(s) + "\""; }

http::ServerResponse Error(int status, const std::string& message) {
  return Json(status, "{\"error\":" + JsonString(message) + "}");
}

}  // namespace

void CrashPoint(const char* point) {
  const char* want = std::getenv("FHC_TEST_CRASH_AT");
  if (want != nullptr && std::strcmp(want, point) == 0) {
    spdlog::default_logger()->flush();
    std::raise(SIGKILL);
  }
}

RemediatorService::RemediatorService(RemediatorConfig config, StateStore& store,
                                     RestartAction& action, MailSender* mail, const Clock& clock,
                                     std::function<Result<std::string>()> move_aside)
    : config_(std::move(config)),
      engine_(config_.decision),
      store_(store),
      action_(action),
      mail_(mail),
      clock_(clock),
      move_aside_(std::move(move_aside)) {
  for (const char* r :
       {"accepted", "ignored", "malformed", "unauthorized", "too_large", "unavailable"}) {
    counters_.webhooks[r] = 0;
  }
  for (const char* r : {"sent", "failed"}) counters_.emails[r] = 0;
  for (const char* r : {"ok", "error"}) counters_.state_writes[r] = 0;
}

RemediatorService::~RemediatorService() { Stop(); }

Result<State> RemediatorService::Decode(const StoredState& stored) const {
  if (stored.state_json.empty()) {
    State fresh;
    if (!stored.legacy.empty()) {
      // The old CronJob's four keys, read once: they become this target's starting state.
      auto imported = ImportLegacy(stored.legacy, config_.decision.default_target, clock_.Now());
      for (const auto& w : imported.warnings) spdlog::warn("legacy state: {}", w);
      if (imported.found) fresh.targets[config_.decision.default_target.Key()] = imported.state;
    }
    return fresh;
  }
  return DecodeState(stored.state_json);
}

Result<State> RemediatorService::Transact(const std::function<void(State&)>& fn, const char* what) {
  State result;
  bool corrupt = false;
  auto update = [&](const StoredState& stored) -> Result<std::string> {
    auto state = Decode(stored);
    if (!state) {
      corrupt = true;
      return Result<std::string>::Error("stored state is corrupt: " + state.error());
    }
    fn(*state);
    result = *state;
    return EncodeState(*state);
  };
  auto stored = store_.Update(update);
  if (!stored && corrupt && move_aside_) {
    // Someone damaged the document while we ran: keep it for a person, start afresh.
    auto moved = move_aside_();
    spdlog::error("state document is corrupt; moved aside to {}; starting with empty state",
                  moved ? *moved : moved.error());
    corrupt = false;
    stored = store_.Update(update);
  }
  std::lock_guard lock(mu_);
  if (!stored) {
    counters_.state_writes["error"] += 1;
    spdlog::error("state not stored ({}): {}", what, stored.error());
    return Result<State>::Error(stored.error());
  }
  counters_.state_writes["ok"] += 1;
  last_state_ = result;
  return result;
}

Status RemediatorService::Start() {
  auto stored = store_.Read();
  if (!stored)
    return Status::Error("cannot read state from " + store_.Describe() + ": " + stored.error());
  auto state = Decode(*stored);
  if (!state) {
    if (move_aside_) {
      auto moved = move_aside_();
      if (!moved)
        return Status::Error("state is corrupt and cannot be moved aside: " + moved.error());
      spdlog::error(
          "STATE IS CORRUPT ({}); moved it aside to {} and starting with empty state: restart "
          "history and open incidents are lost",
          state.error(), *moved);
    } else {
      spdlog::error("STATE IS CORRUPT ({}) in {}; it will be replaced by an empty state",
                    state.error(), store_.Describe());
      auto reset = store_.Update(
          [](const StoredState&) { return Result<std::string>(EncodeState(State{})); });
      if (!reset) return Status::Error("cannot replace corrupt state: " + reset.error());
    }
    state = State{};
  }
  {
    std::lock_guard lock(mu_);
    last_state_ = *state;
  }
  // Settling restarts left pending may take a while (see RecoverPending): on the restart
  // worker, before it takes new work, so webhooks are served meanwhile.
  restart_running_ = true;  // for WaitIdle, until the pending restarts are settled
  restart_thread_ = std::thread([this] {
    RecoverPending();
    {
      std::lock_guard lock(mu_);
      restart_running_ = false;
    }
    RestartLoop();
  });
  mail_thread_ = std::thread([this] { MailLoop(); });
  return OkStatus();
}

void RemediatorService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (restart_thread_.joinable()) restart_thread_.join();
  if (mail_thread_.joinable()) mail_thread_.join();
}

TargetFacts RemediatorService::Facts(const Target& target) {
  auto facts = action_.GatherFacts(target);
  if (facts) return *facts;
  TargetFacts f;
  f.kubernetes = action_.uses_kubernetes();
  f.frigate_started_at_error = f.node_error = f.deployment_error = facts.error();
  return f;
}

void RemediatorService::ComposeAndQueue(State& state, const std::vector<MailRequest>& requests,
                                        const std::map<std::string, TargetFacts>& facts,
                                        WallTime now) const {
  if (!config_.email_enabled) return;
  for (const auto& req : requests) {
    const TargetState* ts = state.Find(req.target);
    if (ts == nullptr) continue;
    auto f = facts.find(req.target.Key());
    Email email =
        ComposeEmail(req, *ts, f == facts.end() ? nullptr : &f->second, config_.email, now);
    Enqueue(state, req, std::move(email), now);
  }
}

void RemediatorService::RecoverPending() {
  std::vector<std::pair<Target, RestartIntent>> pending;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, ts] : last_state_.targets) {
      if (ts.pending) pending.emplace_back(ts.target, *ts.pending);
    }
  }
  for (const auto& entry : pending) {
    // Named references, not a structured binding: lambdas below capture them.
    const Target& target = entry.first;
    const RestartIntent& intent = entry.second;
    auto happened = action_.RestartHappened(target, IntentTimestamp(intent.at));
    // A restart requested just before the crash may not have begun yet (Frigate answers
    // POST /api/restart before its old process exits), so "did not happen" is final only once
    // the intent is older than the recovery timeout. Until then look again; the intent stays
    // pending meanwhile, so nothing else restarts the target.
    const WallTime settled_at =
        intent.at +
        std::chrono::milliseconds(static_cast<long>(config_.recovery_timeout_seconds * 1000));
    while (happened && !*happened && clock_.Now() < settled_at) {
      {
        std::unique_lock lock(mu_);
        if (wake_.wait_for(
                lock,
                std::chrono::milliseconds(static_cast<long>(config_.recovery_poll_seconds * 1000)),
                [&] { return stopping_; })) {
          return;  // still pending: the next start settles it
        }
      }
      happened = action_.RestartHappened(target, IntentTimestamp(intent.at));
    }
    RestartEvidence evidence = !happened   ? RestartEvidence::kUnknown
                               : *happened ? RestartEvidence::kHappened
                                           : RestartEvidence::kDidNotHappen;
    spdlog::warn(
        "restart {} of {} was pending when the remediator stopped: {}", intent.id, target.Key(),
        !happened
            ? "cannot tell whether it happened (" + happened.error() + "); counting it as done"
        : *happened ? "it happened; recording it"
                    : "it did not happen; the next observation decides again");
    std::map<std::string, TargetFacts> facts;
    if (config_.email_enabled) facts[target.Key()] = Facts(target);
    Transact(
        [&](State& s) {
          auto r = engine_.Recover(s, target, evidence, clock_.Now());
          ComposeAndQueue(s, r.mails, facts, clock_.Now());
        },
        "recovery");
  }
}

http::ServerResponse RemediatorService::HandleWebhook(const http::ServerRequest& request) {
  if (!WebhookAuthorized(config_.auth, request.Header("authorization"))) {
    Count(&RemediatorCounters::webhooks, "unauthorized");
    auto r = Error(401, "missing or wrong credentials");
    r.headers.emplace_back("WWW-Authenticate", config_.auth.mode == "basic"
                                                   ? "Basic realm=\"frigate-remediator\""
                                                   : "Bearer realm=\"frigate-remediator\"");
    return r;
  }
  if (request.body.size() > kMaxWebhookBytes) {
    Count(&RemediatorCounters::webhooks, "too_large");
    return Error(413, "body larger than 1 MiB");
  }
  auto parsed = ParseWebhook(request.body);
  if (!parsed) {
    Count(&RemediatorCounters::webhooks, "malformed");
    spdlog::warn("webhook from {} rejected: {}", request.remote_addr, parsed.error());
    return Error(400, parsed.error());
  }
  const Notification& n = *parsed;
  const WallTime now = clock_.Now();

  // Facts cost API calls: find out first which targets will ask for them, gather those outside
  // the state transaction (which may run more than once).
  std::map<std::string, TargetFacts> facts;
  {
    State probe;
    {
      std::lock_guard lock(mu_);
      probe = last_state_;
    }
    auto stored = store_.Read();
    if (stored) {
      if (auto s = Decode(*stored)) probe = std::move(s).value();
    }
    auto seen = engine_.Observe(probe, n, now);
    for (const auto& t : seen.need_decision) {
      if (engine_.NeedsFacts(probe, t, now)) facts[t.Key()] = Facts(t);
    }
  }

  ObservationResult observed;
  std::vector<Decision> decisions;
  auto stored = Transact(
      [&](State& s) {
        decisions.clear();
        observed = engine_.Observe(s, n, now);
        ComposeAndQueue(s, observed.mails, facts, now);
        for (const auto& t : observed.need_decision) {
          auto f = facts.find(t.Key());
          Decision d = engine_.Decide(s, t, f == facts.end() ? nullptr : &f->second, now);
          ComposeAndQueue(s, d.mails, facts, now);
          decisions.push_back(std::move(d));
        }
      },
      "webhook");
  if (!stored) {
    Count(&RemediatorCounters::webhooks, "unavailable");
    // 5xx: Alertmanager sends the notification again.
    return Error(503, "state could not be stored: " + stored.error());
  }
  std::string decided = "[";
  for (const auto& d : decisions) {
    CountDecision(d);
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
  bool intent_stored = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& d : decisions) {
      if (d.restart() && d.intent) {
        restarts_.push_back({d.target, *d.intent});
        intent_stored = true;
      }
    }
  }
  // Only a webhook that stored a restart intent reaches this point (not every stored webhook).
  if (intent_stored) CrashPoint("after_intent_stored");
  wake_.notify_all();
  const bool accepted = !observed.touched.empty();
  Count(&RemediatorCounters::webhooks, accepted ? "accepted" : "ignored");
  return Json(200, std::string("{\"status\":\"") + (accepted ? "accepted" : "ignored") +
                       "\",\"counted\":" + std::to_string(observed.counted.size()) +
                       ",\"ignored_alerts\":" + std::to_string(observed.ignored_alerts) +
                       ",\"decisions\":" + decided + "}");
}

void RemediatorService::RestartLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !restarts_.empty(); });
    if (stopping_) return;
    RestartJob job = restarts_.front();
    restarts_.pop_front();
    restart_running_ = true;
    lock.unlock();
    RunRestart(job);
    lock.lock();
    restart_running_ = false;
    wake_.notify_all();
  }
}

void RemediatorService::RunRestart(const RestartJob& job) {
  spdlog::warn("restarting {} with {} (intent {})", job.target.Key(), action_.name(),
               job.intent.id);
  RestartResult result;
  auto receipt = action_.Restart(job.target, job.intent.at);
  CrashPoint("after_restart_requested");
  if (!receipt) {
    result.detail = receipt.error();
  } else {
    const auto deadline =
        clock_.Now() +
        std::chrono::milliseconds(static_cast<long>(config_.recovery_timeout_seconds * 1000));
    while (true) {
      auto status = action_.CheckRecovery(job.target, *receipt);
      if (status && status->state == RecoveryState::kRecovered) {
        result = {true, receipt->detail + "; " + status->detail};
        break;
      }
      if (status && status->state == RecoveryState::kFailed) {
        result.detail = status->detail;
        break;
      }
      if (clock_.Now() >= deadline) {
        result.detail = "not recovered within " +
                        std::to_string(static_cast<long>(config_.recovery_timeout_seconds)) + " s" +
                        (status ? ": " + status->detail : ": " + status.error());
        break;
      }
      std::unique_lock lock(mu_);
      if (wake_.wait_for(
              lock,
              std::chrono::milliseconds(static_cast<long>(config_.recovery_poll_seconds * 1000)),
              [&] { return stopping_; })) {
        // Stopping mid-watch: the intent stays pending; the next start settles it.
        return;
      }
    }
  }
  spdlog::log(result.ok ? spdlog::level::info : spdlog::level::err, "restart of {} {}: {}",
              job.target.Key(), result.ok ? "done" : "failed", result.detail);
  std::map<std::string, TargetFacts> facts;
  if (config_.email_enabled) facts[job.target.Key()] = Facts(job.target);
  auto stored = Transact(
      [&](State& s) {
        auto r = engine_.CompleteRestart(s, job.target, job.intent.id, result, clock_.Now());
        ComposeAndQueue(s, r.mails, facts, clock_.Now());
      },
      "restart completion");
  {
    std::lock_guard lock(mu_);
    counters_
        .restarts[{job.target.namespace_, job.target.deployment, result.ok ? "ok" : "failed"}] += 1;
  }
  if (stored) CrashPoint("after_completion_stored");
  wake_.notify_all();
}

void RemediatorService::MailLoop() {
  while (true) {
    SendDueMails();
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; })) return;
  }
}

void RemediatorService::SendDueMails() {
  if (mail_ == nullptr) return;
  auto stored = store_.Read();
  if (!stored) return;
  auto state = Decode(*stored);
  if (!state) return;
  const WallTime now = clock_.Now();
  for (const auto& m : state->outbox) {
    if (m.next_attempt_at > now) continue;
    Mail mail;
    mail.from = m.from;
    for (std::size_t start = 0; start <= m.to.size();) {
      auto comma = m.to.find(',', start);
      auto addr =
          m.to.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!addr.empty() && addr.front() == ' ') addr.erase(0, 1);
      while (!addr.empty() && addr.back() == ' ') addr.pop_back();
      if (!addr.empty()) mail.to.push_back(addr);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    mail.subject = m.subject;
    mail.text_body = m.body;
    for (const auto& [k, v] : m.headers) mail.headers.emplace_back(k, v);
    Status sent = mail_->Send(mail);
    if (sent) CrashPoint("after_mail_sent");
    Count(&RemediatorCounters::emails, sent ? "sent" : "failed");
    if (sent) {
      spdlog::info("mail \"{}\" sent to {}", m.subject, m.to);
    } else {
      spdlog::warn("mail \"{}\" not sent (will retry in {:.0f} s): {}", m.subject,
                   config_.mail_retry_seconds, sent.error());
    }
    const std::string id = m.id;
    const std::string error = sent ? "" : sent.error();
    Transact(
        [&](State& s) {
          for (auto it = s.outbox.begin(); it != s.outbox.end(); ++it) {
            if (it->id != id) continue;
            if (error.empty()) {
              s.outbox.erase(it);
            } else {
              it->attempts += 1;
              it->last_error = error;
              it->next_attempt_at = now + std::chrono::milliseconds(
                                              static_cast<long>(config_.mail_retry_seconds * 1000));
            }
            break;
          }
        },
        "outbox");
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
  }
}

bool RemediatorService::WaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool idle;
    {
      std::lock_guard lock(mu_);
      idle = restarts_.empty() && !restart_running_;
      if (idle && mail_ != nullptr) {
        for (const auto& m : last_state_.outbox) {
          if (m.next_attempt_at <= clock_.Now()) idle = false;
        }
      }
    }
    if (idle) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void RemediatorService::Count(std::map<std::string, double> RemediatorCounters::*family,
                              const std::string& key) {
  std::lock_guard lock(mu_);
  (counters_.*family)[key] += 1;
}

void RemediatorService::CountDecision(const Decision& d) {
  std::lock_guard lock(mu_);
  counters_.decisions[{DecisionOutcomeName(d.outcome), d.gate}] += 1;
}

std::string RemediatorService::MetricsText() {
  State state;
  RemediatorCounters counters;
  {
    std::lock_guard lock(mu_);
    state = last_state_;
    counters = counters_;
  }
  return RenderMetrics(state, counters, engine_, config_, clock_.Now(), process_collector_);
}

std::string RemediatorService::StateJson(bool redacted) {
  State state;
  {
    std::lock_guard lock(mu_);
    state = last_state_;
  }
  return RenderStateJson(state, engine_, config_, clock_.Now(), redacted);
}

std::string RemediatorService::StatusPage() {
  State state;
  {
    std::lock_guard lock(mu_);
    state = last_state_;
  }
  return RenderStatusPage(state, engine_, config_, clock_.Now());
}

void RemediatorService::RegisterRoutes(http::Server& server) {
  server.Route("POST", "/webhook",
               [this](const http::ServerRequest& r) { return HandleWebhook(r); });
  server.Route("GET", "/metrics", [this](const http::ServerRequest&) {
    http::ServerResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = MetricsText();
    return r;
  });
  server.Route("GET", "/healthz", [](const http::ServerRequest&) {
    http::ServerResponse r;
    r.body = "ok\n";
    return r;
  });
  server.Route("GET", "/readyz", [this](const http::ServerRequest&) {
    auto ok = store_.Check();
    http::ServerResponse r;
    r.status = ok ? 200 : 503;
    r.body = ok ? "ready\n" : "state store unreachable: " + ok.error() + "\n";
    return r;
  });
  server.Route("GET", "/api/v1/state", [this](const http::ServerRequest& request) {
    switch (StateAccessFor(config_.auth, request.Header("authorization"))) {
      case StateAccess::kFull:
        return Json(200, StateJson(false));
      case StateAccess::kRedacted:
        return Json(200, StateJson(true));
      case StateAccess::kDenied:
        break;
    }
    auto r = Error(401, "wrong credentials (send none for the redacted view)");
    r.headers.emplace_back("WWW-Authenticate", config_.auth.mode == "basic"
                                                   ? "Basic realm=\"frigate-remediator\""
                                                   : "Bearer realm=\"frigate-remediator\"");
    return r;
  });
  server.Route("GET", "/", [this](const http::ServerRequest&) {
    http::ServerResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = StatusPage();
    return r;
  });
}

}  // namespace fhc::remediator
