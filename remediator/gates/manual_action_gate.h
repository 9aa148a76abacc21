#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// The label value an alerting rule sets when a restart cannot clear its fault and a person must
// act (a missing or wrong EdgeTPU, slow storage, ...): remediate="manual".
inline constexpr char kManualRemediation[] = "manual";

// No restart while an alert of the same target labelled remediate="manual" fires: restarting
// cannot help then, it only loops and hides the cause (a missing Coral stays missing). The rules
// say which alerts these are, so the remediator keeps no list of alert names. Needs no facts:
// the alerts are in the target's state (kept as diagnostics, as every non-restart alert is).
// The verdict names the alerts and their runbooks; the remediator retries by itself once they
// resolve.
class ManualActionGate final : public Gate {
 public:
  const char* Name() const override { return "manual_action_required"; }
  Verdict Decide(const GateContext& ctx) const override;
};

// The target's firing alerts labelled remediate="manual", in the order they were first seen.
std::vector<const TrackedAlert*> ManualAlerts(const TargetState& state);

}  // namespace fhc::remediator
