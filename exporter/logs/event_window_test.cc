#include "exporter/logs/event_window.h"

#include <gtest/gtest.h>

#include "common/clock/fake_clock.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;
using K = LogEventKind;

TEST(EventWindow, CountsOnlyEventsInsideTheWindowByTheirOwnTime) {
  FakeClock clock;
  EventWindow w(clock, 5min);
  const WallTime now = clock.Now();
  w.Add(K::kDetectionStuck, "", now - 6min);  // happened before the window: ignored
  w.Add(K::kDetectionStuck, "", now - 4min);
  w.Add(K::kDetectionStuck, "", now - 1s);
  w.Add(K::kNoFrames, "cam", now - 1s);
  EXPECT_EQ(w.Count(K::kDetectionStuck), 2);
  clock.Advance(61s);
  EXPECT_EQ(w.Count(K::kDetectionStuck), 1) << "the one at -4 min left the window";
}

TEST(EventWindow, EventsWithoutTimeHappenNowAndFutureOnesAreClamped) {
  FakeClock clock;
  EventWindow w(clock, 5min);
  w.Add(K::kDetectionStuck, "", std::nullopt);
  w.Add(K::kDetectionStuck, "", clock.Now() + 2h);  // e.g. a local-time bracket date east of UTC
  EXPECT_EQ(w.Count(K::kDetectionStuck), 2);
  clock.Advance(5min + 1s);
  EXPECT_EQ(w.Count(K::kDetectionStuck), 0) << "a future time must not pin the event";
}

TEST(EventWindow, CountsPerSubjectAndPrunes) {
  FakeClock clock;
  EventWindow w(clock, 5min);
  w.Add(K::kRecordingBacklog, "front", clock.Now() - 10s, 2);
  w.Add(K::kRecordingBacklog, "back", clock.Now() - 20s);
  w.Add(K::kRecordingBacklog, "front", clock.Now() - 30s);
  EXPECT_EQ(w.CountBySubject(K::kRecordingBacklog),
            (std::map<std::string, int>{{"back", 1}, {"front", 3}}));
  clock.Advance(10min);
  w.Prune();
  EXPECT_TRUE(w.CountBySubject(K::kRecordingBacklog).empty());
}

TEST(EventWindow, OutOfOrderArrivalsAreCountedByTime) {
  FakeClock clock;
  EventWindow w(clock, 5min);
  w.Add(K::kNoFrames, "a", clock.Now() - 10s);
  w.Add(K::kNoFrames, "a", clock.Now() - 4min);  // late poll of an older line
  clock.Advance(90s);
  EXPECT_EQ(w.Count(K::kNoFrames), 1);
}

TEST(EventWindow, MemoryIsBounded) {
  FakeClock clock;
  EventWindow w(clock, 5min, 3);
  for (int i = 0; i < 10; ++i) w.Add(K::kNoFrames, "a", clock.Now());
  EXPECT_EQ(w.Count(K::kNoFrames), 3);
}

}  // namespace
}  // namespace fhc::exporter
