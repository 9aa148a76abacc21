#pragma once
// POST /webhook: an Alertmanager notification in, decisions stored, restarts handed on.
//
// Contract:
//   - 401 without the configured credentials, 413 past 1 MiB, 400 for a body that is not an
//     Alertmanager webhook (version 4); each counted in webhooks{result} and nothing stored.
//   - Facts (API calls) are gathered before the state transaction, only for targets whose gates
//     that need no facts all pass.
//   - Observations, decisions, restart intents and their mails are stored in one state write
//     (write-ahead) before the answer; a restart is handed to the restart worker only after its
//     intent is stored.
//   - 503 when the state cannot be stored (Alertmanager sends the notification again); 200 with
//     {"status":"accepted"|"ignored","counted":n,"ignored_alerts":n,"decisions":[...]} otherwise.
#include <functional>
#include <vector>

#include "common/clock/clock.h"
#include "common/http/http_server.h"
#include "remediator/actions/restart_action.h"
#include "remediator/app/remediator_config.h"
#include "remediator/app/remediator_counters.h"
#include "remediator/app/restart_worker.h"
#include "remediator/app/state_keeper.h"
#include "remediator/decision/engine.h"

namespace fhc::remediator {

class WebhookHandler {
 public:
  WebhookHandler(const RemediatorConfig& config, const Engine& engine, StateKeeper& keeper,
                 RestartAction& action, RestartWorker& worker, SharedCounters& counters,
                 const Clock& clock);

  // Thread-safe: the HTTP server calls it from several threads.
  http::ServerResponse Handle(const http::ServerRequest& request);

 private:
  const RemediatorConfig& config_;
  const Engine& engine_;
  StateKeeper& keeper_;
  RestartAction& action_;
  RestartWorker& worker_;
  SharedCounters& counters_;
  const Clock& clock_;
};

// A JSON response {"error": message} with `status`.
http::ServerResponse JsonError(int status, const std::string& message);
// A JSON response with `status` and the body (a newline is appended).
http::ServerResponse JsonResponse(int status, std::string body);

}  // namespace fhc::remediator
