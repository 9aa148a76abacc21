#include "remediator/app/state_keeper.h"

#include <spdlog/spdlog.h>

#include "remediator/state/legacy_import.h"
#include "remediator/state/state_bounds.h"
#include "remediator/state/state_codec.h"

namespace fhc::remediator {

StateKeeper::StateKeeper(StateStore& store, Target default_target, const Clock& clock,
                         SharedCounters& counters)
    : store_(store),
      default_target_(std::move(default_target)),
      clock_(clock),
      counters_(counters) {}

Result<State> StateKeeper::Decode(const StoredState& stored) const {
  if (stored.state_json.empty()) {
    State fresh;
    if (!stored.legacy.empty()) {
      // The old CronJob's four keys, read once: they become this target's starting state.
      auto imported = ImportLegacy(stored.legacy, default_target_, clock_.Now());
      for (const auto& w : imported.warnings) spdlog::warn("legacy state: {}", w);
      if (imported.found) fresh.targets[default_target_.Key()] = imported.state;
    }
    fresh.unreadable_hold = stored.unreadable_note;
    return fresh;
  }
  auto state = DecodeState(stored.state_json);
  if (state) state->unreadable_hold = stored.unreadable_note;
  return state;
}

Result<std::string> StateKeeper::KeepUnreadable(const std::string& document,
                                                const std::string& error) {
  const std::string when = FormatStateTime(clock_.Now());
  const auto note = [&](const std::string& kept_at) {
    return "The remediator could not read its state at " + when + " (" + error +
           "); the unreadable document is kept in " + kept_at +
           ". Its restart history is unknown, so every restart is held back (circuit breaker "
           "open) until a person has looked at it and removes this note: " +
           store_.HowToRelease();
  };
  auto kept = store_.KeepUnreadable(document, EncodeState(State{}), note);
  if (kept) {
    counters_.Update([](RemediatorCounters& c) { c.state_unreadable += 1; });
    spdlog::error(
        "STATE IS CORRUPT OR UNREADABLE ({}); kept it in {} and started from an empty state; "
        "restarts are held back until a person acts: {}",
        error, *kept, store_.HowToRelease());
  }
  return kept;
}

Result<State> StateKeeper::Read() const {
  auto stored = store_.Read();
  if (!stored) return Result<State>::Error(stored.error());
  return Decode(*stored);
}

Result<State> StateKeeper::Transact(const std::function<void(State&)>& change, const char* what) {
  State result;
  bool corrupt = false;
  std::string bad_document, bad_error;
  Dropped dropped;
  auto update = [&](const StoredState& stored) -> Result<std::string> {
    corrupt = false;
    dropped.clear();
    auto state = Decode(stored);
    if (!state) {
      corrupt = true;
      bad_document = stored.state_json;
      bad_error = state.error();
      return Result<std::string>::Error("stored state is corrupt: " + state.error());
    }
    change(*state);
    dropped = BoundState(*state);
    std::string text = EncodeState(*state);
    if (text.size() > kStateBudgetBytes) {
      for (const auto& [what, n] : FitState(*state, text.size())) dropped[what] += n;
      text = EncodeState(*state);
    }
    result = *state;
    return text;
  };
  auto stored = store_.Update(update);
  if (!stored && corrupt) {
    // Someone damaged the document while we ran: keep it for a person, go on from empty.
    auto kept = KeepUnreadable(bad_document, bad_error);
    if (!kept) spdlog::error("unreadable state not kept: {}", kept.error());
    stored = store_.Update(update);
  }
  if (!stored) {
    counters_.Update([](RemediatorCounters& c) { c.state_writes["error"] += 1; });
    spdlog::error("state not stored ({}): {}", what, stored.error());
    return Result<State>::Error(stored.error());
  }
  counters_.Update([](RemediatorCounters& c) { c.state_writes["ok"] += 1; });
  ReportDropped(dropped, what);
  std::lock_guard lock(mu_);
  last_ = result;
  return result;
}

Status StateKeeper::Load() {
  auto stored = store_.Read();
  if (!stored)
    return Status::Error("cannot read state from " + store_.Describe() + ": " + stored.error());
  auto state = Decode(*stored);
  if (!state) {
    auto kept = KeepUnreadable(stored->state_json, state.error());
    if (!kept) {
      // Another replica may have kept it and replaced it a moment ago: then the store reads well.
      auto again = store_.Read();
      if (!again || !Decode(*again)) {
        return Status::Error("state in " + store_.Describe() + " is unreadable (" + state.error() +
                             ") and cannot be kept for a person: " + kept.error());
      }
      spdlog::warn("unreadable state not kept here ({}); it reads well now", kept.error());
    }
    stored = store_.Read();
    if (!stored) return Status::Error("cannot read state again: " + stored.error());
    state = Decode(*stored);
    if (!state) return Status::Error("state still unreadable after keeping it: " + state.error());
  }
  std::lock_guard lock(mu_);
  last_ = *state;
  return OkStatus();
}

State StateKeeper::Last() const {
  std::lock_guard lock(mu_);
  return last_;
}

void StateKeeper::ReportDropped(const std::map<std::string, std::size_t>& dropped,
                                const char* where) {
  if (dropped.empty()) return;
  counters_.Update([&](RemediatorCounters& c) {
    for (const auto& [what, n] : dropped) c.state_dropped[what] += static_cast<double>(n);
  });
  spdlog::warn(
      "state bounds ({}): dropped {} to keep the state small (limits: README, \"State "
      "limits\")",
      where, DescribeDropped(dropped));
}

}  // namespace fhc::remediator
