#include "exporter/logs/detector_hung_tracker.h"

#include <gtest/gtest.h>

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;
using K = LogEventKind;
const WallTime t0 = FromUnixSeconds(1'700'000'000);

TEST(DetectorHungTracker, ForceKillWithoutFollowUpIsHungAfterSixtySeconds) {
  DetectorHungTracker t;
  t.OnEvent(K::kDetectorForceKill, t0);
  EXPECT_FALSE(t.Hung(t0 + 59s));
  EXPECT_TRUE(t.Hung(t0 + 60s));
  EXPECT_TRUE(t.Hung(t0 + 8h)) << "stays hung: the watchdog thread is blocked for good";
}

TEST(DetectorHungTracker, ExitWithinTheGraceMeansTheKillWorked) {
  DetectorHungTracker t;
  t.OnEvent(K::kDetectorForceKill, t0);
  t.OnEvent(K::kDetectorExited, t0 + 1s);
  EXPECT_FALSE(t.Hung(t0 + 10min));
}

TEST(DetectorHungTracker, LateExitDoesNotClearButANewDetectorDoes) {
  DetectorHungTracker t;
  t.OnEvent(K::kDetectorForceKill, t0);
  t.OnEvent(K::kDetectorExited, t0 + 90s);
  EXPECT_TRUE(t.Hung(t0 + 2min));
  t.OnEvent(K::kDetectorStarted, t0 + 3min);
  EXPECT_FALSE(t.Hung(t0 + 4min));
}

TEST(DetectorHungTracker, TpuFoundOrFrigateRestartClears) {
  for (K clearing : {K::kEdgeTpuFound, K::kFrigateStarting, K::kDetectorStarted}) {
    DetectorHungTracker t;
    t.OnEvent(K::kDetectorForceKill, t0);
    EXPECT_TRUE(t.Hung(t0 + 61s));
    t.OnEvent(clearing, t0 + 62s);
    EXPECT_FALSE(t.Hung(t0 + 63s)) << EventName(clearing);
  }
}

TEST(DetectorHungTracker, UnrelatedEventsChangeNothing) {
  DetectorHungTracker t;
  EXPECT_FALSE(t.Hung(t0));
  t.OnEvent(K::kDetectionStuck, t0);
  EXPECT_FALSE(t.Hung(t0 + 1h));
  t.OnEvent(K::kDetectorForceKill, t0);
  t.OnEvent(K::kNoFrames, t0 + 1s);
  EXPECT_TRUE(t.Hung(t0 + 61s));
}

}  // namespace
}  // namespace fhc::exporter
