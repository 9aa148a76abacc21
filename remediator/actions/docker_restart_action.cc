#include "remediator/actions/docker_restart_action.h"

#include <utility>

#include "common/kube/rfc3339.h"

namespace fhc::remediator {

std::string DockerLeaveAloneReason(const docker::ContainerInfo& c,
                                   std::optional<long> previous_restart_count) {
  const std::string name = "container " + c.name;
  if (c.restarting || c.status == "restarting") {
    return name + " is being restarted by Docker's restart policy (RestartCount " +
           std::to_string(c.restart_count) + "): left to Docker";
  }
  if (c.paused || c.status == "paused") return name + " is paused: someone paused it on purpose";
  if (!c.running || c.status != "running") {
    return name + " is " + (c.status.empty() ? std::string("not running") : c.status) +
           ", not running: stopped on purpose or not ours to start";
  }
  if (previous_restart_count && c.restart_count > *previous_restart_count) {
    return name + " was restarted by Docker's restart policy since the previous observation " +
           "(RestartCount " + std::to_string(*previous_restart_count) + " -> " +
           std::to_string(c.restart_count) + "): left to Docker";
  }
  return "";
}

DockerRestartAction::DockerRestartAction(docker::Client& docker, std::string container,
                                         int stop_timeout_seconds, std::string label)
    : docker_(docker),
      container_(std::move(container)),
      stop_timeout_seconds_(stop_timeout_seconds),
      label_(std::move(label)) {}

Result<docker::ContainerInfo> DockerRestartAction::Inspect() {
  auto id = docker_.Resolve(container_, label_);
  if (!id) return Result<docker::ContainerInfo>::Error(id.error());
  return docker_.Inspect(*id);
}

Result<RestartReceipt> DockerRestartAction::Restart(const Target&, WallTime now) {
  auto id = docker_.Resolve(container_, label_);
  if (!id) return Result<RestartReceipt>::Error(id.error());
  const docker::CallResult r = docker_.Restart(*id, stop_timeout_seconds_);
  if (!r.ok()) return Result<RestartReceipt>::Error(r.error);
  RestartReceipt receipt;
  receipt.action = name();
  receipt.intent_timestamp = IntentTimestamp(now);
  receipt.requested_at = now;
  receipt.detail =
      "POST /containers/" + *id + "/restart?t=" + std::to_string(stop_timeout_seconds_) + " (204)";
  return receipt;
}

Result<RecoveryStatus> DockerRestartAction::CheckRecovery(const Target& target,
                                                          const RestartReceipt& receipt) {
  auto c = Inspect();
  if (!c) {
    if (c.error().find(": 404 ") != std::string::npos) {
      return RecoveryStatus{RecoveryState::kFailed, c.error()};
    }
    return Result<RecoveryStatus>::Error(c.error());
  }
  if (c->status == "exited" || c->status == "dead") {
    return RecoveryStatus{RecoveryState::kFailed, "container " + c->name + " is " + c->status};
  }
  // StartedAt has nanoseconds; the request time is compared a second early (clock granularity of
  // the intent stamp is not involved here, but the daemon's clock may trail ours a little).
  if (c->running && !c->restarting && !c->paused && c->started_at &&
      c->started_at->ToWallTime() >= receipt.requested_at - std::chrono::seconds(1)) {
    const std::string running = "container " + c->name + " running again since its restart";
    if (frigate_ == nullptr) return RecoveryStatus{RecoveryState::kRecovered, running};
    // The container is up; Frigate inside it must answer with a fresh uptime too.
    auto frigate = frigate_->CheckRecovery(target, receipt);
    if (!frigate) {
      return RecoveryStatus{RecoveryState::kInProgress,
                            running + "; Frigate not answering yet: " + frigate.error()};
    }
    return RecoveryStatus{frigate->state, running + "; Frigate: " + frigate->detail};
  }
  return RecoveryStatus{RecoveryState::kInProgress,
                        "container " + c->name + " is " + c->status + ", not yet restarted"};
}

std::optional<long> DockerRestartAction::PreviousRestartCount(const docker::ContainerInfo& c) {
  std::lock_guard<std::mutex> lock(seen_mu_);
  std::optional<long> previous;
  if (!seen_id_.empty() && seen_id_ == c.id) previous = seen_restart_count_;
  seen_id_ = c.id;
  seen_restart_count_ = c.restart_count;
  return previous;
}

void DockerRestartAction::NoteObservation(const Target&) {
  if (auto c = Inspect()) PreviousRestartCount(*c);
}

Result<TargetFacts> DockerRestartAction::GatherFacts(const Target&) {
  TargetFacts facts;
  facts.kubernetes = false;
  facts.frigate_started_at_required = true;  // fail closed: no start time, no restart
  auto c = Inspect();
  if (!c) {
    facts.frigate_started_at_error = c.error();
    return facts;
  }
  if (std::string why = DockerLeaveAloneReason(*c, PreviousRestartCount(*c)); !why.empty()) {
    facts.frigate_started_at_error = why;
  } else if (!c->started_at) {
    facts.frigate_started_at_error = "container " + c->name + " reports no State.StartedAt";
  } else {
    facts.frigate_started_at = c->started_at->ToWallTime();
    facts.frigate_started_at_source = "container";
  }
  return facts;
}

Result<bool> DockerRestartAction::RestartHappened(const Target&,
                                                  const std::string& intent_timestamp) {
  auto intent = kube::ParseRfc3339(intent_timestamp);
  if (!intent) return Result<bool>::Error("unreadable intent timestamp " + intent_timestamp);
  auto c = Inspect();
  if (!c) return Result<bool>::Error(c.error());
  return c->started_at.has_value() && c->started_at->ToWallTime() >= *intent;
}

}  // namespace fhc::remediator
