#include "exporter/logs/log_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"
#include "exporter/logs/file_log_source.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;
using K = LogEventKind;

// Lines stamped relative to the fake clock's start (2023-11-14 22:13:20 UTC).
std::string S6(int offset_s, const std::string& logger, const std::string& msg) {
  const std::time_t t = 1'700'000'000 + offset_s;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(date) + ".000000000  [" + date + "] " + logger + " INFO : " + msg;
}
const std::string kStuck = "Detection appears to be stuck. Restarting detection process...";
std::string Backlog(const std::string& cam) {
  return "Unable to keep up with recording segments in cache for " + cam +
         ". Keeping the 6 most recent segments out of 7 and discarding the rest...";
}
std::string Unprocessed(const std::string& cam) {
  return "Too many unprocessed recording segments in cache for " + cam +
         ". This likely indicates an issue with the detect stream, keeping the 6 most recent "
         "segments out of 7 and discarding the rest...";
}

struct ScriptedSource : LogSource {
  std::vector<std::string> lines;
  std::atomic<bool> is_up{false};
  void Run(const LineHandler& on_line, const std::atomic<bool>& stop) override {
    is_up = true;
    for (const auto& l : lines) on_line(l);
    while (!stop) std::this_thread::sleep_for(1ms);
  }
  bool up() const override { return is_up; }
};

TEST(LogMonitor, WindowCountsTotalsAndBacklogOfEveryWordingPerCamera) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  m.OnLine(S6(-400, "frigate.watchdog", kStuck));  // outside the 5 min window
  m.OnLine(S6(-200, "frigate.watchdog", kStuck));
  m.OnLine(S6(-100, "frigate.watchdog", kStuck));
  m.OnLine(S6(-90, "frigate.record.maintainer", Backlog("front")));
  m.OnLine(S6(-80, "frigate.record.maintainer", Unprocessed("front")));
  m.OnLine(S6(-70, "frigate.record.maintainer", Unprocessed("back")));
  m.OnLine(S6(-60, "frigate.app", "Camera processor started for front: 12"));
  const LogSnapshot s = m.Snapshot();
  EXPECT_FALSE(s.source_configured);
  EXPECT_FALSE(s.source_up);
  EXPECT_EQ(s.totals.size(), static_cast<std::size_t>(kLogEventKindCount)) << "every kind present";
  EXPECT_EQ(s.totals.at(K::kDetectionStuck), 3u);
  EXPECT_EQ(s.totals.at(K::kNoFrames), 0u);
  EXPECT_EQ(s.stuck_in_window, 2);
  EXPECT_EQ(s.backlog_in_window, (std::map<std::string, int>{{"back", 1}, {"front", 2}}));
  EXPECT_EQ(s.backlog_total_in_window, 3);
  EXPECT_EQ(s.lines_read, 7u);
  clock.Advance(10min);
  EXPECT_EQ(m.Snapshot().backlog_in_window, (std::map<std::string, int>{{"back", 0}, {"front", 0}}))
      << "cameras stay listed at 0 after their lines leave the window";
  EXPECT_EQ(m.Snapshot().backlog_total_in_window, 0);
}

TEST(LogMonitor, ReDeliveredLinesAreNotCountedAgain) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  const std::vector<std::string> lines = {S6(-30, "frigate.watchdog", kStuck),
                                          S6(-20, "frigate.watchdog", kStuck)};
  for (const auto& l : lines) m.OnLine(l);
  for (const auto& l : lines) m.OnLine(l);  // reconnect / re-read
  const LogSnapshot s = m.Snapshot();
  EXPECT_EQ(s.totals.at(K::kDetectionStuck), 2u);
  EXPECT_EQ(s.stuck_in_window, 2);
  EXPECT_EQ(s.lines_duplicate, 2u);
}

TEST(LogMonitor, RepeatMarkersOfFrigate016CountAsMoreEvents) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  const std::string line = S6(-30, "frigate.record.maintainer", Unprocessed("cam"));
  const std::string marker = line.substr(0, 29) + "  [LOGGING] Last message repeated 4 times";
  m.OnLine(line);
  m.OnLine(marker);
  EXPECT_EQ(m.Snapshot().backlog_total_in_window, 5);
  // Next poll returns the same two lines: nothing new.
  m.OnLine(line);
  m.OnLine(marker);
  EXPECT_EQ(m.Snapshot().totals.at(K::kRecordingBacklogUnprocessed), 5u);
}

// What Frigate 0.16+ /api/logs (process_logs, frigate/util/services.py v0.16.4/v0.17.2/
// v0.18.0-beta1) returns for a log whose last `runs` lines are one message logged every `every`
// seconds from `first_offset_s` on: the first line, then "<its s6 time>  [LOGGING] Last message
// repeated N times".
std::vector<std::string> Collapsed(const std::string& first_line, int repeats) {
  return {first_line, first_line.substr(0, 29) + "  [LOGGING] Last message repeated " +
                          std::to_string(repeats) + " times"};
}

TEST(LogMonitor, BacklogRepeatedEvery10sFor10MinutesThroughCollapsedLogStaysUnhealthy) {
  // The exporter polls every 10 s from the start of the fault; the fake clock is the poll time.
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  const std::string first = S6(0, "frigate.record.maintainer", Unprocessed("front"));
  int failing_polls = 0;
  for (int t = 0; t <= 600; t += 10) {
    clock.Advance(t == 0 ? 0s : 10s);
    // At time t the log holds the first line and t/10 repeats of it (one every 10 s).
    const int repeats = t / 10;
    if (repeats == 0) {
      m.OnLine(first);
    } else {
      for (const auto& l : Collapsed(first, repeats)) m.OnLine(l);
    }
    const LogSnapshot s = m.Snapshot();
    EXPECT_EQ(s.totals.at(K::kRecordingBacklogUnprocessed), static_cast<uint64_t>(repeats + 1));
    // BACKLOG_THRESHOLD 5: failing from the 6th line on, and never again below.
    if (t >= 60) {
      EXPECT_GT(s.backlog_in_window.at("front"), 5) << "at " << t << " s";
      EXPECT_GT(s.backlog_unprocessed_in_window, 5) << "at " << t << " s";
      ++failing_polls;
    }
  }
  EXPECT_EQ(failing_polls, 55);
  // The window holds about the last 5 minutes of it (30 lines), not all 61 and not 0.
  const LogSnapshot s = m.Snapshot();
  EXPECT_GE(s.backlog_total_in_window, 29);
  EXPECT_LE(s.backlog_total_in_window, 31);
  // The fault stops: its lines leave the window 5 minutes later.
  clock.Advance(5min + 10s);
  for (const auto& l : Collapsed(first, 60)) m.OnLine(l);
  EXPECT_EQ(m.Snapshot().backlog_total_in_window, 0);
}

TEST(LogMonitor, FirstReadOfAnOngoingCollapsedRunSpreadsItUpToNow) {
  // `check`, or an exporter that starts while the fault goes on: one read, 60 repeats since
  // 10 minutes ago, nothing after them. Spread evenly, half of them are in the 5-minute window.
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  for (const auto& l : Collapsed(S6(-600, "frigate.record.maintainer", Backlog("front")), 60)) {
    m.OnLine(l);
  }
  const LogSnapshot s = m.Snapshot();
  EXPECT_EQ(s.totals.at(K::kRecordingBacklog), 61u);
  EXPECT_EQ(s.backlog_keep_up_in_window, 30);
}

TEST(LogMonitor, AnOldCollapsedRunThatEndedStaysWhereItHappened) {
  // 200 repeats three hours ago, ended by another line 2.5 hours ago: a freshly started exporter
  // must not count them now (that would restart a Frigate that is fine).
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  for (const auto& l :
       Collapsed(S6(-3 * 3600, "frigate.record.maintainer", Unprocessed("a")), 200)) {
    m.OnLine(l);
  }
  m.OnLine(S6(-9000, "frigate.app", "Camera processor started for a: 12"));
  m.OnLine(S6(-60, "frigate.watchdog", kStuck));
  const LogSnapshot s = m.Snapshot();
  EXPECT_EQ(s.totals.at(K::kRecordingBacklogUnprocessed), 201u);
  EXPECT_EQ(s.backlog_total_in_window, 0);
  EXPECT_EQ(s.stuck_in_window, 1);
}

TEST(LogMonitor, HugeRepeatCountsSaturateInsteadOfOverflowing) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  for (int i = 0; i < 3; ++i) {
    const auto lines =
        Collapsed(S6(-30 + i, "frigate.record.maintainer", Unprocessed("c" + std::to_string(i))),
                  999'999'999);
    for (const auto& l : lines) m.OnLine(l);
  }
  const LogSnapshot s = m.Snapshot();
  EXPECT_EQ(s.totals.at(K::kRecordingBacklogUnprocessed), 3'000'000'000u);
  EXPECT_EQ(s.backlog_total_in_window, std::numeric_limits<int>::max());
  EXPECT_EQ(s.backlog_in_window.at("c1"), 1'000'000'000);
}

TEST(LogMonitor, HungDetectorAndMissingEdgeTpu) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  m.OnLine(S6(-120, "root", "Detection process didn't exit. Force killing..."));
  m.OnLine(S6(-100, "frigate.detectors.plugins.edgetpu_tfl",
              "No EdgeTPU was detected. If you do not have a Coral device yet, you must "
              "configure CPU detectors."));
  LogSnapshot s = m.Snapshot();
  EXPECT_TRUE(s.detector_hung);
  EXPECT_TRUE(s.edgetpu_missing_in_window);
  m.OnLine(S6(-5, "detector.coral", "Starting detection process: 77"));
  clock.Advance(5min);
  s = m.Snapshot();
  EXPECT_FALSE(s.detector_hung);
  EXPECT_FALSE(s.edgetpu_missing_in_window) << "left the window";
}

TEST(LogMonitor, AFrigateRestartEmptiesTheWindowButKeepsTheTotals) {
  FakeClock clock;
  LogMonitor m(clock, {}, nullptr);
  for (int i = 0; i < 4; ++i) m.OnLine(S6(-60 + i, "frigate.watchdog", kStuck));
  m.OnLine(S6(-50, "frigate.record.maintainer", Backlog("front")));
  ASSERT_EQ(m.Snapshot().stuck_in_window, 4);
  m.OnLine(S6(-20, "frigate.app", "[INFO] Starting Frigate...").substr(0, 31) +
           "[INFO] Starting Frigate...");
  m.OnLine(S6(-19, "frigate.watchdog", kStuck));  // the new Frigate's own line counts
  const LogSnapshot s = m.Snapshot();
  EXPECT_EQ(s.stuck_in_window, 1);
  EXPECT_EQ(s.backlog_total_in_window, 0);
  EXPECT_EQ(s.totals.at(K::kDetectionStuck), 5u);
}

TEST(LogMonitor, RunsTheSourceOnItsThreadAndReportsItsState) {
  FakeClock clock;
  auto source = std::make_unique<ScriptedSource>();
  source->lines = {S6(-10, "frigate.watchdog", kStuck)};
  LogMonitor m(clock, {}, std::move(source));
  m.Start();
  for (int i = 0; i < 2000 && m.Snapshot().lines_read == 0; ++i) std::this_thread::sleep_for(1ms);
  const LogSnapshot s = m.Snapshot();
  EXPECT_TRUE(s.source_up);
  EXPECT_EQ(s.stuck_in_window, 1);
  m.Stop();
  m.Stop();  // idempotent
}

TEST(LogMonitor, FileRotatedIntoAnIdenticalCopyIsNotCountedTwice) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/fhc-monitor-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const fs::path fixture = fs::path(FHC_SOURCE_DIR) / "tests/fixtures/logs/frigate-0.12.log";
  fs::copy_file(fixture, dir / "current");
  FakeClock clock;
  FileLogSource::Options o;
  o.path = dir / "current";
  o.poll = 5ms;
  LogMonitor m(clock, {}, std::make_unique<FileLogSource>(o));
  m.Start();
  auto wait_lines = [&](uint64_t n) {
    for (int i = 0; i < 5000 && m.Snapshot().lines_read < n; ++i) std::this_thread::sleep_for(1ms);
  };
  wait_lines(23);
  const auto first = m.Snapshot();
  EXPECT_EQ(first.lines_read, 23u);
  EXPECT_EQ(first.totals.at(K::kRecordingBacklog), 2u);
  EXPECT_EQ(first.totals.at(K::kDetectorStarted), 2u);
  // Rotation to a file with the same lines (a re-read): nothing counts again.
  fs::rename(dir / "current", dir / "previous");
  fs::copy_file(fixture, dir / "current");
  wait_lines(46);
  m.Stop();
  const auto second = m.Snapshot();
  EXPECT_EQ(second.lines_read, 46u);
  EXPECT_EQ(second.lines_duplicate, 23u);
  EXPECT_EQ(second.totals, first.totals);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fhc::exporter
