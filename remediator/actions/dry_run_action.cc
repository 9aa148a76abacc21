#include "remediator/actions/dry_run_action.h"

namespace fhc::remediator {

DryRunAction::DryRunAction(RestartAction* facts_source) : facts_source_(facts_source) {}

bool DryRunAction::uses_kubernetes() const {
  return facts_source_ != nullptr && facts_source_->uses_kubernetes();
}

Result<RestartReceipt> DryRunAction::Restart(const Target& target, WallTime now) {
  RestartReceipt receipt;
  receipt.action = name();
  receipt.intent_timestamp = IntentTimestamp(now);
  receipt.requested_at = now;
  receipt.detail = "dry run: would restart " + target.Key() +
                   (facts_source_ ? " with action " + facts_source_->name() : std::string()) +
                   "; nothing was sent";
  std::lock_guard lock(mu_);
  would_restart_.push_back({target, now, receipt.intent_timestamp});
  return receipt;
}

Result<RecoveryStatus> DryRunAction::CheckRecovery(const Target&, const RestartReceipt&) {
  return RecoveryStatus{RecoveryState::kRecovered, "dry run: nothing was restarted"};
}

void DryRunAction::NoteObservation(const Target& target) {
  if (facts_source_ != nullptr) facts_source_->NoteObservation(target);
}

Result<TargetFacts> DryRunAction::GatherFacts(const Target& target) {
  if (facts_source_ != nullptr) return facts_source_->GatherFacts(target);
  TargetFacts facts;
  facts.frigate_started_at_error = "dry run without a facts source";
  return facts;
}

Result<bool> DryRunAction::RestartHappened(const Target&, const std::string&) { return false; }

std::vector<DryRunAction::WouldRestart> DryRunAction::would_restart() const {
  std::lock_guard lock(mu_);
  return would_restart_;
}

}  // namespace fhc::remediator
