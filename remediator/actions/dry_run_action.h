#pragma once
// RESTART_ACTION=dry-run (or DRY_RUN=true): decides and reports as usual but never restarts.
// It remembers what it would have done; facts come from the wrapped real action when there is
// one (so the gates judge a dry run exactly as a real one), else none.
#include <mutex>
#include <string>
#include <vector>

#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

class DryRunAction final : public RestartAction {
 public:
  struct WouldRestart {
    Target target;
    WallTime at;
    std::string intent_timestamp;
  };

  // facts_source may be null; it is only ever asked for GatherFacts, NoteObservation and
  // uses_kubernetes().
  explicit DryRunAction(RestartAction* facts_source = nullptr);

  std::string name() const override { return "dry-run"; }
  bool uses_kubernetes() const override;
  // Records the restart it would have sent and returns a receipt saying so; contacts nothing.
  Result<RestartReceipt> Restart(const Target& target, WallTime now) override;
  // Immediately "recovered": nothing was restarted.
  Result<RecoveryStatus> CheckRecovery(const Target& target,
                                       const RestartReceipt& receipt) override;
  Result<TargetFacts> GatherFacts(const Target& target) override;
  void NoteObservation(const Target& target) override;
  // Always false: a dry run never restarts.
  Result<bool> RestartHappened(const Target& target, const std::string& intent_timestamp) override;

  std::vector<WouldRestart> would_restart() const;

 private:
  RestartAction* facts_source_;
  mutable std::mutex mu_;
  std::vector<WouldRestart> would_restart_;
};

}  // namespace fhc::remediator
