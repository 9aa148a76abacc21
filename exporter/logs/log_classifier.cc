// The classifier: one table of Frigate wordings walked by one loop.
//
// Speed matters (the file source re-reads up to 10 MB after a rotation, and the benchmark asks
// for hundreds of MB/s): every known wording is anchored at the start of the message (prefix) or
// at its end (suffix, for wordings that begin with a camera name). So a line costs: find where
// the message starts (fixed-position checks plus one memchr), look up the rows whose anchor byte
// matches the message's first or last byte, and memcmp those few rows. Lines that match nothing
// never allocate.
#include "exporter/logs/log_classifier.h"

#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "exporter/logs/line_time.h"
#include "exporter/logs/log_event.h"

namespace fhc::exporter {
namespace {

enum class Anchor { kPrefix, kSuffix };

// Where the camera or detector named by a line is found.
enum class Subject {
  kNone,
  kCameraAfter,   // "... for front_door. Keeping ..." : token right after the prefix
  kCameraBefore,  // "front_door exceeded fps limit..." : token right before the suffix
  // "<cam> in the last <N>s. Restarting ...": the suffix starts at "s. ", after any number N
  // (0.18: N = record_stale_threshold = max(120, 2 * segment_time + 30)).
  kCameraBeforeSeconds,
  kFromLogger,      // logger "<logger_prefix><name>": "detector.coral" -> "coral"
  kCameraFromPath,  // "/tmp/cache/front@20240101...mp4" or "front-20240101....mp4" -> "front"
};

struct Pattern {
  std::string_view literal;
  Anchor anchor;
  LogEventKind kind;
  Subject subject;
  // kCameraAfter: text that must follow the token ("Process <name> (PID ..."); kFromLogger:
  // the logger's prefix before the name.
  std::string_view aux = {};
};

using K = LogEventKind;
using A = Anchor;
using S = Subject;

// One row per wording, including the variants of each Frigate version
// (reference: shared/reference/frigate-log-lines.md; the file and tag of each is beside it).
constexpr Pattern kPatterns[] = {
    {"Detection appears to be stuck. Restarting detection process", A::kPrefix, K::kDetectionStuck,
     S::kNone},
    {"Detection appears to have stopped. Exiting Frigate", A::kPrefix, K::kDetectionStopped,
     S::kNone},  // 0.12+
    {"Detection appears to have stopped. Exiting frigate", A::kPrefix, K::kDetectionStopped,
     S::kNone},  // <= 0.11
    {"Detection process didnt exit. Force killing", A::kPrefix, K::kDetectorForceKill,
     S::kNone},  // <= 0.13
    {"Detection process didn't exit. Force killing", A::kPrefix, K::kDetectorForceKill,
     S::kNone},  // 0.14+
    {"Detection process has exited", A::kPrefix, K::kDetectorExited, S::kNone},
    {"Starting detection process: ", A::kPrefix, K::kDetectorStarted, S::kFromLogger, "detector."},
    {"No EdgeTPU was detected", A::kPrefix, K::kEdgeTpuMissing, S::kNone},
    // frigate/detectors/plugins/edgetpu_tfl.py v0.16.0+: a non-.tflite model on a Coral.
    {"Incorrect model used with EdgeTPU", A::kPrefix, K::kEdgeTpuWrongModel, S::kNone},
    {"TPU found", A::kPrefix, K::kEdgeTpuFound, S::kNone},
    {"Unable to keep up with recording segments in cache for ", A::kPrefix, K::kRecordingBacklog,
     S::kCameraAfter},  // 0.12+
    {"Too many unprocessed recording segments in cache for ", A::kPrefix,
     K::kRecordingBacklogUnprocessed, S::kCameraAfter},  // 0.15+
    {"Too many recording segments in cache for ", A::kPrefix, K::kRecordingCacheOverflow,
     S::kCameraAfter},  // 0.11
    {"Discarding a corrupt recording segment: ", A::kPrefix, K::kCorruptSegment,
     S::kCameraFromPath},
    {"Failed to probe corrupt segment ", A::kPrefix, K::kCorruptSegment, S::kCameraFromPath},
    // 0.12-0.16 "No new recording segments were created for <cam> in the last 120s. restarting..."
    {"s. restarting the ffmpeg record process...", A::kSuffix, K::kNoRecordingSegments,
     S::kCameraBeforeSeconds},
    // 0.17 "<reason> for <cam> in the last 120s. Restarting ...", 0.18 "... in the last <N>s.
    // Restarting ..." (frigate/video/ffmpeg.py v0.18.0-beta1); every reason ends the same way.
    {"s. Restarting the ffmpeg record process...", A::kSuffix, K::kNoRecordingSegments,
     S::kCameraBeforeSeconds},
    // 0.17+ frigate/video.py, 0.18 frigate/video/ffmpeg.py: "... for <cam> at <segment time>".
    {"Invalid recording segment detected for ", A::kPrefix, K::kInvalidRecordingSegment,
     S::kCameraAfter},
    {"No frames received from ", A::kPrefix, K::kNoFrames, S::kCameraAfter},
    {"Ffmpeg process crashed unexpectedly for ", A::kPrefix, K::kFfmpegCrashed, S::kCameraAfter},
    {": Unable to read frames from ffmpeg process.", A::kSuffix, K::kFfmpegReadFailed,
     S::kCameraBefore},
    // frigate/video.py v0.12.0-v0.17.2, frigate/video/ffmpeg.py v0.18.0-beta1.
    {": ffmpeg process is not running. exiting capture thread...", A::kSuffix,
     K::kCaptureThreadExited, S::kCameraBefore},
    // frigate/events/audio.py v0.13.0+, logger "audio.<camera>".
    {"ffmpeg process is not running, restarting...", A::kPrefix, K::kAudioFfmpegRestarted,
     S::kFromLogger, "audio."},
    {" exceeded fps limit. Exiting ffmpeg...", A::kSuffix, K::kFpsLimitExceeded, S::kCameraBefore},
    // frigate/watchdog.py v0.18.0-beta1: "Process <name> (PID <pid>) exited with code <code>" and
    // "Process <name> restarting too frequently (5 times in 60s), backing off".
    {"Process ", A::kPrefix, K::kProcessExited, S::kCameraAfter, " (PID "},
    {"Process ", A::kPrefix, K::kProcessRestartBackoff, S::kCameraAfter,
     " restarting too frequently"},
    {"[ERROR] The go2rtc service is not responding to ping", A::kPrefix, K::kGo2rtcUnresponsive,
     S::kNone},
    {"[INFO] Starting Frigate...", A::kPrefix, K::kFrigateStarting, S::kNone},
    {"[INFO] Service Frigate exited with code ", A::kPrefix, K::kFrigateExited, S::kNone},
};
constexpr std::size_t kPatternCount = sizeof(kPatterns) / sizeof(kPatterns[0]);
static_assert(kPatternCount < 32, "row masks are 32 bits");

constexpr std::array<std::string_view, kLogEventKindCount> kNames = {
    "detection_stuck",
    "detection_stopped",
    "detector_force_kill",
    "detector_exited",
    "detector_started",
    "edgetpu_missing",
    "edgetpu_found",
    "recording_backlog",
    "recording_backlog_unprocessed",
    "recording_cache_overflow",
    "corrupt_recording_segment",
    "no_recording_segments",
    "no_frames",
    "ffmpeg_crashed",
    "ffmpeg_read_failed",
    "fps_limit_exceeded",
    "go2rtc_unresponsive",
    "frigate_starting",
    "frigate_exited",
    "edgetpu_wrong_model",
    "invalid_recording_segment",
    "capture_thread_exited",
    "audio_ffmpeg_restarted",
    "process_exited",
    "process_restart_backoff",
};

// Rows indexed by the byte their anchor starts (prefix) or ends (suffix) with.
struct AnchorIndex {
  std::array<uint32_t, 256> by_first{};
  std::array<uint32_t, 256> by_last{};
  constexpr AnchorIndex() {
    for (std::size_t i = 0; i < kPatternCount; ++i) {
      const auto& p = kPatterns[i];
      if (p.anchor == A::kPrefix) {
        by_first[static_cast<unsigned char>(p.literal.front())] |= 1u << i;
      } else {
        by_last[static_cast<unsigned char>(p.literal.back())] |= 1u << i;
      }
    }
  }
};
constexpr AnchorIndex kIndex;

bool IsCameraChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The parts of a line the table needs.
struct Parsed {
  std::string_view logger;   // empty when the line is not in the Python layout
  std::string_view message;  // trailing whitespace removed
};

Parsed Split(std::string_view line) {
  Parsed out;
  std::string_view rest = line;
  if (HasS6Prefix(rest)) rest.remove_prefix(kS6PrefixLength);
  // Python layout: "[YYYY-MM-DD HH:MM:SS] logger<pad> LEVEL<pad>: message".
  if (rest.size() > 22 && rest[0] == '[' && rest[20] == ']' && rest[5] == '-' && rest[21] == ' ') {
    const char* begin = rest.data() + 22;
    const char* end = rest.data() + rest.size();
    const char* space = static_cast<const char*>(std::memchr(begin, ' ', end - begin));
    // Logger names and levels hold no ':'; the first one after the logger ends the header.
    const char* colon =
        space ? static_cast<const char*>(std::memchr(space, ':', end - space)) : nullptr;
    if (colon != nullptr) {
      out.logger = std::string_view(begin, space - begin);
      const char* msg = colon + 1;
      if (msg < end && *msg == ' ') ++msg;
      rest = std::string_view(msg, end - msg);
    }
  }
  while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ' || rest.back() == '\t')) {
    rest.remove_suffix(1);
  }
  out.message = rest;
  return out;
}

std::string CameraFromPath(std::string_view text) {
  // The path ends at whitespace or ':' (0.12 appends ": <returncode> - <stderr>").
  std::size_t end = text.find_first_of(" :");
  std::string_view path = text.substr(0, end);
  std::size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t at = base.find('@');  // 0.13+: "<cam>@20240101120000+0000.mp4"
  if (at != std::string_view::npos) return std::string(base.substr(0, at));
  std::size_t dash = base.rfind('-');  // <= 0.12: "<cam>-20240101120000.mp4"
  if (dash != std::string_view::npos) return std::string(base.substr(0, dash));
  return {};
}

std::size_t CameraTokenEnd(std::string_view msg, std::size_t from) {
  while (from < msg.size() && IsCameraChar(msg[from])) ++from;
  return from;
}

std::size_t CameraTokenBegin(std::string_view msg, std::size_t end) {
  while (end > 0 && IsCameraChar(msg[end - 1])) --end;
  return end;
}

// The subject of a line whose anchor matched, or nullopt when the rest of the wording does not
// fit (then the line is not this row's).
std::optional<std::string> ExtractSubject(const Pattern& p, const Parsed& parsed) {
  const std::string_view msg = parsed.message;
  switch (p.subject) {
    case S::kNone:
      return std::string();
    case S::kCameraAfter: {
      const std::size_t i = p.literal.size();
      const std::size_t j = CameraTokenEnd(msg, i);
      if (!p.aux.empty() && msg.substr(j, p.aux.size()) != p.aux) return std::nullopt;
      return std::string(msg.substr(i, j - i));
    }
    case S::kCameraBefore: {
      const std::size_t end = msg.size() - p.literal.size();
      return std::string(msg.substr(CameraTokenBegin(msg, end), end - CameraTokenBegin(msg, end)));
    }
    case S::kCameraBeforeSeconds: {
      constexpr std::string_view kInTheLast = " in the last ";
      std::size_t end = msg.size() - p.literal.size();
      const std::size_t digits_end = end;
      while (end > 0 && msg[end - 1] >= '0' && msg[end - 1] <= '9') --end;
      if (end == digits_end || end < kInTheLast.size() ||
          msg.substr(end - kInTheLast.size(), kInTheLast.size()) != kInTheLast) {
        return std::nullopt;
      }
      end -= kInTheLast.size();
      const std::size_t begin = CameraTokenBegin(msg, end);
      return std::string(msg.substr(begin, end - begin));
    }
    case S::kFromLogger:
      if (parsed.logger.substr(0, p.aux.size()) == p.aux) {
        return std::string(parsed.logger.substr(p.aux.size()));
      }
      return std::string();
    case S::kCameraFromPath:
      return CameraFromPath(msg.substr(p.literal.size()));
  }
  return std::string();
}

bool Matches(const Pattern& p, std::string_view msg) {
  const std::size_t n = p.literal.size();
  if (msg.size() < n) return false;
  const char* at = p.anchor == A::kPrefix ? msg.data() : msg.data() + msg.size() - n;
  return std::memcmp(at, p.literal.data(), n) == 0;
}

}  // namespace

std::string_view EventName(LogEventKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<LogEvent> ClassifyLine(std::string_view line) {
  const Parsed parsed = Split(line);
  const std::string_view msg = parsed.message;
  if (msg.empty()) return std::nullopt;
  uint32_t rows = kIndex.by_first[static_cast<unsigned char>(msg.front())] |
                  kIndex.by_last[static_cast<unsigned char>(msg.back())];
  while (rows != 0) {
    const int i = __builtin_ctz(rows);
    rows &= rows - 1;
    const Pattern& p = kPatterns[i];
    if (!Matches(p, msg)) continue;
    std::optional<std::string> subject = ExtractSubject(p, parsed);
    if (!subject) continue;
    return LogEvent{p.kind, std::move(*subject), ParseLineTime(line)};
  }
  return std::nullopt;
}

std::vector<std::string_view> ClassifierLiterals() {
  std::vector<std::string_view> out;
  out.reserve(kPatternCount);
  for (const auto& p : kPatterns) out.push_back(p.literal);
  return out;
}

const std::vector<LogEventKind>& AllLogEventKinds() {
  static const std::vector<LogEventKind> kinds = [] {
    std::vector<LogEventKind> v;
    for (int i = 0; i < kLogEventKindCount; ++i) v.push_back(static_cast<LogEventKind>(i));
    return v;
  }();
  return kinds;
}

bool IsRecordingBacklog(LogEventKind kind) {
  return kind == K::kRecordingBacklog || kind == K::kRecordingBacklogUnprocessed ||
         kind == K::kRecordingCacheOverflow;
}

}  // namespace fhc::exporter
