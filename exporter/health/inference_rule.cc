#include "exporter/health/inference_rule.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace fhc::exporter {

const std::map<std::string, double, std::less<>>& DefaultTypeLimitsMs() {
  // hardware.md figures (slowest healthy one listed per type) -> limit:
  //   hailo8l   Hailo-8L yolov9-tiny 320: 18 ms                        -> 100
  //   openvino  Intel UHD 730 YOLOv9 s-640: 65 ms; HD 530 up to 35 ms  -> 250
  //   memryx    MX3 YOLOv9s 640: ~41 ms                                -> 250
  //   onnx      Tesla P40 YOLO-NAS 320: ~105 ms                        -> 400
  //   tensorrt  Jetson "typically 20-40 ms"; same NVIDIA GPUs as onnx  -> 400
  //   rocm      AMD 780M YOLO-NAS 640: ~50 ms                          -> 400
  //   rknn      rk3566 1 core YOLO-NAS small: ~96 ms                   -> 400
  //   synaptics SL1680 yolov5m: ~118 ms                                -> 500
  //   cpu       "generally not recommended"; healthy ones run ~100+ ms -> default (1000)
  static const std::map<std::string, double, std::less<>> limits = {
      {"hailo8l", 100}, {"openvino", 250}, {"memryx", 250},    {"onnx", 400}, {"tensorrt", 400},
      {"rocm", 400},    {"rknn", 400},     {"synaptics", 500}, {"cpu", 1000},
  };
  return limits;
}

InferenceRule DefaultInferenceRule() {
  InferenceRule rule;
  rule.type_limits_ms = DefaultTypeLimitsMs();
  return rule;
}

std::optional<std::map<std::string, double, std::less<>>> ParseTypeLimits(std::string_view text) {
  std::map<std::string, double, std::less<>> out;
  auto trim = [](std::string_view t) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    return t;
  };
  if (trim(text).empty()) return out;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view type = trim(item.substr(0, eq));
    const std::string number(trim(item.substr(eq + 1)));
    if (type.empty() || number.empty()) return std::nullopt;
    char* end = nullptr;
    const double ms = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(ms) || ms <= 0) {
      return std::nullopt;
    }
    out[std::string(type)] = ms;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

double TypeLimitMs(std::string_view type, const InferenceRule& rule) {
  if (type == "edgetpu") return rule.edgetpu_limit_ms;
  auto it = rule.type_limits_ms.find(type);
  return it == rule.type_limits_ms.end() ? rule.default_limit_ms : it->second;
}

bool SlowAgainstBaseline(double inference_ms, double baseline_ms, const InferenceRule& rule) {
  return inference_ms > rule.baseline_factor * baseline_ms &&
         inference_ms - baseline_ms >= rule.baseline_margin_ms;
}

InferenceFinding JudgeInference(std::string_view detector, double ms, std::string_view type,
                                const DetectorBaselineView& baseline, const InferenceRule& rule) {
  const double limit = TypeLimitMs(type, rule);
  const std::string who =
      fmt::format("detector {} ({})", detector, type.empty() ? "type unknown" : type);
  if (ms > limit) {
    return {true, "type_limit",
            fmt::format("{} inference {:.2f} ms over the {} limit {:.0f} ms", who, ms,
                        type.empty() ? "default" : type, limit)};
  }
  if (!baseline.baseline_ms) {
    return {false, "",
            fmt::format("{} inference {:.2f} ms (limit {:.0f} ms; no baseline yet, {} samples)",
                        who, ms, limit, baseline.samples)};
  }
  const double base = *baseline.baseline_ms;
  const std::string figures = fmt::format(
      "{} inference {:.2f} ms against its baseline {:.2f} ms (fires above {:g}x and "
      "+{:.0f} ms for {:.0f} s; limit {:.0f} ms)",
      who, ms, base, rule.baseline_factor, rule.baseline_margin_ms, rule.sustain_seconds, limit);
  if (SlowAgainstBaseline(ms, base, rule) && baseline.slow_for_seconds &&
      *baseline.slow_for_seconds >= rule.sustain_seconds) {
    return {true, "baseline",
            fmt::format("{}: slow for {:.0f} s", figures, *baseline.slow_for_seconds)};
  }
  if (baseline.slow_for_seconds) {
    return {false, "",
            fmt::format("{}: slow for {:.0f} s so far", figures, *baseline.slow_for_seconds)};
  }
  return {false, "", figures};
}

}  // namespace fhc::exporter
