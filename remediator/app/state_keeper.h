#pragma once
// The one door to the state store. Every read and write of the state document goes through the
// keeper: it decodes the document (importing the old CronJob's keys once, when there is no
// document yet), applies changes as read-modify-write transactions, deals with a document that
// cannot be decoded, counts writes (state_writes{result}), and keeps the last state read or
// written for metrics and status pages. Thread-safe.
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
  // `move_aside` renames an undecodable document out of the way (file store) and returns its
  // new name; null when the store cannot (ConfigMap). `default_target` receives a legacy import.
  StateKeeper(StateStore& store, Target default_target, const Clock& clock,
              SharedCounters& counters, std::function<Result<std::string>()> move_aside);

  // At start: reads the state. An undecodable one is moved aside (or, without move_aside,
  // replaced) with a loud error and the keeper starts from an empty state. Errors: the store
  // cannot be read, or the bad document cannot be kept/replaced.
  Status Load();

  // A fresh decoded read; does not change Last().
  Result<State> Read() const;

  // Applies `change` to the stored state and stores the result (`change` may run more than
  // once, so it must depend on its argument only). On success Last() is the stored state; on
  // failure nothing is stored and the error is logged with `what`.
  Result<State> Transact(const std::function<void(State&)>& change, const char* what);

  // The state as last read at Load or written by Transact.
  State Last() const;

  StateStore& store() { return store_; }

 private:
  Result<State> Decode(const StoredState& stored) const;

  StateStore& store_;
  const Target default_target_;
  const Clock& clock_;
  SharedCounters& counters_;
  std::function<Result<std::string>()> move_aside_;
  mutable std::mutex mu_;
  State last_;
};

}  // namespace fhc::remediator
