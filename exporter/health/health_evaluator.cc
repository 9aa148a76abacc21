#include "exporter/health/health_evaluator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <functional>

#include "exporter/stats/frigate_version.h"

namespace fhc::exporter {
namespace {

struct Context {
  const HealthInput& in;
  const HealthThresholds& th;
  const HealthVerdict& verdict;  // stuck_detectors and stats_age are filled before the checks
};

using Check = ReasonResult (*)(const Context&);

ReasonResult Result(Reason r, bool failing, std::string detail) {
  return ReasonResult{r, failing, std::move(detail)};
}

// Checks that need stats pass with this note when there are none: api_unresponsive says why.
ReasonResult NoStats(Reason r) {
  return Result(r, false, "no stats to judge (see api_unresponsive)");
}

ReasonResult ApiUnresponsive(const Context& c) {
  if (c.in.stats == nullptr) return Result(Reason::kApiUnresponsive, true, c.in.stats_error);
  return Result(Reason::kApiUnresponsive, false, "stats fetched and parsed");
}

ReasonResult StatsStale(const Context& c) {
  if (c.in.stats == nullptr) return NoStats(Reason::kStatsStale);
  if (!c.verdict.stats_age_seconds) {
    return Result(Reason::kStatsStale, false, "this Frigate version reports no last_updated");
  }
  double age = *c.verdict.stats_age_seconds;
  return Result(
      Reason::kStatsStale, age > c.th.stats_stale_seconds,
      fmt::format("stats are {:.0f} s old (limit {:.0f} s)", age, c.th.stats_stale_seconds));
}

ReasonResult InferenceSlow(const Context& c) {
  if (c.in.stats == nullptr) return NoStats(Reason::kInferenceSlow);
  if (c.verdict.detectors.empty()) {
    return Result(Reason::kInferenceSlow, false, "no detector reports a speed");
  }
  std::vector<std::string> failing;
  for (const auto& d : c.verdict.detectors) {
    if (d.finding.failing) failing.push_back(d.finding.detail + " [rule " + d.finding.rule + "]");
  }
  if (!failing.empty()) {
    return Result(Reason::kInferenceSlow, true, fmt::format("{}", fmt::join(failing, "; ")));
  }
  // Passing: the detector closest to its limit speaks for all.
  const auto* closest = &c.verdict.detectors.front();
  for (const auto& d : c.verdict.detectors) {
    if (d.inference_ms / d.limit_ms > closest->inference_ms / closest->limit_ms) closest = &d;
  }
  return Result(Reason::kInferenceSlow, false, closest->finding.detail);
}

ReasonResult DetectorStuck(const Context& c) {
  if (c.in.stats == nullptr) return NoStats(Reason::kDetectorStuck);
  if (c.verdict.stuck_detectors.empty()) {
    return Result(Reason::kDetectorStuck, false,
                  "no inference in flight for longer than the limit");
  }
  return Result(
      Reason::kDetectorStuck, true,
      fmt::format("inference running for more than {:.0f} s on: {}", c.th.detector_stuck_seconds,
                  fmt::join(c.verdict.stuck_detectors, ", ")));
}

ReasonResult DetectionStuck(const Context& c) {
  int n = c.in.logs.stuck_events_in_window;
  return Result(Reason::kDetectionStuck, n > c.th.stuck_detection_threshold,
                fmt::format("{} \"Detection appears to be stuck\" lines in the window (limit {})",
                            n, c.th.stuck_detection_threshold));
}

ReasonResult DetectorHung(const Context& c) {
  return Result(Reason::kDetectorHung, c.in.logs.detector_hung,
                c.in.logs.detector_hung ? "a detector was force-killed and no new detector started"
                                        : "no force-kill without a new detector");
}

ReasonResult EdgeTpuMissing(const Context& c) {
  return Result(Reason::kEdgeTpuMissing, c.in.logs.edgetpu_missing,
                c.in.logs.edgetpu_missing ? "\"No EdgeTPU was detected\" in the window"
                                          : "no missing-EdgeTPU lines in the window");
}

// Frigate 0.15 (frigate/record/maintainer.py, PR #14341) split the recording backlog into two
// wordings with two causes: "Too many unprocessed recording segments" (the detect/record pipeline
// is stuck; a restart helps) and "Unable to keep up with recording segments" (moving segments
// out of the cache is too slow: storage; a restart does not help). Up to 0.14 "Unable to keep
// up" was the only wording and covered both. The version comes from the stats (the last known
// one while they cannot be fetched); when it was never known, the wordings are read the 0.15+
// way, so an unknown Frigate is told about slow storage rather than restarted in vain.
bool BacklogWordingsSplit(const Context& c) {
  const std::string_view text =
      c.in.stats != nullptr ? std::string_view(c.in.stats->version) : c.in.last_known_version;
  const auto version = ParseFrigateVersion(text);
  return !version || *version >= FrigateVersion{0, 15, 0};
}

ReasonResult RecordingBacklog(const Context& c) {
  const LogFacts& l = c.in.logs;
  if (!BacklogWordingsSplit(c)) {
    int n = l.backlog_events_in_window;
    return Result(Reason::kRecordingBacklog, n > c.th.backlog_threshold,
                  fmt::format("{} recording-backlog lines in the window (limit {})", n,
                              c.th.backlog_threshold));
  }
  int n = l.backlog_events_in_window - l.backlog_keep_up_in_window;
  return Result(Reason::kRecordingBacklog, n > c.th.backlog_threshold,
                fmt::format("{} \"Too many unprocessed recording segments\" lines in the window "
                            "(limit {})",
                            n, c.th.backlog_threshold));
}

ReasonResult RecordingStorageSlow(const Context& c) {
  if (!BacklogWordingsSplit(c)) {
    return Result(Reason::kRecordingStorageSlow, false,
                  "before Frigate 0.15 \"Unable to keep up\" counts as recording_backlog");
  }
  int n = c.in.logs.backlog_keep_up_in_window;
  return Result(Reason::kRecordingStorageSlow, n > c.th.backlog_threshold,
                fmt::format("{} \"Unable to keep up with recording segments\" lines in the "
                            "window (limit {})",
                            n, c.th.backlog_threshold));
}

ReasonResult EdgeTpuWrongModel(const Context& c) {
  return Result(Reason::kEdgeTpuWrongModel, c.in.logs.edgetpu_wrong_model,
                c.in.logs.edgetpu_wrong_model
                    ? "\"Incorrect model used with EdgeTPU\" in the window"
                    : "no wrong-model lines in the window");
}

// Cameras the fps checks look at: all but SKIP_CAMERAS and cameras off on purpose, and only
// those reporting camera_fps.
std::vector<const CameraStats*> WatchedCameras(const Context& c) {
  std::vector<const CameraStats*> out;
  for (const auto& cam : c.in.stats->cameras) {
    if (cam.camera_fps && !c.th.skip_cameras.contains(cam.name) &&
        CameraOffState(cam, c.in.config) == CameraOff::kNo) {
      out.push_back(&cam);
    }
  }
  return out;
}

// " (left out: garage disabled in config, porch switched off at runtime)" or "".
std::string LeftOutNote(const Context& c) {
  if (c.verdict.left_out_cameras.empty()) return "";
  std::vector<std::string> parts;
  for (const auto& [name, why] : c.verdict.left_out_cameras) parts.push_back(name + " " + why);
  return fmt::format(" (left out: {})", fmt::join(parts, ", "));
}

ReasonResult NoFrames(const Context& c) {
  if (c.in.stats == nullptr) return NoStats(Reason::kNoFrames);
  auto cams = WatchedCameras(c);
  std::vector<std::string> dark;
  for (const auto* cam : cams) {
    if (*cam->camera_fps < c.th.min_camera_fps) dark.push_back(cam->name);
  }
  // A majority, as the CronJob judged: one dead camera of five is the camera's problem.
  bool failing = !cams.empty() && dark.size() * 2 > cams.size();
  return Result(Reason::kNoFrames, failing,
                fmt::format("{} of {} cameras below {:.0f} fps{}{}{}", dark.size(), cams.size(),
                            c.th.min_camera_fps, dark.empty() ? "" : ": ", fmt::join(dark, ", "),
                            LeftOutNote(c)));
}

ReasonResult HighSkipRatio(const Context& c) {
  if (c.in.stats == nullptr) return NoStats(Reason::kHighSkipRatio);
  std::size_t working = 0;
  std::vector<std::string> skipping;
  for (const auto* cam : WatchedCameras(c)) {
    if (*cam->camera_fps < c.th.min_camera_fps) continue;  // no_frames covers dark cameras
    ++working;
    double ratio = cam->skipped_fps.value_or(0) / *cam->camera_fps;
    if (ratio > c.th.skip_ratio_threshold) skipping.push_back(cam->name);
  }
  bool failing = working > 0 && skipping.size() * 2 > working;
  return Result(
      Reason::kHighSkipRatio, failing,
      fmt::format("{} of {} working cameras skip more than {:.0f}% of frames{}{}{}",
                  skipping.size(), working, c.th.skip_ratio_threshold * 100,
                  skipping.empty() ? "" : ": ", fmt::join(skipping, ", "), LeftOutNote(c)));
}

struct ReasonRow {
  Reason reason;
  std::string_view name;
  Check check;
};

constexpr std::array<ReasonRow, 12> kReasons{{
    {Reason::kApiUnresponsive, "api_unresponsive", ApiUnresponsive},
    {Reason::kStatsStale, "stats_stale", StatsStale},
    {Reason::kInferenceSlow, "inference_slow", InferenceSlow},
    {Reason::kDetectorStuck, "detector_stuck", DetectorStuck},
    {Reason::kDetectionStuck, "detection_stuck", DetectionStuck},
    {Reason::kDetectorHung, "detector_hung", DetectorHung},
    {Reason::kEdgeTpuMissing, "edgetpu_missing", EdgeTpuMissing},
    {Reason::kRecordingBacklog, "recording_backlog", RecordingBacklog},
    {Reason::kNoFrames, "no_frames", NoFrames},
    {Reason::kHighSkipRatio, "high_skip_ratio", HighSkipRatio},
    {Reason::kEdgeTpuWrongModel, "edgetpu_wrong_model", EdgeTpuWrongModel},
    {Reason::kRecordingStorageSlow, "recording_storage_slow", RecordingStorageSlow},
}};

void JudgeDetectors(const HealthInput& in, const HealthThresholds& th, HealthVerdict* verdict) {
  InferenceRule rule = th.inference_rule;
  rule.edgetpu_limit_ms = th.inference_threshold_ms;
  static const DetectorBaselineView kNoBaseline;
  for (const auto& d : in.stats->detectors) {
    if (!d.inference_speed_ms) continue;
    HealthVerdict::DetectorInference out;
    out.name = d.name;
    if (in.config != nullptr) {
      if (auto it = in.config->detectors.find(d.name); it != in.config->detectors.end()) {
        out.type = it->second.type;
      }
    }
    out.inference_ms = *d.inference_speed_ms;
    out.limit_ms = TypeLimitMs(out.type, rule);
    auto b = in.inference_baselines.find(d.name);
    const DetectorBaselineView& view = b == in.inference_baselines.end() ? kNoBaseline : b->second;
    out.baseline_ms = view.baseline_ms;
    out.finding = JudgeInference(d.name, out.inference_ms, out.type, view, rule);
    verdict->detectors.push_back(std::move(out));
  }
}

}  // namespace

CameraOff CameraOffState(const CameraStats& camera, const FrigateConfigFacts* config) {
  if (config != nullptr) {
    if (auto it = config->cameras.find(camera.name); it != config->cameras.end()) {
      return it->second;
    }
  }
  const bool no_processes = !camera.pid && !camera.capture_pid;
  const bool no_frames = camera.camera_fps.value_or(0) == 0;
  return no_processes && no_frames ? CameraOff::kInConfig : CameraOff::kNo;
}

std::string_view ReasonName(Reason reason) {
  for (const auto& row : kReasons) {
    if (row.reason == reason) return row.name;
  }
  return "unknown";
}

const std::vector<Reason>& AllReasons() {
  static const std::vector<Reason> all = [] {
    std::vector<Reason> v;
    for (const auto& row : kReasons) v.push_back(row.reason);
    return v;
  }();
  return all;
}

bool HealthVerdict::healthy() const {
  return std::none_of(results.begin(), results.end(), [](const auto& r) { return r.failing; });
}

std::vector<std::string> HealthVerdict::FailingReasons() const {
  std::vector<std::string> out;
  for (const auto& r : results) {
    if (r.failing) out.emplace_back(ReasonName(r.reason));
  }
  return out;
}

HealthVerdict EvaluateHealth(const HealthInput& input, const HealthThresholds& thresholds) {
  HealthVerdict verdict;
  if (input.stats != nullptr) {
    const FrigateStats& s = *input.stats;
    // Frigate 0.14+ serves a snapshot: judge detector starts against the snapshot's own time,
    // or every in-flight inference would look stuck (reference: failure modes, blind spot 5).
    double reference_time = s.last_updated.value_or(input.now_unix);
    if (s.last_updated) verdict.stats_age_seconds = std::max(0.0, input.now_unix - *s.last_updated);
    for (const auto& d : s.detectors) {
      if (d.detection_start && *d.detection_start > 0 &&
          reference_time - *d.detection_start > thresholds.detector_stuck_seconds) {
        verdict.stuck_detectors.push_back(d.name);
      }
    }
    for (const auto& cam : s.cameras) {
      const CameraOff off = CameraOffState(cam, input.config);
      if (off != CameraOff::kNo) {
        verdict.left_out_cameras.emplace_back(cam.name, std::string(CameraOffText(off)));
      }
    }
    JudgeDetectors(input, thresholds, &verdict);
  }
  Context ctx{input, thresholds, verdict};
  std::vector<ReasonResult> results;
  results.reserve(kReasons.size());
  for (const auto& row : kReasons) results.push_back(row.check(ctx));
  verdict.results = std::move(results);
  return verdict;
}

}  // namespace fhc::exporter
