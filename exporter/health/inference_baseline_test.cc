#include "exporter/health/inference_baseline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fhc::exporter {
namespace {

using ::testing::Optional;

constexpr double kStart = 1'700'000'000;

// A fake clock in seconds: snapshots every `step` s, speeds wobbling around `ms`.
struct Feed {
  InferenceBaselineTracker tracker{BaselineOptions{}, DefaultInferenceRule()};
  double at = kStart;
  int n = 0;
  void Run(const char* det, double ms, double seconds, double step = 15,
           const char* model = "/m 320x320") {
    for (double end = at + seconds; at < end; at += step) {
      tracker.Observe(det, model, ms + (n++ % 3) * 0.1, at);
    }
  }
  DetectorBaselineView View(const char* det) { return tracker.View(det, at); }
  InferenceFinding Judge(const char* det, double ms, const char* type) {
    return JudgeInference(det, ms, type, View(det), DefaultInferenceRule());
  }
};

TEST(InferenceBaseline, NoBaselineUntilFiveMinutesOfWork) {
  Feed f;
  f.Run("gpu", 12, 240);
  EXPECT_EQ(f.View("gpu").baseline_ms, std::nullopt);
  f.Run("gpu", 12, 300);
  EXPECT_THAT(f.View("gpu").baseline_ms, Optional(::testing::DoubleNear(12.1, 0.1)));
}

TEST(InferenceBaseline, AGpuThatWentFrom12To80IsCaughtOnceSustained) {
  Feed f;
  f.Run("gpu", 12, 1800);
  f.Run("gpu", 80, 285);
  auto early = f.Judge("gpu", 80, "onnx");
  EXPECT_FALSE(early.failing) << early.detail;
  f.Run("gpu", 80, 30);
  auto late = f.Judge("gpu", 80.1, "onnx");
  EXPECT_TRUE(late.failing) << late.detail;
  EXPECT_EQ(late.rule, "baseline");
  // The slow samples did not become the baseline.
  f.Run("gpu", 80, 3600);
  EXPECT_THAT(f.View("gpu").baseline_ms, Optional(::testing::DoubleNear(12.1, 0.1)));
  EXPECT_TRUE(f.Judge("gpu", 80, "onnx").failing);
  // Recovered: the slow time resets at once.
  f.Run("gpu", 12, 30);
  EXPECT_EQ(f.View("gpu").slow_for_seconds, std::nullopt);
  EXPECT_FALSE(f.Judge("gpu", 12, "onnx").failing);
}

TEST(InferenceBaseline, ADetectorSlowByNatureIsNotAlarmedFromStartUp) {
  Feed f;
  // rk3566 YOLO-NAS small at ~96 ms, CPU at ~140 ms: from the first snapshot on.
  for (int i = 0; i < 100; ++i) {
    f.Run("rk", 96, 15);
    f.Run("cpu", 140, 15);
    ASSERT_FALSE(f.Judge("rk", 96, "rknn").failing) << i;
    ASSERT_FALSE(f.Judge("cpu", 140, "cpu").failing) << i;
  }
}

TEST(InferenceBaseline, FrigatesStartUpPlaceholderTeachesNothing) {
  Feed f;
  // A CPU detector that saw no motion for an hour reports the placeholder (10 ms) throughout...
  for (int i = 0; i < 240; ++i) f.tracker.Observe("cpu", "/m", 10.0, kStart + i * 15.0);
  EXPECT_EQ(f.tracker.View("cpu", kStart + 3600).samples, 0u);
  // ... and its first real speeds are no slowdown.
  for (int i = 0; i < 40; ++i) f.tracker.Observe("cpu", "/m", 100.0, kStart + 3600 + i * 15.0);
  auto view = f.tracker.View("cpu", kStart + 4200);
  EXPECT_THAT(view.baseline_ms, Optional(100.0));
  EXPECT_EQ(view.slow_for_seconds, std::nullopt);
}

TEST(InferenceBaseline, SteadyFiguresTeachAtMostOneSamplePerSpacing) {
  Feed f;
  for (int i = 0; i < 40; ++i) f.tracker.Observe("gpu", "/m", 12.0, kStart + i * 15.0);
  EXPECT_THAT(f.tracker.View("gpu", kStart + 600).baseline_ms, Optional(12.0));
  // Scrapes faster than the spacing count once per 10 s.
  for (int i = 0; i < 100; ++i) f.tracker.Observe("cpu", "/m", 100.0 + i * 0.01, kStart + i);
  EXPECT_EQ(f.tracker.View("cpu", kStart + 100).samples, 10u);
}

TEST(InferenceBaseline, ANewModelStartsOver) {
  Feed f;
  f.Run("gpu", 12, 1800, 15, "/ssd 300x300");
  ASSERT_TRUE(f.View("gpu").baseline_ms);
  f.Run("gpu", 40, 60, 15, "/yolo_nas_m 640x640");
  EXPECT_EQ(f.View("gpu").baseline_ms, std::nullopt);
  EXPECT_FALSE(f.Judge("gpu", 40, "onnx").failing);
}

TEST(InferenceBaseline, BaselineIsARobustMedian) {
  Feed f;
  f.Run("coral", 9, 1800);
  // A few spikes short of "slow" (under 3x) do not move the median.
  for (int i = 0; i < 20; ++i) f.tracker.Observe("coral", "/m 320x320", 25.0 + i, f.at += 15);
  EXPECT_THAT(f.View("coral").baseline_ms, Optional(::testing::DoubleNear(9.1, 0.1)));
}

}  // namespace
}  // namespace fhc::exporter
