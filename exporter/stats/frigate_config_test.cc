#include "exporter/stats/frigate_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fhc::exporter {
namespace {

// Shapes of /api/config: frigate/http.py config() at v0.12.1 (FrigateConfig.dict(): every camera
// has "enabled"; detectors carry "type" and their own "model"), frigate/api/app.py config() at
// v0.16.4 (model_dump: cameras also carry "enabled_in_config", set from "enabled" at load and
// left alone when the camera is switched off through MQTT/the UI).
constexpr const char* kConfig012 = R"({"mqtt":{"host":"mqtt"},
  "detectors":{"coral":{"type":"edgetpu","device":"usb",
    "model":{"path":"/edgetpu_model.tflite","width":320,"height":320}}},
  "model":{"path":null,"width":320,"height":320},
  "cameras":{"front":{"name":"front","enabled":true,"detect":{"enabled":true}},
             "garage":{"name":"garage","enabled":false,"detect":{"enabled":true}}},
  "plus":{"enabled":false}})";

constexpr const char* kConfig016 = R"({"mqtt":{"host":"mqtt"},
  "detectors":{"ov":{"type":"openvino","device":"GPU",
    "model":{"path":"/openvino-model/ssdlite_mobilenet_v2.xml","width":300,"height":300}},
    "rk":{"type":"rknn","num_cores":0}},
  "model":{"path":"/models/yolo_nas_s.onnx","width":320,"height":320},
  "cameras":{"front":{"enabled":true,"enabled_in_config":true},
             "porch":{"enabled":false,"enabled_in_config":true},
             "attic":{"enabled":false,"enabled_in_config":false},
             "new_cam":{}},
  "plus":{"enabled":false}})";

TEST(FrigateConfig, CameraDisabledInConfigBefore016) {
  auto facts = ParseFrigateConfig(kConfig012);
  ASSERT_TRUE(facts.ok()) << facts.error();
  EXPECT_EQ(facts->cameras.at("front"), CameraOff::kNo);
  EXPECT_EQ(facts->cameras.at("garage"), CameraOff::kInConfig);
  EXPECT_EQ(facts->detectors.at("coral").type, "edgetpu");
  EXPECT_EQ(facts->detectors.at("coral").model, "/edgetpu_model.tflite 320x320");
}

TEST(FrigateConfig, RuntimeOffIsToldApartFromConfigOffFrom016) {
  auto facts = ParseFrigateConfig(kConfig016);
  ASSERT_TRUE(facts.ok()) << facts.error();
  EXPECT_EQ(facts->cameras.at("front"), CameraOff::kNo);
  EXPECT_EQ(facts->cameras.at("porch"), CameraOff::kAtRuntime);
  EXPECT_EQ(facts->cameras.at("attic"), CameraOff::kInConfig);
  EXPECT_EQ(facts->cameras.at("new_cam"), CameraOff::kNo);  // Frigate's default is enabled
  EXPECT_EQ(facts->detectors.at("ov").type, "openvino");
  // No model of its own: the global model is what it runs.
  EXPECT_EQ(facts->detectors.at("rk").model, "/models/yolo_nas_s.onnx 320x320");
  EXPECT_EQ(CameraOffText(CameraOff::kAtRuntime), "switched off at runtime");
  EXPECT_EQ(CameraOffText(CameraOff::kInConfig), "disabled in config");
}

TEST(FrigateConfig, BadBodiesAreOneLineErrors) {
  EXPECT_THAT(ParseFrigateConfig("<html>").error(), ::testing::HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseFrigateConfig("[]").error(), ::testing::HasSubstr("no \"cameras\""));
  EXPECT_THAT(ParseFrigateConfig(R"({"cameras":[]})").error(),
              ::testing::HasSubstr("no \"cameras\""));
  auto odd = ParseFrigateConfig(R"({"cameras":{"a":1,"b":{"enabled":"no"}},"detectors":[]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->cameras.size(), 1u);
  EXPECT_EQ(odd->cameras.at("b"), CameraOff::kNo);
}

}  // namespace
}  // namespace fhc::exporter
