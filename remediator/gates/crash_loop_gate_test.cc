#include "remediator/gates/crash_loop_gate.h"

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

class CrashLoopGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(CrashLoopGateTest, Decides) {
  GateWorld w;
  GetParam().change(w.facts);
  const Verdict v = CrashLoopGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "crash_loop");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, CrashLoopGateTest,
    ::testing::Values(
        Case{"running_passes", [](TargetFacts&) {}, GateOutcome::kPass,
             "container frigate of pod frigate-abc is running (0 restart(s), ready)"},
        Case{"unready_running_passes",  // a hung Frigate failing its readiness probe
             [](TargetFacts& f) { f.container_ready = false; }, GateOutcome::kPass, "not ready"},
        Case{"crash_loop_blocks",
             [](TargetFacts& f) {
               f.container_state = "waiting";
               f.container_reason = "CrashLoopBackOff";
               f.container_restarts = 7;
               f.container_last_termination = "Error";
               f.container_ready = false;
               f.frigate_started_at.reset();
             },
             GateOutcome::kBlock,
             "is in CrashLoopBackOff (7 restart(s), last ended with Error): the kubelet is "
             "already restarting it"},
        Case{"no_pod_fails_closed",
             [](TargetFacts& f) {
               f.pod_error = "no pod in nvr matches \"app=x\"";
               f.container_name.clear();
             },
             GateOutcome::kBlock, "no pod in nvr matches \"app=x\" (fail closed)"},
        Case{"no_container_fails_closed",
             [](TargetFacts& f) {
               f.container_name.clear();
               f.frigate_started_at_error = "pod p has no container \"frigate\"";
             },
             GateOutcome::kBlock, "no container \"frigate\" (fail closed)"},
        Case{"without_kubernetes_not_applicable",
             [](TargetFacts& f) {
               f.kubernetes = false;
               f.container_name.clear();
             },
             GateOutcome::kNotApplicable, "does not use Kubernetes"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fhc::remediator
