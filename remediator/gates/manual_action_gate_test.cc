#include "remediator/gates/manual_action_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/gate_world.h"

namespace fhc::remediator {
namespace {

using testing::GateWorld;

TrackedAlert Alert(const char* name, const char* reason, const char* remediate) {
  TrackedAlert a;
  a.fingerprint = std::string("fp-") + name;
  a.alertname = name;
  if (*reason) a.labels["reason"] = reason;
  if (*remediate) a.labels["remediate"] = remediate;
  a.annotations["runbook_url"] = "https://example.test/runbook";
  return a;
}

TEST(ManualActionGate, PassesWithoutAManualAlert) {
  GateWorld w;
  w.state.firing = {Alert("FrigateDetectorHung", "detector_hung", "restart")};
  w.state.diagnostics = {Alert("FrigateNoFrames", "no_frames", "")};
  const Verdict v = ManualActionGate().Decide(w.Context());
  EXPECT_EQ(v.gate, "manual_action_required");
  EXPECT_EQ(v.outcome, GateOutcome::kPass) << v.reason;
}

// Issue 9 item 3: FrigateEdgeTpuMissing beside FrigateDetectorHung must not restart.
TEST(ManualActionGate, AManualAlertOfTheTargetBlocksAndIsNamed) {
  GateWorld w;
  w.state.firing = {Alert("FrigateDetectorHung", "detector_hung", "restart")};
  w.state.diagnostics = {Alert("FrigateEdgeTpuMissing", "edgetpu_missing", "manual")};
  const Verdict v = ManualActionGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock);
  EXPECT_THAT(v.reason, ::testing::HasSubstr("FrigateEdgeTpuMissing (edgetpu_missing) is firing "
                                             "with remediate=\"manual\""));
  EXPECT_THAT(v.reason, ::testing::HasSubstr("resume by themselves once it resolves"));
  EXPECT_FALSE(ManualActionGate().NeedsFacts());
  ASSERT_EQ(ManualAlerts(w.state).size(), 1u);
  EXPECT_EQ(ManualAlerts(w.state)[0]->alertname, "FrigateEdgeTpuMissing");
}

TEST(ManualActionGate, SeveralManualAlertsAreAllNamed) {
  GateWorld w;
  w.state.diagnostics = {Alert("FrigateEdgeTpuMissing", "", "manual"),
                         Alert("FrigateRecordingStorageSlow", "recording_storage_slow", "manual")};
  const Verdict v = ManualActionGate().Decide(w.Context());
  EXPECT_EQ(v.outcome, GateOutcome::kBlock);
  EXPECT_THAT(v.reason, ::testing::HasSubstr("FrigateEdgeTpuMissing, FrigateRecordingStorageSlow "
                                             "(recording_storage_slow) are firing"));
}

}  // namespace
}  // namespace fhc::remediator
