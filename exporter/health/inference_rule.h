#pragma once
// When a detector's inference is too slow: against an absolute limit for its kind of hardware,
// and against its own learned baseline. Pure: figures in, finding out.
//
// The rule (README "Inference rule"):
//   1. type limit: inference_ms > the limit of the detector's `type` from /api/config
//      (edgetpu: INFERENCE_THRESHOLD_MS; the others from Frigate's hardware docs, see
//      kDefaultTypeLimitsMs; an unknown or not yet known type: default_limit_ms). Fires at once.
//   2. baseline: once the detector has a baseline (median of its recent healthy samples), a speed
//      above baseline_factor x baseline AND at least baseline_margin_ms above it, held for
//      sustain_seconds, fires. Without a baseline only rule 1 applies, so a detector that is slow
//      by nature (CPU, rk3566 ~96 ms) is judged by its type alone until it has a history.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fhc::exporter {

struct InferenceRule {
  double edgetpu_limit_ms = 100;  // INFERENCE_THRESHOLD_MS: the old CronJob's only case
  std::map<std::string, double, std::less<>> type_limits_ms;  // other types; see defaults
  double default_limit_ms = 1000;  // types without a row, and detectors of unknown type
  double baseline_factor = 3;      // INFERENCE_BASELINE_FACTOR
  double baseline_margin_ms = 20;  // INFERENCE_BASELINE_MARGIN_MS
  double sustain_seconds = 300;    // INFERENCE_SLOW_SECONDS
};

// Built-in limits per detector type (ms), each a few times the slowest healthy figure Frigate's
// docs/docs/frigate/hardware.md (v0.16.4, v0.17.2) lists for that type.
const std::map<std::string, double, std::less<>>& DefaultTypeLimitsMs();
InferenceRule DefaultInferenceRule();

// INFERENCE_LIMITS_MS: "type=ms,type=ms" (e.g. "cpu=500,onnx=250"), each ms > 0; "" is none.
// nullopt when malformed. The rows replace the built-in ones of those types.
std::optional<std::map<std::string, double, std::less<>>> ParseTypeLimits(std::string_view text);

// The absolute limit for a detector type ("" = unknown).
double TypeLimitMs(std::string_view type, const InferenceRule& rule);

// Rule 2's condition on one figure (without the time it has held).
bool SlowAgainstBaseline(double inference_ms, double baseline_ms, const InferenceRule& rule);

// What the baseline tracker knows of one detector.
struct DetectorBaselineView {
  std::optional<double> baseline_ms;       // set once enough healthy samples are in
  std::size_t samples = 0;                 // healthy samples held
  std::optional<double> slow_for_seconds;  // how long rule 2's condition has held, if it does
};

struct InferenceFinding {
  bool failing = false;
  std::string rule;    // "type_limit" | "baseline" | "" when passing
  std::string detail;  // the figures, one clause
};

InferenceFinding JudgeInference(std::string_view detector, double inference_ms,
                                std::string_view type, const DetectorBaselineView& baseline,
                                const InferenceRule& rule);

}  // namespace fhc::exporter
