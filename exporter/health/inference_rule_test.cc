#include "exporter/health/inference_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>

namespace fhc::exporter {
namespace {

// Real figures: Frigate's docs/docs/frigate/hardware.md at v0.16.4 / v0.17.2 (healthy speeds per
// detector type), and what the issue reported from the field.
struct Case {
  const char* what;
  const char* type;
  double ms;
  std::optional<double> baseline_ms;
  std::optional<double> slow_for_seconds;
  bool failing;
  const char* rule;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.what; }

const Case kCases[] = {
    // No baseline yet: the type's limit alone.
    {"coral healthy ~10 ms", "edgetpu", 9.5, {}, {}, false, ""},
    {"coral at 150 ms still fails", "edgetpu", 150, {}, {}, true, "type_limit"},
    {"coral at 150 ms fails even with a slow baseline",
     "edgetpu",
     150,
     140.0,
     {},
     true,
     "type_limit"},
    {"rk3566 1 core YOLO-NAS small ~96 ms", "rknn", 96, {}, {}, false, ""},
    {"Tesla P40 YOLO-NAS 320 ~105 ms", "onnx", 105, {}, {}, false, ""},
    {"CPU detector ~100+ ms", "cpu", 140, {}, {}, false, ""},
    {"CPU detector on a weak box 350 ms", "cpu", 350, {}, {}, false, ""},
    {"synaptics SL1680 yolov5m ~118 ms", "synaptics", 118, {}, {}, false, ""},
    {"hailo8l yolov9-tiny 18 ms", "hailo8l", 18, {}, {}, false, ""},
    {"openvino Intel UHD 730 YOLOv9 s-640 65 ms", "openvino", 65, {}, {}, false, ""},
    {"unknown type, 400 ms", "", 400, {}, {}, false, ""},
    {"CPU detector at 1.2 s is broken", "cpu", 1200, {}, {}, true, "type_limit"},
    // Against its own baseline.
    {"GPU from 12 ms to 80 ms, sustained", "onnx", 80, 12.0, 300.0, true, "baseline"},
    {"GPU from 12 ms to 80 ms, not yet sustained", "onnx", 80, 12.0, 240.0, false, ""},
    {"CPU detector tripled for a 2-minute burst of activity", "cpu", 330, 100.0, 120.0, false, ""},
    {"GPU from 12 ms to 30 ms: under 3x", "onnx", 30, 12.0, {}, false, ""},
    {"coral 5 ms to 18 ms: over 3x but under +20 ms", "edgetpu", 18, 5.0, {}, false, ""},
    {"P40 at 105 ms against its own 100 ms", "onnx", 105, 100.0, {}, false, ""},
    {"rk3566 at 96 ms against its own 95 ms", "rknn", 96, 95.0, {}, false, ""},
    {"CPU from 100 ms to 350 ms, sustained", "cpu", 350, 100.0, 600.0, true, "baseline"},
};

class InferenceRuleTable : public ::testing::TestWithParam<Case> {};

TEST_P(InferenceRuleTable, Judges) {
  const Case& c = GetParam();
  DetectorBaselineView view;
  view.baseline_ms = c.baseline_ms;
  view.samples = c.baseline_ms ? 100 : 3;
  // The tracker only reports a slow time when the condition holds.
  if (c.baseline_ms && SlowAgainstBaseline(c.ms, *c.baseline_ms, DefaultInferenceRule())) {
    view.slow_for_seconds = c.slow_for_seconds.value_or(0);
  }
  const InferenceFinding f = JudgeInference("d", c.ms, c.type, view, DefaultInferenceRule());
  EXPECT_EQ(f.failing, c.failing) << f.detail;
  EXPECT_EQ(f.rule, c.rule) << f.detail;
}

INSTANTIATE_TEST_SUITE_P(RealFigures, InferenceRuleTable, ::testing::ValuesIn(kCases));

TEST(InferenceRule, TheFindingNamesTheRuleAndItsFigures) {
  DetectorBaselineView view{12.0, 300, 315.0};
  auto f = JudgeInference("gpu", 80, "onnx", view, DefaultInferenceRule());
  EXPECT_EQ(f.detail,
            "detector gpu (onnx) inference 80.00 ms against its baseline 12.00 ms (fires above "
            "3x and +20 ms for 300 s; limit 400 ms): slow for 315 s");
  f = JudgeInference("coral", 150, "edgetpu", {}, DefaultInferenceRule());
  EXPECT_EQ(f.detail, "detector coral (edgetpu) inference 150.00 ms over the edgetpu limit 100 ms");
}

TEST(InferenceRule, TypeLimitsComeFromTheTableAndTheCoralSetting) {
  InferenceRule rule = DefaultInferenceRule();
  rule.edgetpu_limit_ms = 80;
  EXPECT_EQ(TypeLimitMs("edgetpu", rule), 80);
  EXPECT_EQ(TypeLimitMs("rknn", rule), 400);
  EXPECT_EQ(TypeLimitMs("zmq", rule), rule.default_limit_ms);
  EXPECT_EQ(TypeLimitMs("", rule), rule.default_limit_ms);
}

TEST(InferenceRule, LimitsSettingIsTypeEqualsMilliseconds) {
  auto limits = ParseTypeLimits(" cpu=500, onnx = 250.5 ");
  ASSERT_TRUE(limits);
  EXPECT_EQ(limits->at("cpu"), 500);
  EXPECT_EQ(limits->at("onnx"), 250.5);
  EXPECT_TRUE(ParseTypeLimits("")->empty());
  for (const char* bad : {"cpu", "cpu=", "=5", "cpu=0", "cpu=-1", "cpu=5ms", "cpu=5,", "cpu=nan"}) {
    EXPECT_FALSE(ParseTypeLimits(bad)) << bad;
  }
}

}  // namespace
}  // namespace fhc::exporter
