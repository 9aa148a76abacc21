#pragma once
// Shared by the gate tests: a context with explicit times and facts.
#include <chrono>
#include <optional>

#include "remediator/gates/gate.h"

namespace fhc::remediator::testing {

inline const WallTime kNow = FromUnixSeconds(1'795'848'000.0);
inline WallTime Ago(long seconds) { return kNow - std::chrono::seconds(seconds); }

// Owns everything a GateContext points at.
struct GateWorld {
  TargetState state;
  TargetFacts facts;
  GateWorld() {
    state.target = Target{"nvr", "frigate"};
    facts.kubernetes = true;
    facts.frigate_started_at = Ago(3600);
    facts.frigate_started_at_source = "container frigate";
    facts.pod_name = "frigate-abc";
    facts.container_name = "frigate";
    facts.container_state = "running";
    facts.container_ready = true;
    facts.node_name = "n1";
    facts.node_ready = "True";
    facts.node_ready_reason = "KubeletReady";
    facts.deployment_paused = false;
    facts.rollout_in_progress = false;
  }
  GateSettings settings;
  bool with_facts = true;
  GateContext Context() const {
    return GateContext{kNow, state, with_facts ? &facts : nullptr, settings};
  }
};

}  // namespace fhc::remediator::testing
