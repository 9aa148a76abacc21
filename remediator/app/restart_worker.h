#pragma once
// The restart worker: one thread that runs restarts one at a time and records how they ended.
//
// Contract:
//   - Only restarts whose intent is already stored are handed in (Enqueue); the worker runs the
//     action, watches recovery for up to RECOVERY_TIMEOUT_SECONDS (polling every
//     recovery_poll_seconds, 2 s), then stores the completion and its mail in one state write.
//   - On start it first settles intents left pending by a previous run from evidence
//     (RestartHappened): "did not happen" is final only once the intent is older than
//     RECOVERY_TIMEOUT_SECONDS; until then the intent stays pending, so nothing restarts the
//     target meanwhile. Webhooks are served during this.
//   - A completion (or a settlement) whose state write fails is written again, with backoff
//     (1 s doubling to 30 s), until it is stored or the worker stops: a store outage delays the
//     record and its mail, never loses them.
//   - Any intent still pending RECOVERY_TIMEOUT_SECONDS + API_TIMEOUT_SECONDS +
//     recovery_poll_seconds (2 s) after it was made, and not being run or watched by this process,
//     is stale (its owner died, or could not store its completion): checked every
//     2 s in the last known state and settled from evidence like a start does
//     (happened or unknown: completed and mailed; did not happen: dropped).
//   - Stopping mid-watch leaves the intent pending; the next start settles it.
//   - restarts{namespace,deployment,result} counts every finished attempt.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock/clock.h"
#include "remediator/actions/restart_action.h"
#include "remediator/app/remediator_config.h"
#include "remediator/app/remediator_counters.h"
#include "remediator/app/state_keeper.h"
#include "remediator/decision/engine.h"

namespace fhc::remediator {

struct RestartJob {
  Target target;
  RestartIntent intent;
};

class RestartWorker {
 public:
  RestartWorker(const RemediatorConfig& config, const Engine& engine, StateKeeper& keeper,
                RestartAction& action, SharedCounters& counters, const Clock& clock);
  ~RestartWorker();

  // Starts the thread: pending intents in the keeper's last state are settled first.
  void Start();
  // Returns once the thread has ended (a running watch is abandoned, its intent left pending).
  void Stop();

  void Enqueue(std::vector<RestartJob> jobs);

  // True when nothing is queued, running or being settled.
  bool Idle() const;

 private:
  void RecoverPending();
  void SettleStale();
  // Settles `intent` of `target` from `evidence` in the stored state, if it is still pending there.
  void Settle(const Target& target, const RestartIntent& intent, RestartEvidence evidence);
  void Loop();
  void Run(const RestartJob& job);
  // Transact until stored (backoff between tries); false only when stopping first.
  bool StoreUntilStored(const std::function<void(State&)>& change, const char* what);
  // Waits `seconds` or until Stop; true when stopping.
  bool SleepUnlessStopping(double seconds);

  const RemediatorConfig& config_;
  const Engine& engine_;
  StateKeeper& keeper_;
  RestartAction& action_;
  SharedCounters& counters_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<RestartJob> queue_;
  std::set<std::string> active_;  // ids of intents queued or running here
  bool running_ = false;
  std::thread thread_;
};

}  // namespace fhc::remediator
