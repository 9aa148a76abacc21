#pragma once
// The health verdict: every reason of DESIGN.md evaluated from one stats snapshot and the log
// window, with the old CronJob's thresholds. Pure: the same input gives the same verdict.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/health/inference_rule.h"
#include "exporter/stats/frigate_config.h"
#include "exporter/stats/frigate_stats.h"

namespace fhc::exporter {

struct HealthThresholds {
  double inference_threshold_ms = 100;  // INFERENCE_THRESHOLD_MS: the edgetpu (Coral) limit
  // The other types' limits and the baseline rule (its edgetpu limit is the line above).
  InferenceRule inference_rule = DefaultInferenceRule();
  int stuck_detection_threshold = 2;  // STUCK_DETECTION_THRESHOLD: more than this is failing
  int backlog_threshold = 5;          // BACKLOG_THRESHOLD: more than this is failing
  std::set<std::string, std::less<>> skip_cameras{"reolink_doorbell"};  // SKIP_CAMERAS
  double skip_ratio_threshold = 0.8;                                    // SKIP_RATIO_THRESHOLD
  // Frigate's watchdog acts on an inference running longer than 10 s (hard-coded in Frigate).
  double detector_stuck_seconds = 10;
  // 0.14+ snapshots stats every 15 s (+5 s nginx cache); four missed snapshots mean the stats
  // emitter or the main loop is wedged.
  double stats_stale_seconds = 60;
  // A camera below this many frames per second counts as delivering no frames (as the CronJob).
  double min_camera_fps = 1;
};

// What the log window says (from the log monitor). Absent log source: all zero/false.
struct LogFacts {
  int stuck_events_in_window = 0;
  int backlog_events_in_window = 0;  // all cameras, every wording
  // Of which (the rest is 0.11's "Too many recording segments"):
  int backlog_keep_up_in_window = 0;      // "Unable to keep up with recording segments ..."
  int backlog_unprocessed_in_window = 0;  // "Too many unprocessed recording segments ..." (0.15+)
  bool detector_hung = false;
  bool edgetpu_missing = false;
  bool edgetpu_wrong_model = false;  // "Incorrect model used with EdgeTPU" (0.16+)
};

struct HealthInput {
  // Stats usable (fetched, 200, parsed). When false, `stats_error` says why and `stats` is null.
  const FrigateStats* stats = nullptr;
  std::string stats_error;
  double now_unix = 0;  // wall clock of the evaluation, for stats age and detector start
  LogFacts logs;
  // Frigate's version when `stats` is null: the last one the stats reported ("" if never), so a
  // failed fetch does not change what a log wording means.
  std::string last_known_version;
  // Frigate's /api/config as last read (null: not read yet or unusable): which cameras are off
  // on purpose, each detector's type.
  const FrigateConfigFacts* config = nullptr;
  // What the baseline tracker knows of each detector (absent: nothing yet).
  std::map<std::string, DetectorBaselineView, std::less<>> inference_baselines;
};

// Whether a camera is off on purpose: what /api/config says when it lists the camera; without
// it, a camera with neither a process nor a capture process and no frames is one Frigate never
// started, i.e. disabled in its config (every version: app.py / camera/maintainer.py skip them).
CameraOff CameraOffState(const CameraStats& camera, const FrigateConfigFacts* config);

enum class Reason {
  kApiUnresponsive,
  kStatsStale,
  kInferenceSlow,
  kDetectorStuck,
  kDetectionStuck,
  kDetectorHung,
  kEdgeTpuMissing,
  kRecordingBacklog,
  kNoFrames,
  kHighSkipRatio,
  kEdgeTpuWrongModel,
  kRecordingStorageSlow,
};

// Stable names: values of frigate_unhealthy{reason}, keys of /health and the alert labels.
std::string_view ReasonName(Reason reason);
// Every reason, in evaluation order.
const std::vector<Reason>& AllReasons();

struct ReasonResult {
  Reason reason;
  bool failing = false;
  std::string detail;  // one line: the measured value against its threshold, or why it passes
};

struct HealthVerdict {
  std::vector<ReasonResult> results;  // one per reason, AllReasons() order
  bool healthy() const;
  std::vector<std::string> FailingReasons() const;
  // Detectors whose in-flight inference is older than the threshold (frigate_detector_stuck).
  std::vector<std::string> stuck_detectors;
  std::optional<double> stats_age_seconds;  // now - service.last_updated, when known
  // Cameras left out of no_frames and high_skip_ratio, with why ("disabled in config", ...).
  std::vector<std::pair<std::string, std::string>> left_out_cameras;
  // Each detector's inference judgement (type, figures, the rule that fired if any).
  struct DetectorInference {
    std::string name;
    std::string type;  // "" when unknown
    double inference_ms = 0;
    double limit_ms = 0;
    std::optional<double> baseline_ms;
    InferenceFinding finding;
  };
  std::vector<DetectorInference> detectors;
};

HealthVerdict EvaluateHealth(const HealthInput& input, const HealthThresholds& thresholds);

}  // namespace fhc::exporter
