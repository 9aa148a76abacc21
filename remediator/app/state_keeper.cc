#include "remediator/app/state_keeper.h"

#include <spdlog/spdlog.h>

#include "remediator/state/legacy_import.h"
#include "remediator/state/state_codec.h"

namespace fhc::remediator {

StateKeeper::StateKeeper(StateStore& store, Target default_target, const Clock& clock,
                         SharedCounters& counters, std::function<Result<std::string>()> move_aside)
    : store_(store),
      default_target_(std::move(default_target)),
      clock_(clock),
      counters_(counters),
      move_aside_(std::move(move_aside)) {}

Result<State> StateKeeper::Decode(const StoredState& stored) const {
  if (stored.state_json.empty()) {
    State fresh;
    if (!stored.legacy.empty()) {
      // The old CronJob's four keys, read once: they become this target's starting state.
      auto imported = ImportLegacy(stored.legacy, default_target_, clock_.Now());
      for (const auto& w : imported.warnings) spdlog::warn("legacy state: {}", w);
      if (imported.found) fresh.targets[default_target_.Key()] = imported.state;
    }
    return fresh;
  }
  return DecodeState(stored.state_json);
}

Result<State> StateKeeper::Read() const {
  auto stored = store_.Read();
  if (!stored) return Result<State>::Error(stored.error());
  return Decode(*stored);
}

Result<State> StateKeeper::Transact(const std::function<void(State&)>& change, const char* what) {
  State result;
  bool corrupt = false;
  auto update = [&](const StoredState& stored) -> Result<std::string> {
    auto state = Decode(stored);
    if (!state) {
      corrupt = true;
      return Result<std::string>::Error("stored state is corrupt: " + state.error());
    }
    change(*state);
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
  if (!stored) {
    counters_.Update([](RemediatorCounters& c) { c.state_writes["error"] += 1; });
    spdlog::error("state not stored ({}): {}", what, stored.error());
    return Result<State>::Error(stored.error());
  }
  counters_.Update([](RemediatorCounters& c) { c.state_writes["ok"] += 1; });
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
  std::lock_guard lock(mu_);
  last_ = *state;
  return OkStatus();
}

State StateKeeper::Last() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace fhc::remediator
