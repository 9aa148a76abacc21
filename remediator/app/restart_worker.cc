#include "remediator/app/restart_worker.h"

#include <spdlog/spdlog.h>

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
    for (auto& job : jobs) queue_.push_back(std::move(job));
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
    std::map<std::string, TargetFacts> facts;
    if (config_.email_enabled) facts[target.Key()] = FactsOrErrors(action_, target);
    keeper_.Transact(
        [&](State& s) {
          auto r = engine_.Recover(s, target, evidence, clock_.Now());
          if (config_.email_enabled) {
            ComposeAndEnqueue(s, r.mails, facts, config_.email, clock_.Now());
          }
        },
        "recovery");
  }
}

void RestartWorker::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    RestartJob job = queue_.front();
    queue_.pop_front();
    running_ = true;
    lock.unlock();
    Run(job);
    lock.lock();
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
  auto stored = keeper_.Transact(
      [&](State& s) {
        auto r = engine_.CompleteRestart(s, job.target, job.intent.id, result, clock_.Now());
        if (config_.email_enabled) {
          ComposeAndEnqueue(s, r.mails, facts, config_.email, clock_.Now());
        }
      },
      "restart completion");
  counters_.Update([&](RemediatorCounters& c) {
    c.restarts[{job.target.namespace_, job.target.deployment, result.ok ? "ok" : "failed"}] += 1;
  });
  if (stored) CrashPoint("after_completion_stored");
}

}  // namespace fhc::remediator
