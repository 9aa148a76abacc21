#pragma once
// The remediator at work: webhooks in, decisions stored (write-ahead), restarts run and watched
// on a worker thread, mails sent from the stored outbox on another. The pure rules live in
// remediator/decision; this class only moves data between them and the edges (store, action,
// mail sender, clock).
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "common/clock/clock.h"
#include "common/http/http_server.h"
#include "common/metrics/process_collector.h"
#include "remediator/actions/restart_action.h"
#include "remediator/app/remediator_config.h"
#include "remediator/decision/engine.h"
#include "remediator/mail/mail_sender.h"
#include "remediator/store/state_store.h"

namespace fhc::remediator {

// Counters behind the frigate_remediator_* families.
struct RemediatorCounters {
  std::map<std::string, double> webhooks;                                        // result
  std::map<std::pair<std::string, std::string>, double> decisions;               // outcome, gate
  std::map<std::tuple<std::string, std::string, std::string>, double> restarts;  // ns, dep, result
  std::map<std::string, double> emails;                                          // result
  std::map<std::string, double> state_writes;                                    // result
};

class RemediatorService {
 public:
  // `mail` may be null (mail off). `move_aside` renames a corrupt state document out of the way
  // (file store) and returns its new name; null when the store cannot (ConfigMap).
  RemediatorService(RemediatorConfig config, StateStore& store, RestartAction& action,
                    MailSender* mail, const Clock& clock,
                    std::function<Result<std::string>()> move_aside = nullptr);
  ~RemediatorService();

  // Loads the state (a corrupt one is moved aside with a loud error and replaced by a fresh
  // state) and starts the worker threads; the restart worker first settles restarts left
  // pending by a previous run (waiting up to RECOVERY_TIMEOUT_SECONDS after the intent for
  // evidence that it happened, the intent staying pending meanwhile).
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
  struct RestartJob {
    Target target;
    RestartIntent intent;
  };

  // Applies `fn` to the stored state and stores the result (fn may run more than once).
  Result<State> Transact(const std::function<void(State&)>& fn, const char* what);
  Result<State> Decode(const StoredState& stored) const;
  void ComposeAndQueue(State& state, const std::vector<MailRequest>& requests,
                       const std::map<std::string, TargetFacts>& facts, WallTime now) const;
  TargetFacts Facts(const Target& target);
  void RecoverPending();
  void RestartLoop();
  void RunRestart(const RestartJob& job);
  void MailLoop();
  void SendDueMails();
  void Count(std::map<std::string, double> RemediatorCounters::*family, const std::string& key);
  void CountDecision(const Decision& d);

  RemediatorConfig config_;
  Engine engine_;
  StateStore& store_;
  RestartAction& action_;
  MailSender* mail_;
  const Clock& clock_;
  std::function<Result<std::string>()> move_aside_;
  metrics::ProcessCollector process_collector_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<RestartJob> restarts_;
  bool restart_running_ = false;
  State last_state_;  // as last read or written, for metrics and status pages
  RemediatorCounters counters_;
  std::thread restart_thread_;
  std::thread mail_thread_;
};

// Test hook: when the environment variable FHC_TEST_CRASH_AT names `point`, the process kills
// itself with SIGKILL there (crash-consistency tests). Points: after_intent_stored,
// after_restart_requested, after_completion_stored, after_mail_sent.
void CrashPoint(const char* point);

}  // namespace fhc::remediator
