#include "remediator/app/restart_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "remediator/app/crash_point.h"
#include "remediator/app/target_facts.h"
#include "remediator/mail/composer.h"

namespace fhc::remediator {
namespace {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

}  // namespace

RestartWorker::RestartWorker(const RemediatorConfig& config, const Engine& engine,
                             StateKeeper& keeper, RestartAction& action, SharedCounters& counters,
                             const Clock& clock)
    : config_(config),
      engine_(engine),
      keeper_(keeper),
      action_(action),
      counters_(counters),
      clock_(clock) {}

RestartWorker::~RestartWorker() { Stop(); }

void RestartWorker::Start() {
  {
    std::lock_guard lock(mu_);
    running_ = true;  // for Idle, until the pending restarts are settled
  }
  // Settling restarts left pending may take a while (see RecoverPending): on this thread, before
  // it takes new work, so webhooks are served meanwhile.
  thread_ = std::thread([this] {
    RecoverPending();
    {
      std::lock_guard lock(mu_);
      running_ = false;
    }
    Loop();
  });
}

void RestartWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RestartWorker::Enqueue(std::vector<RestartJob> jobs) {
  {
    std::lock_guard lock(mu_);
    for (auto& job : jobs) {
      active_.insert(job.intent.id);
      queue_.push_back(std::move(job));
    }
  }
  wake_.notify_all();
}

bool RestartWorker::Idle() const {
  std::lock_guard lock(mu_);
  return queue_.empty() && !running_;
}

bool RestartWorker::SleepUnlessStopping(double seconds) {
  std::unique_lock lock(mu_);
  return wake_.wait_for(lock, Millis(seconds), [&] { return stopping_; });
}

void RestartWorker::RecoverPending() {
  std::vector<std::pair<Target, RestartIntent>> pending;
  for (const auto& [key, ts] : keeper_.Last().targets) {
    if (ts.pending) pending.emplace_back(ts.target, *ts.pending);
  }
  for (const auto& entry : pending) {
    // Named references, not a structured binding: lambdas below capture them.
    const Target& target = entry.first;
    const RestartIntent& intent = entry.second;
    auto happened = action_.RestartHappened(target, IntentTimestamp(intent.at));
    // A restart requested just before the crash may not have begun yet (Frigate answers
    // POST /api/restart before its old process exits), so "did not happen" is final only once
    // the intent is older than the recovery timeout. Until then look again; the intent stays
    // pending meanwhile, so nothing else restarts the target.
    const WallTime settled_at = intent.at + Millis(config_.recovery_timeout_seconds);
    while (happened && !*happened && clock_.Now() < settled_at) {
      if (SleepUnlessStopping(config_.recovery_poll_seconds)) {
        return;  // still pending: the next start settles it
      }
      happened = action_.RestartHappened(target, IntentTimestamp(intent.at));
    }
    RestartEvidence evidence = !happened   ? RestartEvidence::kUnknown
                               : *happened ? RestartEvidence::kHappened
                                           : RestartEvidence::kDidNotHappen;
    spdlog::warn(
        "restart {} of {} was pending when the remediator stopped: {}", intent.id, target.Key(),
        !happened
            ? "cannot tell whether it happened (" + happened.error() + "); counting it as done"
        : *happened ? "it happened; recording it"
                    : "it did not happen; the next observation decides again");
    Settle(target, intent, evidence);
  }
}

void RestartWorker::Settle(const Target& target, const RestartIntent& intent,
                           RestartEvidence evidence) {
  std::map<std::string, TargetFacts> facts;
  if (config_.email_enabled) facts[target.Key()] = FactsOrErrors(action_, target);
  StoreUntilStored(
      [&](State& s) {
        // Another process may have settled it meanwhile, or made a new intent since.
        const TargetState* ts = s.Find(target);
        if (ts == nullptr || !ts->pending || ts->pending->id != intent.id) return;
        auto r = engine_.Recover(s, target, evidence, clock_.Now());
        if (config_.email_enabled) {
          ComposeAndEnqueue(s, r.mails, facts, config_.email, clock_.Now());
        }
      },
      "settling a pending restart");
}

void RestartWorker::SettleStale() {
  const WallTime now = clock_.Now();
  const auto stale_after = Millis(config_.recovery_timeout_seconds + config_.api_timeout_seconds +
                                  config_.recovery_poll_seconds);
  std::vector<std::pair<Target, RestartIntent>> stale;
  {
    const State last = keeper_.Last();
    std::lock_guard lock(mu_);
    for (const auto& [key, ts] : last.targets) {
      if (ts.pending && now - ts.pending->at > stale_after && !active_.count(ts.pending->id)) {
        stale.emplace_back(ts.target, *ts.pending);
      }
    }
  }
  for (const auto& [target, intent] : stale) {
    auto happened = action_.RestartHappened(target, IntentTimestamp(intent.at));
    RestartEvidence evidence = !happened   ? RestartEvidence::kUnknown
                               : *happened ? RestartEvidence::kHappened
                                           : RestartEvidence::kDidNotHappen;
    spdlog::warn(
        "restart {} of {} is still pending {:.0f} s after it was decided and nobody here runs "
        "it: {}",
        intent.id, target.Key(), ToUnixSeconds(now) - ToUnixSeconds(intent.at),
        !happened
            ? "cannot tell whether it happened (" + happened.error() + "); counting it as done"
        : *happened ? "it happened; recording it"
                    : "it did not happen; the next observation decides again");
    Settle(target, intent, evidence);
  }
}

bool RestartWorker::StoreUntilStored(const std::function<void(State&)>& change, const char* what) {
  double backoff = 1;
  while (!keeper_.Transact(change, what)) {
    spdlog::warn("will store the {} again in {:.0f} s", what, backoff);
    if (SleepUnlessStopping(backoff)) return false;
    backoff = std::min(backoff * 2, 30.0);
  }
  return true;
}

void RestartWorker::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    const bool woken = wake_.wait_for(lock, Millis(config_.recovery_poll_seconds),
                                      [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    if (!woken) {
      lock.unlock();
      SettleStale();
      lock.lock();
      continue;
    }
    RestartJob job = queue_.front();
    queue_.pop_front();
    running_ = true;
    lock.unlock();
    Run(job);
    lock.lock();
    active_.erase(job.intent.id);
    running_ = false;
  }
}

void RestartWorker::Run(const RestartJob& job) {
  spdlog::warn("restarting {} with {} (intent {})", job.target.Key(), action_.name(),
               job.intent.id);
  RestartResult result;
  auto receipt = action_.Restart(job.target, job.intent.at);
  CrashPoint("after_restart_requested");
  if (!receipt) {
    result.detail = receipt.error();
  } else {
    const auto deadline = clock_.Now() + Millis(config_.recovery_timeout_seconds);
    while (true) {
      auto status = action_.CheckRecovery(job.target, *receipt);
      if (status && status->state == RecoveryState::kRecovered) {
        result = {true, receipt->detail + "; " + status->detail};
        break;
      }
      if (status && status->state == RecoveryState::kFailed) {
        result.detail = status->detail;
        break;
      }
      if (clock_.Now() >= deadline) {
        result.detail = "not recovered within " +
                        std::to_string(static_cast<long>(config_.recovery_timeout_seconds)) + " s" +
                        (status ? ": " + status->detail : ": " + status.error());
        break;
      }
      if (SleepUnlessStopping(config_.recovery_poll_seconds)) {
        // Stopping mid-watch: the intent stays pending; the next start settles it.
        return;
      }
    }
  }
  spdlog::log(result.ok ? spdlog::level::info : spdlog::level::err, "restart of {} {}: {}",
              job.target.Key(), result.ok ? "done" : "failed", result.detail);
  std::map<std::string, TargetFacts> facts;
  if (config_.email_enabled) facts[job.target.Key()] = FactsOrErrors(action_, job.target);
  counters_.Update([&](RemediatorCounters& c) {
    c.restarts[{job.target.namespace_, job.target.deployment, result.ok ? "ok" : "failed"}] += 1;
  });
  // Stored until it is: a failed write must not leave the intent pending for good (that would
  // hold every later decision for the target) nor lose the restart's mail.
  const bool stored = StoreUntilStored(
      [&](State& s) {
        auto r = engine_.CompleteRestart(s, job.target, job.intent.id, result, clock_.Now());
        if (config_.email_enabled) {
          ComposeAndEnqueue(s, r.mails, facts, config_.email, clock_.Now());
        }
      },
      "restart completion");
  if (stored) CrashPoint("after_completion_stored");
}

}  // namespace fhc::remediator
