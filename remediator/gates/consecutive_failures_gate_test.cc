#include "remediator/gates/consecutive_failures_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::GateWorld;

struct Case {
  int have, need;
  GateOutcome expected;
  const char* reason_part;
};

class ConsecutiveFailuresGateTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConsecutiveFailuresGateTest, PassesOnlyAtTheRequiredCount) {
  GateWorld w;
  w.state.consecutive_failures = GetParam().have;
  w.settings.consecutive_failures_required = GetParam().need;
  const Verdict v = ConsecutiveFailuresGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "consecutive_failures");
  EXPECT_EQ(v.outcome, GetParam().expected) << v.reason;
  EXPECT_THAT(v.reason, ::testing::HasSubstr(GetParam().reason_part));
}

INSTANTIATE_TEST_SUITE_P(Table, ConsecutiveFailuresGateTest,
                         ::testing::Values(Case{0, 2, GateOutcome::kBlock, "0 of 2"},
                                           Case{1, 2, GateOutcome::kBlock, "waiting"},
                                           Case{2, 2, GateOutcome::kPass, "2 of 2"},
                                           Case{5, 2, GateOutcome::kPass, "5 of 2"},
                                           Case{1, 1, GateOutcome::kPass, "1 of 1"}));

}  // namespace
}  // namespace fhc::remediator
