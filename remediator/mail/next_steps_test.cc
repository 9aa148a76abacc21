#include "remediator/mail/next_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "remediator/gates/gate_list.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

// Every reason DESIGN.md names has its own guide with concrete steps.
TEST(NextSteps, EveryDesignReasonHasItsOwnSteps) {
  for (const char* reason :
       {"api_unresponsive", "stats_stale", "inference_slow", "detector_stuck", "detection_stuck",
        "detector_hung", "edgetpu_missing", "recording_backlog", "no_frames", "high_skip_ratio"}) {
    const ReasonGuide& g = GuideFor(reason);
    EXPECT_STREQ(g.reason, reason);
    EXPECT_GE(g.steps.size(), 3u) << reason;
    EXPECT_GT(std::string(g.title).size(), 10u) << reason;
  }
}

TEST(NextSteps, StepsAreDistinctPerReason) {
  std::set<std::string> first_steps;
  for (const auto& g : AllGuides()) first_steps.insert(g.steps.front());
  EXPECT_EQ(first_steps.size(), AllGuides().size()) << "no copy-pasted advice";
}

TEST(NextSteps, AMissingCoralNeedsAPerson) {
  const ReasonGuide& g = GuideFor("edgetpu_missing");
  EXPECT_EQ(g.restart_helps, RestartHelps::kNo);
  EXPECT_THAT(g.restart_note, HasSubstr("a restart cannot fix a missing Coral"));
  EXPECT_THAT(g.steps[0], HasSubstr("lsusb"));
}

TEST(NextSteps, AlertNamesFindTheirReason) {
  EXPECT_STREQ(GuideFor("FrigateInferenceSlow").reason, "inference_slow");
  EXPECT_STREQ(GuideFor("frigate_detector_hung").reason, "detector_hung");
  EXPECT_STREQ(GuideFor("FrigateApiUnresponsiveCritical").reason, "api_unresponsive");
  EXPECT_STREQ(GuideFor("EdgetpuMissing").reason, "edgetpu_missing");
}

TEST(NextSteps, UnknownReasonsGetTheGenericGuide) {
  EXPECT_STREQ(GuideFor("CamDownFor2s").reason, "");
  EXPECT_STREQ(GuideFor("").reason, "");
  EXPECT_GE(GuideFor("whatever").steps.size(), 3u);
}

}  // namespace
}  // namespace fhc::remediator

namespace fhc::remediator {
namespace {

TEST(NextSteps, EveryShippedAlertNameFindsItsReason) {
  // The alert names of alerts/frigate-health.rules.yml and the reason each stands for.
  const std::pair<const char*, const char*> kAlerts[] = {
      {"FrigateApiUnresponsive", "api_unresponsive"},
      {"FrigateStatsStale", "stats_stale"},
      {"FrigateInferenceSlow", "inference_slow"},
      {"FrigateDetectorStuck", "detector_stuck"},
      {"FrigateDetectionStuck", "detection_stuck"},
      {"FrigateDetectorHung", "detector_hung"},
      {"FrigateEdgeTpuMissing", "edgetpu_missing"},
      {"FrigateRecordingBacklog", "recording_backlog"},
      {"FrigateNoFrames", "no_frames"},
      {"FrigateHighSkipRatio", "high_skip_ratio"},
  };
  for (const auto& [alert, reason] : kAlerts) {
    EXPECT_STREQ(GuideFor(alert).reason, reason) << alert;
  }
}

// Issue 9 item 14: every gate that can block a restart (all but consecutive_failures, whose
// "waiting" is never mailed) has its own step and says how the remediator goes on by itself.
TEST(GateGuides, EveryBlockingGateHasItsOwnStepAndRetry) {
  for (const auto& gate : DefaultGates()) {
    const std::string name = gate->Name();
    if (name == "consecutive_failures") continue;
    const GateGuide& g = GuideForGate(name);
    EXPECT_EQ(name, g.gate) << name << " falls back to the generic guide";
    EXPECT_GT(std::string(g.step).size(), 20u) << name;
    EXPECT_GT(std::string(g.retry).size(), 20u) << name;
  }
  EXPECT_STREQ(GuideForGate("no_such_gate").gate, "");
}

}  // namespace
}  // namespace fhc::remediator
