#include "remediator/gates/node_ready_gate.h"

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

class NodeReadyGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(NodeReadyGateTest, Decides) {
  GateWorld w;
  GetParam().change(w.facts);
  const Verdict v = NodeReadyGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "node_ready");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, NodeReadyGateTest,
    ::testing::Values(
        Case{"ready_passes", [](TargetFacts&) {}, GateOutcome::kPass, "node n1 is Ready=True"},
        Case{"not_ready_blocks",
             [](TargetFacts& f) {
               f.node_ready = "False";
               f.node_ready_reason = "KubeletNotReady";
             },
             GateOutcome::kBlock, "Ready=False (KubeletNotReady)"},
        Case{"unknown_blocks", [](TargetFacts& f) { f.node_ready = "Unknown"; },
             GateOutcome::kBlock, "Ready=Unknown"},
        Case{"api_error_blocks",
             [](TargetFacts& f) {
               f.node_ready.reset();
               f.node_error = "403 Forbidden";
             },
             GateOutcome::kBlock, "cannot read node n1: 403 Forbidden"},
        Case{"no_pod_fails_closed",
             [](TargetFacts& f) {
               f.pod_error = "no pod in nvr matches \"app=frigate\"";
               f.node_name.clear();
               f.node_ready.reset();
             },
             GateOutcome::kBlock, "no node to check: no pod in nvr"},
        Case{"missing_condition_blocks", [](TargetFacts& f) { f.node_ready.reset(); },
             GateOutcome::kBlock, "no Ready condition"},
        Case{"cordoned_passes_with_a_note", [](TargetFacts& f) { f.node_unschedulable = true; },
             GateOutcome::kPass, "cordoned"},
        Case{"without_kubernetes_not_applicable",
             [](TargetFacts& f) {
               f.kubernetes = false;
               f.node_ready.reset();
             },
             GateOutcome::kNotApplicable, "does not use Kubernetes"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fhc::remediator
