#pragma once
// The remediator at work, wired together: webhooks in (WebhookHandler), decisions stored
// write-ahead (StateKeeper), restarts run and watched on one thread (RestartWorker), mails sent
// from the stored outbox on another (OutboxMailer). The pure rules live in remediator/decision;
// this class owns the parts, starts and stops them, and serves the HTTP routes.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/http/http_server.h"
#include "common/metrics/process_collector.h"
#include "remediator/actions/restart_action.h"
#include "remediator/app/outbox_mailer.h"
#include "remediator/app/remediator_config.h"
#include "remediator/app/remediator_counters.h"
#include "remediator/app/restart_worker.h"
#include "remediator/app/state_keeper.h"
#include "remediator/app/webhook_handler.h"
#include "remediator/decision/engine.h"
#include "remediator/mail/mail_sender.h"
#include "remediator/store/state_store.h"

namespace fhc::remediator {

class RemediatorService {
 public:
  // `mail` may be null (mail off).
  RemediatorService(RemediatorConfig config, StateStore& store, RestartAction& action,
                    MailSender* mail, const Clock& clock);
  ~RemediatorService();

  // Loads the state (see StateKeeper::Load) and starts the restart worker (which first settles
  // restarts left pending by a previous run) and the outbox mailer.
  Status Start();
  void Stop();

  http::ServerResponse HandleWebhook(const http::ServerRequest& request);
  std::string MetricsText();
  std::string StateJson(bool redacted);
  std::string StatusPage();
  void RegisterRoutes(http::Server& server);

  // For tests: waits until no restart is queued or running and the outbox holds no mail that is
  // due, or the timeout passes; true when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  RemediatorConfig config_;
  Engine engine_;
  StateStore& store_;
  const Clock& clock_;
  metrics::ProcessCollector process_collector_;
  SharedCounters counters_;
  StateKeeper keeper_;
  RestartWorker restart_worker_;
  OutboxMailer mailer_;
  WebhookHandler webhook_;
  bool stopped_ = false;
};

}  // namespace fhc::remediator
