#include "remediator/gates/circuit_breaker_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::Ago;
using testing::GateWorld;

struct Case {
  const char* name;
  std::vector<long> restarts_ago;
  std::optional<long> pending_ago;
  int limit;
  GateOutcome expected;
  const char* reason_part;
};

class CircuitBreakerGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(CircuitBreakerGateTest, Decides) {
  GateWorld w;
  for (long s : GetParam().restarts_ago) w.state.restart_times.push_back(Ago(s));
  if (GetParam().pending_ago) {
    w.state.pending = RestartIntent{"i", Ago(*GetParam().pending_ago), "kubernetes", ""};
  }
  w.settings.max_restarts_per_hour = GetParam().limit;
  const Verdict v = CircuitBreakerGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "circuit_breaker");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(
    Table, CircuitBreakerGateTest,
    ::testing::Values(
        Case{"no_restarts_passes", {}, std::nullopt, 2, GateOutcome::kPass, "0 restart(s)"},
        Case{"one_below_limit_passes", {600}, std::nullopt, 2, GateOutcome::kPass, "1 restart"},
        Case{"at_limit_opens",
             {3000, 600},
             std::nullopt,
             2,
             GateOutcome::kBlock,
             "next restart possible in 600 s"},
        Case{"pending_intent_counts", {600}, 10, 2, GateOutcome::kBlock, "2 restart(s)"},
        Case{"older_than_an_hour_forgotten",
             {3601, 7200},
             std::nullopt,
             2,
             GateOutcome::kPass,
             "0 restart(s)"},
        Case{"exactly_an_hour_ago_is_outside",
             {3600, 10},
             std::nullopt,
             2,
             GateOutcome::kPass,
             "1 restart"},
        Case{
            "limit_zero_never_restarts", {}, std::nullopt, 0, GateOutcome::kBlock, "circuit open"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fhc::remediator

namespace fhc::remediator {
namespace {

// Issue 9 item 11: the clock was stepped back after two restarts; they count as now.
TEST(CircuitBreakerGate, RestartTimesInTheFutureCountAsNow) {
  testing::GateWorld w;
  w.state.restart_times = {testing::kNow + std::chrono::seconds(300),
                           testing::kNow + std::chrono::seconds(900)};
  w.settings.max_restarts_per_hour = 2;
  const Verdict v = CircuitBreakerGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr("2 restart(s)"));
  EXPECT_THAT(v.reason, ::testing::HasSubstr("next restart possible in 3600 s"));
  w.state.restart_times = {};
  w.state.pending = RestartIntent{"i", testing::kNow + std::chrono::seconds(60), "kubernetes", ""};
  EXPECT_EQ(RestartsWithin(w.state, testing::kNow, std::chrono::seconds(3600)), 1);
}

TEST(CircuitBreakerGate, ACompressedWindowReopensTheCircuitSooner) {
  testing::GateWorld w;
  w.state.restart_times = {testing::Ago(90), testing::Ago(30)};
  w.settings.max_restarts_per_hour = 2;
  w.settings.circuit_window = std::chrono::seconds(60);
  // Only the restart 30 s ago is inside a 60 s window.
  EXPECT_EQ(CircuitBreakerGate().Decide(w.Context()).outcome, GateOutcome::kPass);
  w.settings.circuit_window = std::chrono::seconds(120);
  const Verdict v = CircuitBreakerGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock);
  EXPECT_THAT(v.reason, ::testing::HasSubstr("next restart possible in 30 s"));
}

}  // namespace
}  // namespace fhc::remediator
