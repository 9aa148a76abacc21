#include "remediator/gates/startup_grace_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::Ago;
using testing::GateWorld;
using testing::kNow;

struct Case {
  const char* name;
  std::optional<WallTime> started_at;
  GateOutcome expected;
  const char* reason_part;
};

class StartupGraceGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(StartupGraceGateTest, Decides) {
  GateWorld w;
  w.facts.frigate_started_at = GetParam().started_at;
  w.facts.frigate_started_at_error = GetParam().started_at ? "" : "Frigate API timed out";
  const Verdict v = StartupGraceGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "startup_grace");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, StartupGraceGateTest,
    ::testing::Values(Case{"just_started_blocks", Ago(30), GateOutcome::kBlock, "570 s left"},
                      Case{"one_second_short_blocks", Ago(599), GateOutcome::kBlock, "1 s left"},
                      Case{"exactly_grace_passes", Ago(600), GateOutcome::kPass, "600 s ago"},
                      Case{"long_running_passes", Ago(86400), GateOutcome::kPass,
                           "(from container frigate)"},
                      Case{"future_start_blocks", kNow + std::chrono::seconds(5),
                           GateOutcome::kBlock, "600 s left"},
                      Case{"unknown_start_with_kubernetes_fails_closed", std::nullopt,
                           GateOutcome::kBlock, "unknown: Frigate API timed out (fail closed)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StartupGraceGate, UnknownStartBlocksWhenTheActionRequiresIt) {
  GateWorld w;
  w.facts.frigate_started_at.reset();
  w.facts.frigate_started_at_required = true;  // RESTART_ACTION=docker
  w.facts.frigate_started_at_error = "container frigate is paused: someone paused it on purpose";
  const Verdict v = StartupGraceGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr("paused it on purpose"));
  EXPECT_THAT(v.reason, ::testing::HasSubstr("fail closed"));
}

TEST(StartupGraceGate, NeedsFacts) { EXPECT_TRUE(StartupGraceGate().NeedsFacts()); }

// Without Kubernetes (frigate-api) the start comes from Frigate's uptime, which a hung API
// cannot report: an unknown start passes with a note there.
TEST(StartupGraceGate, UnknownStartWithoutKubernetesPassesWithANote) {
  GateWorld w;
  w.facts.kubernetes = false;
  w.facts.frigate_started_at.reset();
  w.facts.frigate_started_at_error = "Frigate API timed out";
  const Verdict v = StartupGraceGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kPass) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr("unknown (Frigate API timed out)"));
}

// Issue 9 items 1 and 6: with Kubernetes, no pod or no running Frigate container blocks.
TEST(StartupGraceGate, NoPodOrAContainerThatIsNotRunningFailsClosed) {
  GateWorld w;
  w.facts.frigate_started_at.reset();
  w.facts.pod_error = "no pod in nvr matches \"app=frigate\"";
  w.facts.frigate_started_at_error = w.facts.pod_error;
  Verdict v = StartupGraceGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr("no pod in nvr"));
  w.facts.pod_error.clear();
  w.facts.frigate_started_at_error = "container frigate of pod p is not running (Error)";
  v = StartupGraceGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr("not running (Error)"));
}

}  // namespace
}  // namespace fhc::remediator
