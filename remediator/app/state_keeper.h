#pragma once
// The one door to the state store. Every read and write of the state document goes through the
// keeper: it decodes the document (importing the old CronJob's keys once, when there is no
// document yet), applies changes as read-modify-write transactions, deals with a document that
// cannot be decoded, counts writes (state_writes{result}), and keeps the last state read or
// written for metrics and status pages. Thread-safe.
//
// Every document it stores is bounded first (state_bounds.h: BoundState, then FitState to
// kStateBudgetBytes), and what that dropped is logged and counted.
//
// A document it cannot decode (damaged, or written by a newer version with a newer schema, e.g.
// after a rollback) is never silently replaced: the store keeps it for a person
// (StateStore::KeepUnreadable), the keeper logs an error and counts it (state_unreadable), and
// carries on from an empty state whose unreadable_hold holds every restart back until a person
// removes the store's note (StateStore::HowToRelease).
#include <functional>
#include <mutex>
#include <string>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "remediator/app/remediator_counters.h"
#include "remediator/state/state.h"
#include "remediator/store/state_store.h"

namespace fhc::remediator {

class StateKeeper {
 public:
  // `default_target` receives a legacy import.
  StateKeeper(StateStore& store, Target default_target, const Clock& clock,
              SharedCounters& counters);

  // At start: reads the state (an undecodable one is kept for a person, see above). Errors: the
  // store cannot be read, or the unreadable document cannot be kept.
  Status Load();

  // A fresh decoded read; does not change Last().
  Result<State> Read() const;

  // Applies `change` to the stored state and stores the result (`change` may run more than
  // once, so it must depend on its argument only). On success Last() is the stored state; on
  // failure nothing is stored and the error is logged with `what`.
  Result<State> Transact(const std::function<void(State&)>& change, const char* what);

  // The state as last read at Load or written by Transact.
  State Last() const;

  // Logs (warning) and counts (state_dropped{what}) what the state's bounds dropped; `where`
  // names the occasion. Transact reports its own drops.
  void ReportDropped(const std::map<std::string, std::size_t>& dropped, const char* where);

  StateStore& store() { return store_; }

 private:
  Result<State> Decode(const StoredState& stored) const;
  // Has the store keep `document` (which failed to decode with `error`); returns where it went.
  Result<std::string> KeepUnreadable(const std::string& document, const std::string& error);

  StateStore& store_;
  const Target default_target_;
  const Clock& clock_;
  SharedCounters& counters_;
  mutable std::mutex mu_;
  State last_;
};

}  // namespace fhc::remediator
