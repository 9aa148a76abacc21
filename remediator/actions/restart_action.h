#pragma once
// How the remediator restarts Frigate and learns about it: one interface, one implementation per
// RESTART_ACTION (kubernetes, frigate-api, dry-run). Actions do I/O only; whether to restart is
// decided elsewhere from the facts they gather.
#include <string>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "remediator/target/target.h"

namespace fhc::remediator {

// What a restart request left behind, enough to follow it up (also after a process restart, so
// the caller may store it).
struct RestartReceipt {
  std::string action;            // the action's name()
  std::string intent_timestamp;  // IntentTimestamp(now) of the Restart call
  WallTime requested_at;         // when the request was sent
  std::string detail;            // what was done, for logs and mail ("PATCH ... restartedAt=...")
};

enum class RecoveryState {
  kInProgress,  // not back yet; ask again later (the caller owns the overall deadline)
  kRecovered,   // the restarted Frigate is up
  kFailed,      // it will not come back by itself (rollout failed, deployment gone, ...)
};

struct RecoveryStatus {
  RecoveryState state = RecoveryState::kInProgress;
  std::string detail;  // why ("1 of 1 updated replicas are available", "uptime 12 s")
};

// The timestamp a restart at `now` carries: RFC 3339 at local offset, second precision, exactly as
// kubectl writes kubectl.kubernetes.io/restartedAt. The caller records it as its intent before
// calling Restart so that, after a crash, RestartHappened can tell whether the request went out.
std::string IntentTimestamp(WallTime now);

class RestartAction {
 public:
  virtual ~RestartAction() = default;

  // "kubernetes" | "frigate-api" | "dry-run" (the RESTART_ACTION value).
  virtual std::string name() const = 0;
  // Whether gates that need Kubernetes facts apply.
  virtual bool uses_kubernetes() const = 0;

  // Sends the restart. An error means no restart was requested, or that it cannot be known (the
  // message says which; RestartHappened can settle it).
  virtual Result<RestartReceipt> Restart(const Target& target, WallTime now) = 0;
  // One look at how the restart is going; no waiting inside.
  virtual Result<RecoveryStatus> CheckRecovery(const Target& target,
                                               const RestartReceipt& receipt) = 0;
  // Facts for the gates. Facts that could not be learned are absent with their *_error set; the
  // call itself fails only when the action cannot work at all.
  virtual Result<TargetFacts> GatherFacts(const Target& target) = 0;
  // An observation of the target that asks for no facts (a gate without facts already blocks):
  // an action whose facts compare with the previous observation takes its baseline here.
  // Never fails; most actions ignore it.
  virtual void NoteObservation(const Target& target) { (void)target; }
  // Crash recovery: whether the restart recorded with this intent timestamp took place.
  virtual Result<bool> RestartHappened(const Target& target,
                                       const std::string& intent_timestamp) = 0;
};

}  // namespace fhc::remediator
