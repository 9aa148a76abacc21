#include "exporter/health/health_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace fhc::exporter {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr double kNow = 1'700'000'000;

CameraStats Camera(std::string name, double fps, double skipped = 0) {
  CameraStats c;
  c.name = std::move(name);
  c.camera_fps = fps;
  c.process_fps = fps - skipped;
  c.skipped_fps = skipped;
  c.detection_fps = fps > 0 ? 2 : 0;
  // A camera Frigate started has its processes, whether frames arrive or not.
  c.pid = 100;
  c.capture_pid = 101;
  c.ffmpeg_pid = fps > 0 ? 102 : 0;
  return c;
}

FrigateStats HealthyStats() {
  FrigateStats s;
  s.cameras = {Camera("front", 5), Camera("back", 5), Camera("garage", 5)};
  DetectorStats coral;
  coral.name = "coral";
  coral.inference_speed_ms = 8.5;
  coral.detection_start = 0;
  s.detectors = {coral};
  s.last_updated = kNow - 5;
  s.uptime_seconds = 3600;
  return s;
}

HealthVerdict Judge(const FrigateStats* stats, LogFacts logs = {}, HealthThresholds th = {},
                    const FrigateConfigFacts* config = nullptr) {
  HealthInput in;
  in.stats = stats;
  in.stats_error = stats ? "" : "connection refused";
  in.now_unix = kNow;
  in.logs = logs;
  in.config = config;
  return EvaluateHealth(in, th);
}

// /api/config facts: every named detector an edgetpu unless typed "name:type".
FrigateConfigFacts Config(std::initializer_list<std::pair<std::string, CameraOff>> cameras,
                          std::initializer_list<std::pair<std::string, std::string>> detectors = {
                              {"coral", "edgetpu"}}) {
  FrigateConfigFacts f;
  for (const auto& [name, off] : cameras) f.cameras[name] = off;
  for (const auto& [name, type] : detectors) f.detectors[name] = {type, "/model 320x320"};
  return f;
}

bool Failing(const HealthVerdict& v, Reason r) {
  for (const auto& res : v.results) {
    if (res.reason == r) return res.failing;
  }
  ADD_FAILURE() << "reason missing";
  return false;
}

TEST(HealthEvaluator, HealthyFrigateFailsNoReasonAndReportsEveryReason) {
  auto s = HealthyStats();
  auto v = Judge(&s);
  EXPECT_TRUE(v.healthy());
  EXPECT_THAT(v.FailingReasons(), IsEmpty());
  ASSERT_EQ(v.results.size(), AllReasons().size());
  ASSERT_TRUE(v.stats_age_seconds.has_value());
  EXPECT_DOUBLE_EQ(*v.stats_age_seconds, 5);
}

TEST(HealthEvaluator, ReasonNamesAreTheContractsNames) {
  std::vector<std::string> names;
  for (Reason r : AllReasons()) names.emplace_back(ReasonName(r));
  EXPECT_THAT(
      names,
      ElementsAre("api_unresponsive", "stats_stale", "inference_slow", "detector_stuck",
                  "detection_stuck", "detector_hung", "edgetpu_missing", "recording_backlog",
                  "no_frames", "high_skip_ratio", "edgetpu_wrong_model", "recording_storage_slow"));
}

TEST(HealthEvaluator, NoStatsIsApiUnresponsiveWithTheCauseAndNothingElse) {
  auto v = Judge(nullptr);
  EXPECT_THAT(v.FailingReasons(), ElementsAre("api_unresponsive"));
  EXPECT_EQ(v.results[0].detail, "connection refused");
}

TEST(HealthEvaluator, CoralOverInferenceThresholdIsSlowAndAtThresholdIsNot) {
  auto s = HealthyStats();
  const auto config = Config({});
  s.detectors[0].inference_speed_ms = 100.0;
  EXPECT_FALSE(Failing(Judge(&s, {}, {}, &config), Reason::kInferenceSlow));
  s.detectors[0].inference_speed_ms = 100.01;
  auto v = Judge(&s, {}, {}, &config);
  EXPECT_TRUE(Failing(v, Reason::kInferenceSlow));
  EXPECT_EQ(v.results[2].detail,
            "detector coral (edgetpu) inference 100.01 ms over the edgetpu limit 100 ms "
            "[rule type_limit]");
  // INFERENCE_THRESHOLD_MS keeps its meaning for the Coral.
  HealthThresholds th;
  th.inference_threshold_ms = 150;
  EXPECT_FALSE(Failing(Judge(&s, {}, th, &config), Reason::kInferenceSlow));
}

TEST(HealthEvaluator, EachSlowDetectorIsNamedWithItsRule) {
  auto s = HealthyStats();
  DetectorStats second;
  second.name = "coral2";
  second.inference_speed_ms = 250;
  s.detectors.push_back(second);
  const auto config = Config({}, {{"coral", "edgetpu"}, {"coral2", "edgetpu"}});
  auto v = Judge(&s, {}, {}, &config);
  EXPECT_TRUE(Failing(v, Reason::kInferenceSlow));
  EXPECT_THAT(v.results[2].detail, ::testing::HasSubstr("coral2 (edgetpu) inference 250.00 ms"));
  EXPECT_THAT(v.results[2].detail, ::testing::Not(::testing::HasSubstr("detector coral ")));
  ASSERT_EQ(v.detectors.size(), 2u);
  EXPECT_EQ(v.detectors[1].finding.rule, "type_limit");
  EXPECT_EQ(v.detectors[1].limit_ms, 100);
}

TEST(HealthEvaluator, DetectorsSlowByNatureAreJudgedByTheirTypeWithoutABaseline) {
  auto s = HealthyStats();
  s.detectors[0].name = "rk";
  s.detectors[0].inference_speed_ms = 96;  // rk3566 1 core, YOLO-NAS small (hardware.md)
  DetectorStats cpu;
  cpu.name = "cpu1";
  cpu.inference_speed_ms = 140;  // a CPU detector doing fine
  s.detectors.push_back(cpu);
  const auto config = Config({}, {{"rk", "rknn"}, {"cpu1", "cpu"}});
  auto v = Judge(&s, {}, {}, &config);
  EXPECT_FALSE(Failing(v, Reason::kInferenceSlow)) << v.results[2].detail;
  EXPECT_THAT(v.results[2].detail, ::testing::HasSubstr("no baseline yet"));
}

TEST(HealthEvaluator, ASustainedSlowdownAgainstTheBaselineFailsWithItsFigures) {
  auto s = HealthyStats();
  s.detectors[0].name = "gpu";
  s.detectors[0].inference_speed_ms = 80;  // was 12 ms
  const auto config = Config({}, {{"gpu", "onnx"}});
  HealthInput in;
  in.stats = &s;
  in.now_unix = kNow;
  in.config = &config;
  in.inference_baselines["gpu"] = {12.0, 300, 330.0};
  auto v = EvaluateHealth(in, {});
  EXPECT_TRUE(Failing(v, Reason::kInferenceSlow));
  EXPECT_THAT(v.results[2].detail,
              ::testing::HasSubstr("inference 80.00 ms against its baseline 12.00 ms"));
  EXPECT_THAT(v.results[2].detail, ::testing::HasSubstr("slow for 330 s [rule baseline]"));
}

TEST(HealthEvaluator, StaleStatsAfterSixtySeconds) {
  auto s = HealthyStats();
  s.last_updated = kNow - 60;
  EXPECT_FALSE(Failing(Judge(&s), Reason::kStatsStale));
  s.last_updated = kNow - 61;
  EXPECT_TRUE(Failing(Judge(&s), Reason::kStatsStale));
}

TEST(HealthEvaluator, DetectorStuckIsJudgedAgainstTheSnapshotTimeNotTheWallClock) {
  auto s = HealthyStats();
  // In flight 3 s before a snapshot that is itself 30 s old: normal, not stuck.
  s.last_updated = kNow - 30;
  s.detectors[0].detection_start = kNow - 33;
  auto v = Judge(&s);
  EXPECT_FALSE(Failing(v, Reason::kDetectorStuck));
  EXPECT_THAT(v.stuck_detectors, IsEmpty());
  // Started 11 s before the snapshot: stuck.
  s.detectors[0].detection_start = kNow - 41;
  v = Judge(&s);
  EXPECT_TRUE(Failing(v, Reason::kDetectorStuck));
  EXPECT_THAT(v.stuck_detectors, ElementsAre("coral"));
}

TEST(HealthEvaluator, IdleDetectorWithZeroStartIsNeverStuck) {
  auto s = HealthyStats();
  s.last_updated.reset();  // also without a snapshot time (0.12 bodies may lack it)
  s.detectors[0].detection_start = 0.0;
  EXPECT_FALSE(Failing(Judge(&s), Reason::kDetectorStuck));
}

TEST(HealthEvaluator, StuckLinesOverThresholdFail) {
  auto s = HealthyStats();
  EXPECT_FALSE(Failing(Judge(&s, {.stuck_events_in_window = 2}), Reason::kDetectionStuck));
  EXPECT_TRUE(Failing(Judge(&s, {.stuck_events_in_window = 3}), Reason::kDetectionStuck));
}

TEST(HealthEvaluator, BacklogLinesOverThresholdFail) {
  auto s = HealthyStats();
  EXPECT_FALSE(Failing(Judge(&s, {.backlog_events_in_window = 5}), Reason::kRecordingBacklog));
  EXPECT_TRUE(Failing(Judge(&s, {.backlog_events_in_window = 6}), Reason::kRecordingBacklog));
}

// "Unable to keep up" lines of one camera, 6 in the window (BACKLOG_THRESHOLD 5).
constexpr LogFacts kSixKeepUp{.backlog_events_in_window = 6, .backlog_keep_up_in_window = 6};
constexpr LogFacts kSixUnprocessed{.backlog_events_in_window = 6,
                                   .backlog_unprocessed_in_window = 6};

TEST(HealthEvaluator, Frigate014SingleBacklogWordingStillRestarts) {
  // Up to 0.14 "Unable to keep up" was Frigate's only backlog wording: recording_backlog.
  auto s = HealthyStats();
  s.version = "0.14.1-f4f3cfa";
  auto v = Judge(&s, kSixKeepUp);
  EXPECT_THAT(v.FailingReasons(), ElementsAre("recording_backlog"));
  s.version = "0.12.1-367d724";
  EXPECT_THAT(Judge(&s, kSixKeepUp).FailingReasons(), ElementsAre("recording_backlog"));
}

TEST(HealthEvaluator, From015UnableToKeepUpIsSlowStorageAndTooManyUnprocessedIsBacklog) {
  auto s = HealthyStats();
  for (const char* version :
       {"0.15.0-cea210d", "0.16.4-3a9c1e2", "0.17.2-b81d5e4", "0.18.0-beta1"}) {
    SCOPED_TRACE(version);
    s.version = version;
    auto v = Judge(&s, kSixKeepUp);
    EXPECT_THAT(v.FailingReasons(), ElementsAre("recording_storage_slow"));
    EXPECT_THAT(Judge(&s, kSixUnprocessed).FailingReasons(), ElementsAre("recording_backlog"));
    // At the threshold neither fails.
    EXPECT_TRUE(Judge(&s, {.backlog_events_in_window = 10,
                           .backlog_keep_up_in_window = 5,
                           .backlog_unprocessed_in_window = 5})
                    .healthy());
  }
}

TEST(HealthEvaluator, BacklogWordingsKeepTheirMeaningWhileTheStatsCannotBeFetched) {
  HealthInput in;
  in.stats_error = "connection refused";
  in.now_unix = kNow;
  in.logs = kSixKeepUp;
  in.last_known_version = "0.14.1-f4f3cfa";
  EXPECT_THAT(EvaluateHealth(in, {}).FailingReasons(),
              ElementsAre("api_unresponsive", "recording_backlog"));
  in.last_known_version = "0.16.4-3a9c1e2";
  EXPECT_THAT(EvaluateHealth(in, {}).FailingReasons(),
              ElementsAre("api_unresponsive", "recording_storage_slow"));
  in.last_known_version = "";  // never known: told, not restarted in vain
  EXPECT_THAT(EvaluateHealth(in, {}).FailingReasons(),
              ElementsAre("api_unresponsive", "recording_storage_slow"));
}

TEST(HealthEvaluator, WrongEdgeTpuModelIsItsOwnReason) {
  auto s = HealthyStats();
  auto v = Judge(&s, {.edgetpu_wrong_model = true});
  EXPECT_THAT(v.FailingReasons(), ElementsAre("edgetpu_wrong_model"));
}

TEST(HealthEvaluator, LogOnlyReasonsAreJudgedEvenWhenTheApiIsDown) {
  auto v =
      Judge(nullptr, {.stuck_events_in_window = 9, .detector_hung = true, .edgetpu_missing = true});
  EXPECT_THAT(v.FailingReasons(), ElementsAre("api_unresponsive", "detection_stuck",
                                              "detector_hung", "edgetpu_missing"));
}

TEST(HealthEvaluator, NoFramesNeedsAMajorityOfWatchedCameras) {
  auto s = HealthyStats();
  s.cameras[0].camera_fps = 0;
  EXPECT_FALSE(Failing(Judge(&s), Reason::kNoFrames));  // 1 of 3
  s.cameras[1].camera_fps = 0.5;
  auto v = Judge(&s);
  EXPECT_TRUE(Failing(v, Reason::kNoFrames));  // 2 of 3
  EXPECT_EQ(v.results[8].detail, "2 of 3 cameras below 1 fps: front, back");
}

// Frigate never starts a camera with `enabled: false`: camera_fps 0, pid and capture_pid null.
CameraStats DisabledCamera(std::string name) {
  CameraStats c = Camera(std::move(name), 0);
  c.pid.reset();
  c.capture_pid.reset();
  c.ffmpeg_pid = 0;
  return c;
}

TEST(HealthEvaluator, CamerasDisabledInConfigAreLeftOutAndNamed) {
  auto s = HealthyStats();
  s.cameras = {Camera("front", 5), DisabledCamera("garage"), DisabledCamera("attic")};
  const auto config = Config({{"front", CameraOff::kNo},
                              {"garage", CameraOff::kInConfig},
                              {"attic", CameraOff::kInConfig}});
  for (const FrigateConfigFacts* c : {&config, static_cast<const FrigateConfigFacts*>(nullptr)}) {
    // With /api/config, and without it (then the stats' shape tells).
    auto v = Judge(&s, {}, {}, c);
    EXPECT_TRUE(v.healthy()) << v.results[8].detail;
    EXPECT_EQ(v.results[8].detail,
              "0 of 1 cameras below 1 fps (left out: garage disabled in config, attic disabled "
              "in config)");
    EXPECT_THAT(v.results[9].detail, ::testing::HasSubstr("left out: garage"));
    ASSERT_EQ(v.left_out_cameras.size(), 2u);
    EXPECT_EQ(v.left_out_cameras[0],
              std::make_pair(std::string("garage"), std::string("disabled in config")));
  }
}

TEST(HealthEvaluator, CamerasSwitchedOffAtRuntimeAreReportedOffNotLive) {
  auto s = HealthyStats();
  // 0.16+: switched off through MQTT/UI, the camera keeps its last camera_fps and its pids.
  s.cameras = {Camera("front", 5), Camera("porch", 5, 4.5), Camera("back", 0)};
  const auto config = Config(
      {{"front", CameraOff::kNo}, {"porch", CameraOff::kAtRuntime}, {"back", CameraOff::kNo}});
  auto v = Judge(&s, {}, {}, &config);
  EXPECT_EQ(v.results[8].detail,
            "1 of 2 cameras below 1 fps: back (left out: porch switched off at runtime)");
  EXPECT_EQ(v.results[9].detail,
            "0 of 1 working cameras skip more than 80% of frames (left out: porch switched off "
            "at runtime)");
}

TEST(HealthEvaluator, AllLiveCamerasDarkStillFailsNoFrames) {
  auto s = HealthyStats();
  s.cameras = {Camera("front", 0), Camera("back", 0), DisabledCamera("garage")};
  EXPECT_TRUE(Failing(Judge(&s), Reason::kNoFrames));
  // A camera the config has on but that has no processes is dark, not disabled.
  s.cameras = {DisabledCamera("front"), DisabledCamera("back")};
  const auto config = Config({{"front", CameraOff::kNo}, {"back", CameraOff::kNo}});
  auto v = Judge(&s, {}, {}, &config);
  EXPECT_TRUE(Failing(v, Reason::kNoFrames));
  EXPECT_EQ(v.results[8].detail, "2 of 2 cameras below 1 fps: front, back");
}

TEST(HealthEvaluator, SkippedCamerasAreIgnoredByTheFpsChecks) {
  auto s = HealthyStats();
  s.cameras = {Camera("reolink_doorbell", 0), Camera("front", 0), Camera("back", 5)};
  // The doorbell is skipped: 1 dark of 2 watched is not a majority.
  EXPECT_FALSE(Failing(Judge(&s), Reason::kNoFrames));
  HealthThresholds th;
  th.skip_cameras.clear();
  EXPECT_TRUE(Failing(Judge(&s, {}, th), Reason::kNoFrames));
}

TEST(HealthEvaluator, HighSkipRatioNeedsAMajorityOfWorkingCameras) {
  auto s = HealthyStats();
  s.cameras = {Camera("a", 10, 9), Camera("b", 10, 1), Camera("c", 0)};
  // Working cameras: a and b; only a skips over 80 %: 1 of 2 is no majority.
  EXPECT_FALSE(Failing(Judge(&s), Reason::kHighSkipRatio));
  s.cameras[1].skipped_fps = 8.5;
  EXPECT_TRUE(Failing(Judge(&s), Reason::kHighSkipRatio));
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FHC_SOURCE_DIR) + "/tests/fixtures/stats/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class HealthyBodyOfEachVersion : public ::testing::TestWithParam<const char*> {};

// Guard against over-fixing: every healthy body 0.12-0.18 is HEALTHY (here without /api/config,
// as on the first scrape: a camera without processes then reads as disabled in config).
TEST_P(HealthyBodyOfEachVersion, IsHealthy) {
  auto stats = ParseStats(ReadFixture(GetParam()));
  ASSERT_TRUE(stats.ok()) << stats.error();
  ASSERT_FALSE(stats->cameras.empty());
  HealthInput in;
  in.stats = &*stats;
  in.now_unix = stats->last_updated.value_or(kNow) + 5;
  auto v = EvaluateHealth(in, {});
  EXPECT_TRUE(v.healthy()) << ::testing::PrintToString(v.FailingReasons()) << " "
                           << v.results[2].detail << " | " << v.results[8].detail;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HealthyBodyOfEachVersion,
                         ::testing::Values("frigate-0.12.json", "frigate-0.13.0-beta1.json",
                                           "frigate-0.13.0-beta2.json", "frigate-0.13.json",
                                           "frigate-0.14.json", "frigate-0.15.json",
                                           "frigate-0.16.json", "frigate-0.17.json",
                                           "frigate-0.18-beta.json"));

TEST(HealthEvaluator, ExactlyAtTheSkipRatioIsNotHigh) {
  auto s = HealthyStats();
  s.cameras = {Camera("a", 10, 8)};
  EXPECT_FALSE(Failing(Judge(&s), Reason::kHighSkipRatio));
}

}  // namespace
}  // namespace fhc::exporter
