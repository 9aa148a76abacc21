#include "exporter/health/health_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace fhc::exporter {
namespace {

using ::testing::HasSubstr;

HealthVerdict Unhealthy() {
  FrigateStats s;
  DetectorStats d;
  d.name = "coral";
  d.inference_speed_ms = 250;
  s.detectors = {d};
  CameraStats garage;  // disabled in config: no processes, no frames
  garage.name = "garage";
  garage.camera_fps = 0;
  s.cameras = {garage};
  s.last_updated = 1'700'000'000 - 4;
  static FrigateConfigFacts config;
  config.detectors["coral"] = {"edgetpu", "/edgetpu_model.tflite 320x320"};
  HealthInput in;
  in.stats = &s;
  in.config = &config;
  in.now_unix = 1'700'000'000;
  return EvaluateHealth(in, {});
}

HealthReport Report(const HealthVerdict& v) {
  HealthReport r;
  r.verdict = &v;
  r.frigate_url = "http://127.0.0.1:5000";
  r.frigate_version = "0.14.1-f4f3cfa";
  r.frigate_uptime = 3600;
  r.log_source = "frigate-api";
  r.log_source_up = true;
  r.checked_at_unix = 1'700'000'000;
  r.exporter_version = "0.1.0";
  return r;
}

TEST(HealthReport, JsonNamesTheFailingReasonsAndEveryReasonsDetail) {
  auto v = Unhealthy();
  rapidjson::Document doc;
  doc.Parse(HealthJson(Report(v)).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["status"].GetString(), "unhealthy");
  EXPECT_FALSE(doc["healthy"].GetBool());
  ASSERT_EQ(doc["failing"].Size(), 1u);
  EXPECT_STREQ(doc["failing"][0].GetString(), "inference_slow");
  EXPECT_EQ(doc["reasons"].MemberCount(), AllReasons().size());
  EXPECT_STREQ(doc["reasons"]["inference_slow"]["detail"].GetString(),
               "detector coral (edgetpu) inference 250.00 ms over the edgetpu limit 100 ms "
               "[rule type_limit]");
  EXPECT_STREQ(doc["cameras_left_out"]["garage"].GetString(), "disabled in config");
  EXPECT_STREQ(doc["detectors"]["coral"]["rule"].GetString(), "type_limit");
  EXPECT_EQ(doc["detectors"]["coral"]["limit_ms"].GetDouble(), 100);
  EXPECT_TRUE(doc["detectors"]["coral"]["baseline_ms"].IsNull());
  EXPECT_FALSE(doc["frigate"]["config"]["usable"].GetBool());
  EXPECT_DOUBLE_EQ(doc["frigate"]["stats_age_seconds"].GetDouble(), 4);
  EXPECT_STREQ(doc["checked_at"].GetString(), "2023-11-14T22:13:20Z");
  EXPECT_TRUE(doc["log_source"]["up"].GetBool());
}

TEST(HealthReport, TextMarksFailingReasons) {
  auto v = Unhealthy();
  auto text = HealthText(Report(v));
  EXPECT_THAT(text, HasSubstr("UNHEALTHY"));
  EXPECT_THAT(text, HasSubstr("FAIL inference_slow"));
  EXPECT_THAT(text, HasSubstr("ok   no_frames"));
  EXPECT_THAT(text, HasSubstr("version 0.14.1-f4f3cfa, up 3600 s"));
  EXPECT_THAT(text, HasSubstr("camera garage left out of the fps checks: disabled in config"));
  EXPECT_THAT(text, HasSubstr("(left out: garage disabled in config)"));
}

}  // namespace
}  // namespace fhc::exporter
