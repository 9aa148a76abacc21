#include "remediator/mail/next_steps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "remediator/gates/gate_list.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Every reason DESIGN.md names has its own guide with concrete steps.
TEST(NextSteps, EveryDesignReasonHasItsOwnSteps) {
  for (const char* reason :
       {"api_unresponsive", "stats_stale", "inference_slow", "detector_stuck", "detection_stuck",
        "detector_hung", "edgetpu_missing", "recording_backlog", "no_frames", "high_skip_ratio",
        "edgetpu_wrong_model", "recording_storage_slow"}) {
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

// The exporter's notify-only reasons (alerts FrigateEdgeTpuWrongModel and
// FrigateRecordingStorageSlow, remediate="manual"): a restart cannot help, a person must act.
TEST(NextSteps, AWrongCoralModelNeedsAPersonToFixTheModelPath) {
  const ReasonGuide& g = GuideFor("FrigateEdgeTpuWrongModel");
  EXPECT_STREQ(g.reason, "edgetpu_wrong_model");
  EXPECT_EQ(g.restart_helps, RestartHelps::kNo);
  EXPECT_THAT(g.restart_note, HasSubstr("compiled for it"));
  std::string all;
  for (const auto& s : g.steps) all += std::string(s) + "\n";
  EXPECT_THAT(all, HasSubstr("Incorrect model used with EdgeTPU"));
  EXPECT_THAT(all, HasSubstr("model path"));
  EXPECT_THAT(all, HasSubstr(".tflite"));
}

TEST(NextSteps, SlowRecordingStorageNeedsAPersonToCheckTheDisk) {
  const ReasonGuide& g = GuideFor("FrigateRecordingStorageSlow");
  EXPECT_STREQ(g.reason, "recording_storage_slow");
  EXPECT_EQ(g.restart_helps, RestartHelps::kNo);
  EXPECT_THAT(g.restart_note, HasSubstr("a restart does not make the disk faster"));
  std::string all;
  for (const auto& s : g.steps) all += std::string(s) + "\n";
  EXPECT_THAT(all, HasSubstr("df -h"));
  EXPECT_THAT(all, HasSubstr("I/O wait"));
  EXPECT_THAT(all, HasSubstr("NFS/SMB"));
  // Not the restartable backlog's guide.
  EXPECT_NE(GuideFor("FrigateRecordingBacklog").steps.front(), g.steps.front());
}

// The exporter judges each detector against the limit of its type and against its own
// baseline, and /health names the rule that fired: the steps say where to look and which
// setting is which.
TEST(NextSteps, SlowInferenceNamesTheRuleTheTypeLimitsAndTheBaseline) {
  const ReasonGuide& g = GuideFor("inference_slow");
  std::string all;
  for (const auto& s : g.steps) all += std::string(s) + "\n";
  EXPECT_THAT(g.steps.front(), HasSubstr("/health"));
  EXPECT_THAT(all, HasSubstr("[rule type_limit]"));
  EXPECT_THAT(all, HasSubstr("[rule baseline]"));
  EXPECT_THAT(all, HasSubstr("INFERENCE_THRESHOLD_MS for an edgetpu"));
  EXPECT_THAT(all, HasSubstr("INFERENCE_LIMITS_MS"));
  EXPECT_THAT(std::string(g.title), Not(HasSubstr("threshold")));
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
      {"FrigateEdgeTpuWrongModel", "edgetpu_wrong_model"},
      {"FrigateRecordingStorageSlow", "recording_storage_slow"},
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
