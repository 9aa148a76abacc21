#include "remediator/gates/crash_loop_gate.h"

#include <string>

namespace fhc::remediator {

Verdict CrashLoopGate::Decide(const GateContext& ctx) const {
  const TargetFacts& f = *ctx.facts;
  if (!f.kubernetes) return NotApplicable(*this, "the restart action does not use Kubernetes");
  if (!f.pod_error.empty()) return Block(*this, f.pod_error + " (fail closed)");
  if (f.container_name.empty()) {
    return Block(*this, (f.frigate_started_at_error.empty() ? "Frigate's container is unknown"
                                                            : f.frigate_started_at_error) +
                            " (fail closed)");
  }
  const std::string what = "container " + f.container_name + " of pod " + f.pod_name;
  const std::string restarts = std::to_string(f.container_restarts) + " restart(s)";
  if (f.container_reason == "CrashLoopBackOff") {
    std::string last = f.container_last_termination.empty()
                           ? ""
                           : ", last ended with " + f.container_last_termination;
    return Block(*this, what + " is in CrashLoopBackOff (" + restarts + last +
                            "): the kubelet is already restarting it, a rollout restart would not "
                            "help");
  }
  return Pass(*this, what + " is " +
                         (f.container_state.empty() ? "unreported" : f.container_state) + " (" +
                         restarts + ", " + (f.container_ready ? "ready" : "not ready") +
                         "), not crash-looping");
}

}  // namespace fhc::remediator
