#include "remediator/actions/dry_run_action.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

// A real action stand-in that records every call made to it.
class RecordingAction final : public RestartAction {
 public:
  std::string name() const override { return "kubernetes"; }
  bool uses_kubernetes() const override { return true; }
  Result<RestartReceipt> Restart(const Target&, WallTime) override {
    calls.push_back("Restart");
    return RestartReceipt{};
  }
  Result<RecoveryStatus> CheckRecovery(const Target&, const RestartReceipt&) override {
    calls.push_back("CheckRecovery");
    return RecoveryStatus{};
  }
  Result<TargetFacts> GatherFacts(const Target&) override {
    calls.push_back("GatherFacts");
    TargetFacts f;
    f.kubernetes = true;
    f.node_ready = "True";
    return f;
  }
  Result<bool> RestartHappened(const Target&, const std::string&) override {
    calls.push_back("RestartHappened");
    return true;
  }
  std::vector<std::string> calls;
};

const Target kTarget{"nvr", "frigate"};
const WallTime kNow = FromUnixSeconds(1'795'000'000);

TEST(DryRunAction, RestartIsRecordedButNeverSent) {
  RecordingAction real;
  DryRunAction dry(&real);
  auto receipt = dry.Restart(kTarget, kNow);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->action, "dry-run");
  EXPECT_THAT(receipt->detail, ::testing::HasSubstr("would restart nvr/frigate"));
  EXPECT_EQ(receipt->intent_timestamp, IntentTimestamp(kNow));
  ASSERT_EQ(dry.would_restart().size(), 1u);
  EXPECT_EQ(dry.would_restart()[0].target, kTarget);
  EXPECT_EQ(dry.would_restart()[0].at, kNow);
  EXPECT_EQ(dry.CheckRecovery(kTarget, *receipt)->state, RecoveryState::kRecovered);
  EXPECT_FALSE(*dry.RestartHappened(kTarget, receipt->intent_timestamp));
  EXPECT_TRUE(real.calls.empty());
}

TEST(DryRunAction, FactsComeFromTheWrappedActionSoGatesJudgeAsForReal) {
  RecordingAction real;
  DryRunAction dry(&real);
  EXPECT_TRUE(dry.uses_kubernetes());
  auto facts = dry.GatherFacts(kTarget);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->node_ready, "True");
  EXPECT_EQ(real.calls, (std::vector<std::string>{"GatherFacts"}));
}

TEST(DryRunAction, WithoutASourceThereAreNoFactsAndNoKubernetes) {
  DryRunAction dry;
  EXPECT_FALSE(dry.uses_kubernetes());
  auto facts = dry.GatherFacts(kTarget);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_FALSE(facts->frigate_started_at_error.empty());
  EXPECT_FALSE(facts->node_ready.has_value());
}

}  // namespace
}  // namespace fhc::remediator
