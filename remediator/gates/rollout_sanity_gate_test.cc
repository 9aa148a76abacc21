#include "remediator/gates/rollout_sanity_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::GateWorld;

struct Case {
  const char* name;
  std::function<void(TargetFacts&)> change;
  GateOutcome expected;
  const char* reason_part;
};

class RolloutSanityGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(RolloutSanityGateTest, Decides) {
  GateWorld w;
  GetParam().change(w.facts);
  const Verdict v = RolloutSanityGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "rollout_sanity");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, RolloutSanityGateTest,
    ::testing::Values(Case{"steady_passes", [](TargetFacts&) {}, GateOutcome::kPass, "not paused"},
                      Case{"paused_blocks", [](TargetFacts& f) { f.deployment_paused = true; },
                           GateOutcome::kBlock, "nvr/frigate is paused"},
                      Case{"rolling_blocks", [](TargetFacts& f) { f.rollout_in_progress = true; },
                           GateOutcome::kBlock, "rollout in progress"},
                      Case{"error_blocks",
                           [](TargetFacts& f) { f.deployment_error = "404 Not Found"; },
                           GateOutcome::kBlock, "404 Not Found"},
                      Case{"unknown_blocks", [](TargetFacts& f) { f.rollout_in_progress.reset(); },
                           GateOutcome::kBlock, "unknown"},
                      Case{"failed_rollout_blocks",
                           [](TargetFacts& f) {
                             f.rollout_failed = true;
                             f.rollout_message =
                                 "deployment \"frigate\" exceeded its progress deadline";
                           },
                           GateOutcome::kBlock, "last rollout failed"},
                      // Issue 9 item 5: a hung pod after a finished rollout is no rollout.
                      Case{"unready_pod_after_a_finished_rollout_passes",
                           [](TargetFacts& f) {
                             f.rollout_message =
                                 "deployment \"frigate\" successfully rolled out; since then "
                                 "only 0 of 1 updated replicas are available (pods not ready, no "
                                 "rollout)";
                           },
                           GateOutcome::kPass, "pods not ready, no rollout"},
                      Case{"without_kubernetes_not_applicable",
                           [](TargetFacts& f) {
                             f.kubernetes = false;
                             f.deployment_paused.reset();
                           },
                           GateOutcome::kNotApplicable, "does not use Kubernetes"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fhc::remediator
