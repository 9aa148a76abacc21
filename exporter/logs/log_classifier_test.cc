#include "exporter/logs/log_classifier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "exporter/logs/line_time.h"
#include "exporter/logs/log_event.h"

namespace fhc::exporter {
namespace {

using K = LogEventKind;

struct Wording {
  std::string logger;
  std::string message;
  K kind;
  std::string subject;
};

// Every wording of frigate-log-lines.md that the exporter counts, with the version variants.
const Wording kWordings[] = {
    {"frigate.watchdog", "Detection appears to be stuck. Restarting detection process...",
     K::kDetectionStuck, ""},
    {"frigate.watchdog", "Detection appears to have stopped. Exiting Frigate...",
     K::kDetectionStopped, ""},
    {"frigate.watchdog", "Detection appears to have stopped. Exiting frigate...",
     K::kDetectionStopped, ""},
    {"root", "Detection process didnt exit. Force killing...", K::kDetectorForceKill, ""},
    {"root", "Detection process didn't exit. Force killing...", K::kDetectorForceKill, ""},
    {"root", "Detection process has exited...", K::kDetectorExited, ""},
    {"detector.coral", "Starting detection process: 4711", K::kDetectorStarted, "coral"},
    {"frigate.detectors.plugins.edgetpu_tfl",
     "No EdgeTPU was detected. If you do not have a Coral device yet, you must configure CPU "
     "detectors.",
     K::kEdgeTpuMissing, ""},
    {"frigate.edgetpu", "TPU found", K::kEdgeTpuFound, ""},
    {"frigate.record",
     "Unable to keep up with recording segments in cache for front_door. Keeping the 5 most "
     "recent segments out of 7 and discarding the rest...",
     K::kRecordingBacklog, "front_door"},
    {"frigate.record.maintainer",
     "Too many unprocessed recording segments in cache for back-yard2. This likely indicates an "
     "issue with the detect stream, keeping the 6 most recent segments out of 9 and discarding "
     "the rest...",
     K::kRecordingBacklogUnprocessed, "back-yard2"},
    {"frigate.record",
     "Too many recording segments in cache for garage. Keeping the 5 most recent segments out of "
     "8, discarding the rest...",
     K::kRecordingCacheOverflow, "garage"},
    {"frigate.record.maintainer",
     "Discarding a corrupt recording segment: /tmp/cache/porch@20240101120000+0000.mp4",
     K::kCorruptSegment, "porch"},
    {"frigate.record",
     "Failed to probe corrupt segment /tmp/cache/side-gate-20230101120000.mp4: 1 - x",
     K::kCorruptSegment, "side-gate"},
    {"watchdog.street",
     "No new recording segments were created for street in the last 120s. restarting the ffmpeg "
     "record process...",
     K::kNoRecordingSegments, "street"},
    {"watchdog.street",
     "No new recording segments were created for street in the last 120s. Restarting the ffmpeg "
     "record process...",
     K::kNoRecordingSegments, "street"},
    {"watchdog.street",
     "No new valid recording segments were created for street in the last 120s. Restarting the "
     "ffmpeg record process...",
     K::kNoRecordingSegments, "street"},
    {"watchdog.street",
     "No valid segments created since last invalid segment for street in the last 120s. "
     "Restarting the ffmpeg record process...",
     K::kNoRecordingSegments, "street"},
    {"watchdog.lawn", "No frames received from lawn in 20 seconds. Exiting ffmpeg...", K::kNoFrames,
     "lawn"},
    {"frigate.video", "Ffmpeg process crashed unexpectedly for lawn.", K::kFfmpegCrashed, "lawn"},
    {"frigate.video", "lawn: Unable to read frames from ffmpeg process.", K::kFfmpegReadFailed,
     "lawn"},
    {"watchdog.lawn", "lawn exceeded fps limit. Exiting ffmpeg...", K::kFpsLimitExceeded, "lawn"},
    // frigate/detectors/plugins/edgetpu_tfl.py v0.16.0 .. v0.18.0-beta1
    {"frigate.detectors.plugins.edgetpu_tfl",
     "Incorrect model used with EdgeTPU. Only .tflite models can be used with a Coral EdgeTPU.",
     K::kEdgeTpuWrongModel, ""},
    // frigate/video.py v0.17.2, frigate/video/ffmpeg.py v0.18.0-beta1
    {"watchdog.street", "Invalid recording segment detected for street at 1762000000.0",
     K::kInvalidRecordingSegment, "street"},
    // frigate/video/ffmpeg.py v0.18.0-beta1: the threshold is max(120, 2 * segment_time + 30)
    {"watchdog.street",
     "No new recording segments were created for street in the last 150s. Restarting the ffmpeg "
     "record process...",
     K::kNoRecordingSegments, "street"},
    {"watchdog.front-2",
     "No valid segments created since last invalid segment for front-2 in the last 630s. "
     "Restarting the ffmpeg record process...",
     K::kNoRecordingSegments, "front-2"},
    // frigate/video.py v0.12.1 .. v0.17.2, frigate/video/ffmpeg.py v0.18.0-beta1
    {"frigate.video", "lawn: ffmpeg process is not running. exiting capture thread...",
     K::kCaptureThreadExited, "lawn"},
    // frigate/events/audio.py v0.13.2 .. v0.18.0-beta1 (logger audio.<camera>)
    {"audio.lawn", "ffmpeg process is not running, restarting...", K::kAudioFfmpegRestarted,
     "lawn"},
    // frigate/watchdog.py v0.18.0-beta1
    {"frigate.watchdog", "Process recording (PID 412) exited with code -9", K::kProcessExited,
     "recording"},
    {"frigate.watchdog", "Process review_segment (PID None) exited with code 1", K::kProcessExited,
     "review_segment"},
    {"frigate.watchdog",
     "Process embeddings restarting too frequently (5 times in 60s), backing off",
     K::kProcessRestartBackoff, "embeddings"},
};

std::string PythonLine(const Wording& w) {
  char logger[64];
  std::snprintf(logger, sizeof logger, "%-30s", w.logger.c_str());
  return "[2024-03-05 10:11:12] " + std::string(logger) + " INFO    : " + w.message;
}

WallTime At(int y, unsigned mo, unsigned d, int h, int mi, int s, long ns = 0) {
  using namespace std::chrono;
  return WallTime(
      duration_cast<WallTime::duration>(sys_days(year(y) / month(mo) / day(d)).time_since_epoch() +
                                        hours(h) + minutes(mi) + seconds(s) + nanoseconds(ns)));
}

TEST(LogClassifier, EveryWordingInThePlainPythonLayout) {
  for (const auto& w : kWordings) {
    SCOPED_TRACE(w.message);
    auto event = ClassifyLine(PythonLine(w));
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->kind, w.kind);
    EXPECT_EQ(event->subject, w.subject);
    ASSERT_TRUE(event->time.has_value());
    EXPECT_EQ(*event->time, At(2024, 3, 5, 10, 11, 12)) << "bracket date read as UTC";
  }
}

TEST(LogClassifier, EveryWordingBehindTheS6Prefix) {
  for (const auto& w : kWordings) {
    SCOPED_TRACE(w.message);
    auto event = ClassifyLine("2024-03-05 09:11:12.749417159  " + PythonLine(w));
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->kind, w.kind);
    EXPECT_EQ(event->subject, w.subject);
    ASSERT_TRUE(event->time.has_value());
    EXPECT_EQ(*event->time, At(2024, 3, 5, 9, 11, 12, 749417159)) << "s6 time wins, in ns";
  }
}

TEST(LogClassifier, S6ServiceScriptLines) {
  const struct {
    std::string line;
    K kind;
  } cases[] = {
      {"2024-03-05 09:11:12.000000001  [INFO] Starting Frigate...", K::kFrigateStarting},
      {"2024-03-05 09:11:12.000000001  [INFO] Service Frigate exited with code 256 (by signal 15)",
       K::kFrigateExited},
      {"2024-03-05 09:11:12.000000001  [ERROR] The go2rtc service is not responding to ping, "
       "restarting...",
       K::kGo2rtcUnresponsive},
      {"[INFO] Starting Frigate...", K::kFrigateStarting},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto event = ClassifyLine(c.line);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->kind, c.kind);
  }
  EXPECT_FALSE(ClassifyLine("[INFO] Starting Frigate...")->time.has_value());
}

TEST(LogClassifier, TrailingCarriageReturnAndSpacesAreIgnored) {
  auto event = ClassifyLine(PythonLine(kWordings[20]) + " \r");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, K::kFfmpegReadFailed);
  EXPECT_EQ(event->subject, "lawn");
}

TEST(LogClassifier, OrdinaryAndLookAlikeLinesAreNotCounted) {
  const std::string lines[] = {
      "",
      "\n",
      "2024-03-05 09:11:12.749417159  ",
      "2024-03-05 09:11:12.749417159  [2024-03-05 09:11:12] frigate.app INFO    : Starting Frigate "
      "(0.14.1-f4f3cfa)",
      "[2024-03-05 10:11:12] root                           INFO    : Waiting for detection "
      "process to exit gracefully...",
      // multiprocessing's traceback header, and the 0.18 watchdog's lines that are not faults.
      "2024-03-05 09:11:12.749417159  Process detector:coral:",
      "[2024-03-05 10:11:12] frigate.watchdog INFO    : Process output exited cleanly, not "
      "restarting",
      "[2024-03-05 10:11:12] frigate.watchdog INFO    : Restarted recording (PID 988)",
      // A record restart without a number of seconds is no wording Frigate ever had.
      "[2024-03-05 10:11:12] watchdog.a ERROR   : No new recording segments were created for a in "
      "the last s. Restarting the ffmpeg record process...",
      "[2024-03-05 10:11:12] watchdog.a ERROR   : No new recording segments were created for a "
      "lately 120s. Restarting the ffmpeg record process...",
      "[2024-03-05 10:11:12] frigate.app INFO    : Detection appears to be fine",
      // The wording quoted inside another message is not the event.
      "[2024-03-05 10:11:12] frigate.api INFO    : user searched for 'TPU found'",
      "Traceback (most recent call last):",
      "[2024-03-05 10:11:12]",
      "[2024-03-05 10:11:12] no-colon-here",
  };
  for (const auto& l : lines) EXPECT_FALSE(ClassifyLine(l).has_value()) << l;
}

TEST(LogClassifier, EventNamesAreStableAndDistinct) {
  std::set<std::string_view> names;
  for (K kind : AllLogEventKinds()) {
    auto name = EventName(kind);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kLogEventKindCount));
  EXPECT_EQ(EventName(K::kDetectionStuck), "detection_stuck");
  EXPECT_EQ(EventName(K::kRecordingBacklog), "recording_backlog");
}

TEST(LogClassifier, EveryLiteralIsFoundInSomeTestedWording) {
  // Guards the table: a literal no wording exercises would be an untested row.
  for (std::string_view lit : ClassifierLiterals()) {
    bool found = false;
    for (const auto& w : kWordings) found |= w.message.find(lit) != std::string::npos;
    found |= lit.substr(0, 1) == "[";  // s6 script lines, tested above
    EXPECT_TRUE(found) << lit;
  }
}

TEST(LineTime, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseS6Time("2024-02-30 09:11:12.749417159  x").has_value());
  EXPECT_FALSE(ParseS6Time("2024-13-01 09:11:12.749417159  x").has_value());
  EXPECT_FALSE(ParseS6Time("2024-01-01 25:11:12.749417159  x").has_value());
  EXPECT_FALSE(ParseS6Time("2024-01-01 09:11:12.74941715x  x").has_value());
  EXPECT_FALSE(ParseBracketTime("[2024-01-01 09:1x:12]").has_value());
  EXPECT_TRUE(ParseLineTime("[2024-02-29 23:59:59] a b: c").has_value());
}

// Expected counts per fixture (realistic excerpts, one file per Frigate version).
struct FixtureCase {
  std::string file;
  std::map<K, int> counts;
  std::map<std::string, int> backlog_by_camera;
};

TEST(LogClassifier, FixturesOfEachVersion) {
  const FixtureCase cases[] = {
      {"frigate-0.11.log",
       {{K::kEdgeTpuFound, 1},
        {K::kDetectorStarted, 1},
        {K::kDetectionStuck, 1},
        {K::kDetectorForceKill, 1},
        {K::kNoFrames, 1},
        {K::kFfmpegReadFailed, 1},
        {K::kRecordingCacheOverflow, 1},
        {K::kCorruptSegment, 1},
        {K::kCaptureThreadExited, 1},
        {K::kDetectionStopped, 1}},
       {{"driveway", 1}}},
      {"frigate-0.12.log",
       {{K::kFrigateStarting, 1},
        {K::kEdgeTpuFound, 1},
        {K::kDetectorStarted, 2},
        {K::kRecordingBacklog, 2},
        {K::kCorruptSegment, 1},
        {K::kFpsLimitExceeded, 1},
        {K::kNoRecordingSegments, 1},
        {K::kDetectionStuck, 1},
        {K::kDetectorForceKill, 1},
        {K::kDetectorExited, 1},
        {K::kEdgeTpuMissing, 1},
        {K::kDetectionStopped, 1},
        {K::kFrigateExited, 1}},
       {{"back_yard", 2}}},
      {"frigate-0.14.log",
       {{K::kFrigateStarting, 1},
        {K::kDetectorStarted, 1},
        {K::kEdgeTpuFound, 1},
        {K::kRecordingBacklog, 1},
        {K::kCorruptSegment, 1},
        {K::kFfmpegCrashed, 1},
        {K::kDetectionStuck, 1},
        {K::kDetectorForceKill, 1},
        {K::kFfmpegReadFailed, 1},
        {K::kGo2rtcUnresponsive, 1}},
       {{"front-porch", 1}}},
      {"frigate-0.15.log",
       {{K::kFrigateStarting, 1},
        {K::kDetectorStarted, 1},
        {K::kRecordingBacklogUnprocessed, 2},
        {K::kRecordingBacklog, 1},
        {K::kNoFrames, 1}},
       {{"driveway", 2}, {"garden", 1}}},
      {"frigate-0.17.log",
       {{K::kFrigateStarting, 1},
        {K::kNoRecordingSegments, 3},
        {K::kDetectionStuck, 1},
        {K::kDetectorForceKill, 1},
        {K::kDetectorExited, 1},
        {K::kInvalidRecordingSegment, 1},
        {K::kRecordingBacklogUnprocessed, 1}},
       {{"street", 1}}},
      {"frigate-0.16.log",
       {{K::kFrigateStarting, 2},
        {K::kEdgeTpuWrongModel, 1},
        {K::kDetectionStopped, 1},
        {K::kFrigateExited, 1},
        {K::kFfmpegReadFailed, 1},
        {K::kCaptureThreadExited, 1},
        {K::kFfmpegCrashed, 1},
        {K::kAudioFfmpegRestarted, 1},
        {K::kRecordingBacklog, 1},
        {K::kRecordingBacklogUnprocessed, 1},
        {K::kNoRecordingSegments, 1}},
       {{"patio", 1}, {"gate", 1}}},
      {"frigate-0.18.log",
       {{K::kFrigateStarting, 1},
        {K::kProcessExited, 2},
        {K::kProcessRestartBackoff, 1},
        {K::kNoRecordingSegments, 3},
        {K::kInvalidRecordingSegment, 1},
        {K::kFfmpegReadFailed, 1},
        {K::kCaptureThreadExited, 1},
        {K::kAudioFfmpegRestarted, 1},
        {K::kEdgeTpuWrongModel, 1},
        {K::kRecordingBacklog, 1}},
       {{"front", 1}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::ifstream in(std::string(FHC_SOURCE_DIR) + "/tests/fixtures/logs/" + c.file);
    ASSERT_TRUE(in.good());
    std::map<K, int> counts;
    std::map<std::string, int> backlog;
    std::string line;
    while (std::getline(in, line)) {
      auto e = ClassifyLine(line);
      if (!e) continue;
      ++counts[e->kind];
      if (IsRecordingBacklog(e->kind)) ++backlog[e->subject];
      EXPECT_TRUE(e->time.has_value()) << line;
    }
    EXPECT_EQ(counts, c.counts);
    EXPECT_EQ(backlog, c.backlog_by_camera);
  }
}

}  // namespace
}  // namespace fhc::exporter

namespace fhc::exporter {
namespace {

TEST(LineTime, YearsPastTheClocksRangeAreNoTime) {
  // Found by the fuzzer: year 9999 overflowed the nanosecond clock.
  EXPECT_FALSE(ParseS6Time("9999-01-01 09:11:12.749417159  x").has_value());
  EXPECT_FALSE(ParseBracketTime("[9999-01-01 09:11:12]").has_value());
  EXPECT_TRUE(ParseBracketTime("[2200-12-31 23:59:59]").has_value());
}

}  // namespace
}  // namespace fhc::exporter
