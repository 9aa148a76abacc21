#pragma once
// What the exporter needs from Frigate's /api/config (every version 0.12+): which cameras are
// off, and what kind of hardware each detector is.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::exporter {

// Why a camera delivers no frames on purpose.
enum class CameraOff {
  kNo,         // configured on and running
  kInConfig,   // `enabled: false` in the config: Frigate never starts its processes
  kAtRuntime,  // 0.16+: switched off through MQTT/UI (`enabled` false, `enabled_in_config` true)
};

struct DetectorConfig {
  std::string type;  // "edgetpu", "cpu", "openvino", "onnx", "tensorrt", "rknn", "hailo8l", ...
  // What identifies the model the detector runs ("<path> <width>x<height>"); a change means a
  // new model, so the detector's learned inference speed no longer applies.
  std::string model;
};

struct FrigateConfigFacts {
  std::map<std::string, CameraOff, std::less<>> cameras;
  std::map<std::string, DetectorConfig, std::less<>> detectors;
};

// Reads a /api/config body. Fails only when the body is not a JSON object with a "cameras"
// object; anything else missing or wrong-typed is left out. A camera's `enabled` defaults to
// true (Frigate's default); `enabled_in_config` exists from 0.16.
Result<FrigateConfigFacts> ParseFrigateConfig(std::string_view body);

// "disabled in config", "switched off at runtime", or "" for kNo.
std::string_view CameraOffText(CameraOff off);

}  // namespace fhc::exporter
