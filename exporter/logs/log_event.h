#pragma once
// One Frigate log line, classified: which known event it is, for which camera or detector, when.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock/clock.h"

namespace fhc::exporter {

// Every kind of line we recognise. The names (EventName) are the values of the `event` label of
// frigate_log_events_total and never change once released.
enum class LogEventKind {
  kDetectionStuck,               // "Detection appears to be stuck. Restarting detection process..."
  kDetectionStopped,             // "Detection appears to have stopped. Exiting Frigate..."
  kDetectorForceKill,            // "Detection process did(n')t exit. Force killing..."
  kDetectorExited,               // "Detection process has exited..."
  kDetectorStarted,              // "Starting detection process: <pid>"
  kEdgeTpuMissing,               // "No EdgeTPU was detected..."
  kEdgeTpuFound,                 // "TPU found"
  kRecordingBacklog,             // "Unable to keep up with recording segments in cache for <cam>"
  kRecordingBacklogUnprocessed,  // "Too many unprocessed recording segments in cache for <cam>"
  kRecordingCacheOverflow,       // 0.11 "Too many recording segments in cache for <cam>"
  kCorruptSegment,               // "Discarding a corrupt recording segment" / "Failed to probe..."
  kNoRecordingSegments,      // "... for <cam> in the last <N>s. Restarting the ffmpeg record..."
  kNoFrames,                 // "No frames received from <cam> in 20 seconds. Exiting ffmpeg..."
  kFfmpegCrashed,            // "Ffmpeg process crashed unexpectedly for <cam>."
  kFfmpegReadFailed,         // "<cam>: Unable to read frames from ffmpeg process."
  kFpsLimitExceeded,         // "<cam> exceeded fps limit. Exiting ffmpeg..."
  kGo2rtcUnresponsive,       // "The go2rtc service is not responding to ping, restarting..."
  kFrigateStarting,          // "[INFO] Starting Frigate..."
  kFrigateExited,            // "[INFO] Service Frigate exited with code ..."
  kEdgeTpuWrongModel,        // 0.16+ "Incorrect model used with EdgeTPU. Only .tflite models ..."
  kInvalidRecordingSegment,  // 0.17+ "Invalid recording segment detected for <cam> at <time>"
  kCaptureThreadExited,      // "<cam>: ffmpeg process is not running. exiting capture thread..."
  kAudioFfmpegRestarted,     // audio.<cam>: "ffmpeg process is not running, restarting..."
  kProcessExited,            // 0.18 watchdog "Process <name> (PID <pid>) exited with code <c>"
  kProcessRestartBackoff,    // 0.18 "Process <name> restarting too frequently (...), backing off"
};

inline constexpr int kLogEventKindCount = 25;

// Stable snake_case name, e.g. "detection_stuck", "recording_backlog".
std::string_view EventName(LogEventKind kind);

struct LogEvent {
  LogEventKind kind;
  std::string subject;           // camera or detector name when the line names one, else ""
  std::optional<WallTime> time;  // from the s6 prefix (UTC) or, failing that, the [date] part
};

// Classifies one line without its trailing newline, in either layout (with or without the s6
// "2023-09-11 06:26:15.749417159  " prefix). Returns nullopt for lines we do not count. Pure,
// allocation-free for lines it does not count; fuzzed.
std::optional<LogEvent> ClassifyLine(std::string_view line);

}  // namespace fhc::exporter
