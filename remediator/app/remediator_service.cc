#include "remediator/app/remediator_service.h"

#include <thread>

#include "remediator/app/remediator_metrics.h"
#include "remediator/app/status_view.h"
#include "remediator/app/webhook_auth.h"

namespace fhc::remediator {

RemediatorService::RemediatorService(RemediatorConfig config, StateStore& store,
                                     RestartAction& action, MailSender* mail, const Clock& clock)
    : config_(std::move(config)),
      engine_(config_.decision),
      store_(store),
      clock_(clock),
      keeper_(store, config_.decision.default_target, clock, counters_),
      restart_worker_(config_, engine_, keeper_, action, counters_, clock),
      mailer_(config_, keeper_, mail, counters_, clock),
      webhook_(config_, engine_, keeper_, action, restart_worker_, counters_, clock) {
  counters_.Update([this](RemediatorCounters& c) {
    for (const char* r :
         {"accepted", "ignored", "malformed", "unauthorized", "too_large", "unavailable"}) {
      c.webhooks[r] = 0;
    }
    for (const char* r : {"sent", "failed"}) c.emails[r] = 0;
    for (const char* r : {"ok", "error"}) c.state_writes[r] = 0;
    for (const auto& key : engine_.DecisionLabelSets()) c.decisions[key] = 0;
  });
}

RemediatorService::~RemediatorService() { Stop(); }

Status RemediatorService::Start() {
  if (auto loaded = keeper_.Load(); !loaded) return loaded;
  restart_worker_.Start();
  mailer_.Start();
  return OkStatus();
}

void RemediatorService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  restart_worker_.Stop();
  mailer_.Stop();
}

http::ServerResponse RemediatorService::HandleWebhook(const http::ServerRequest& request) {
  return webhook_.Handle(request);
}

bool RemediatorService::WaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (restart_worker_.Idle() && mailer_.Idle()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string RemediatorService::MetricsText() {
  return RenderMetrics(keeper_.Last(), counters_.Snapshot(), engine_, config_, clock_.Now(),
                       process_collector_);
}

std::string RemediatorService::StateJson(bool redacted) {
  return RenderStateJson(keeper_.Last(), engine_, config_, clock_.Now(), redacted);
}

std::string RemediatorService::StatusPage() {
  return RenderStatusPage(keeper_.Last(), engine_, config_, clock_.Now());
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
        return JsonResponse(200, StateJson(false));
      case StateAccess::kRedacted:
        return JsonResponse(200, StateJson(true));
      case StateAccess::kDenied:
        break;
    }
    auto r = JsonError(401, "wrong credentials (send none for the redacted view)");
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
