#include "remediator/gates/gate_list.h"

#include <gtest/gtest.h>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::Ago;
using testing::GateWorld;

std::vector<std::string> Names(const std::vector<Verdict>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.gate);
  return out;
}

TEST(GateList, GatesRunInDesignOrderAndEveryVerdictIsRecorded) {
  GateWorld w;
  w.state.consecutive_failures = 2;
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  EXPECT_EQ(Names(verdicts),
            (std::vector<std::string>{"consecutive_failures", "manual_action_required",
                                      "crash_loop", "startup_grace", "circuit_breaker",
                                      "node_ready", "rollout_sanity"}));
  EXPECT_EQ(FirstBlock(verdicts), nullptr);
}

TEST(GateList, LaterGatesAreStillRecordedAfterABlock) {
  GateWorld w;
  w.state.consecutive_failures = 2;
  w.facts.frigate_started_at = Ago(10);
  w.facts.node_ready = "False";
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  ASSERT_NE(FirstBlock(verdicts), nullptr);
  EXPECT_EQ(FirstBlock(verdicts)->gate, "startup_grace");
  EXPECT_EQ(verdicts[5].outcome, GateOutcome::kBlock) << "node_ready evaluated too";
}

TEST(GateList, FactsAreNeededOnlyWhenFactFreeGatesPass) {
  GateWorld w;
  w.with_facts = false;
  const GateList gates = DefaultGates();
  w.state.consecutive_failures = 1;
  EXPECT_FALSE(FactsNeeded(gates, w.Context()));
  w.state.consecutive_failures = 2;
  EXPECT_TRUE(FactsNeeded(gates, w.Context()));
  w.state.restart_times = {Ago(100), Ago(200)};
  EXPECT_FALSE(FactsNeeded(gates, w.Context())) << "circuit open";
}

TEST(GateList, AManualAlertBlocksBeforeAnyFactIsGathered) {
  GateWorld w;
  w.with_facts = false;
  w.state.consecutive_failures = 2;
  TrackedAlert manual;
  manual.fingerprint = "f1";
  manual.alertname = "FrigateEdgeTpuMissing";
  manual.labels["remediate"] = "manual";
  w.state.diagnostics.push_back(manual);
  EXPECT_FALSE(FactsNeeded(DefaultGates(), w.Context()));
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  ASSERT_NE(FirstBlock(verdicts), nullptr);
  EXPECT_EQ(FirstBlock(verdicts)->gate, "manual_action_required");
}

TEST(GateList, WithoutFactsFactGatesSayTheyWereNotChecked) {
  GateWorld w;
  w.with_facts = false;
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  EXPECT_EQ(verdicts[0].outcome, GateOutcome::kBlock);
  EXPECT_EQ(verdicts[1].outcome, GateOutcome::kPass) << "fact-free gates still decide";
  EXPECT_EQ(verdicts[3].outcome, GateOutcome::kNotApplicable);
  EXPECT_EQ(verdicts[3].reason, "not checked: another gate already blocks");
  EXPECT_EQ(verdicts[4].outcome, GateOutcome::kPass) << "fact-free gates still decide";
}

TEST(GateList, WithoutFactsAndNoEarlierBlockFactGatesFailClosed) {
  GateWorld w;
  w.with_facts = false;
  w.state.consecutive_failures = 2;
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  ASSERT_NE(FirstBlock(verdicts), nullptr);
  EXPECT_EQ(FirstBlock(verdicts)->gate, "crash_loop");
  EXPECT_EQ(verdicts[3].reason, "not checked: facts about the target were not gathered");
  EXPECT_EQ(verdicts[5].outcome, GateOutcome::kBlock);
}

TEST(GateList, WithoutFactsALaterFactFreeBlockIsTheOneReported) {
  GateWorld w;
  w.with_facts = false;
  w.state.consecutive_failures = 2;
  w.state.restart_times = {Ago(100), Ago(200)};
  const auto verdicts = EvaluateGates(DefaultGates(), w.Context());
  ASSERT_NE(FirstBlock(verdicts), nullptr);
  EXPECT_EQ(FirstBlock(verdicts)->gate, "circuit_breaker");
  EXPECT_EQ(verdicts[3].outcome, GateOutcome::kNotApplicable);
}

}  // namespace
}  // namespace fhc::remediator
