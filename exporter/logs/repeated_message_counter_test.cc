#include "exporter/logs/repeated_message_counter.h"

#include <gtest/gtest.h>

#include <string>

#include "exporter/logs/line_time.h"

namespace fhc::exporter {
namespace {

const std::string kLine =
    "2025-06-01 10:00:00.000000000  [2025-06-01 10:00:00] frigate.record.maintainer WARNING : "
    "Too many unprocessed recording segments in cache for a. This likely ...";
std::string Marker(int n, const std::string& ts = "2025-06-01 10:00:00.000000000") {
  return ts + "  [LOGGING] Last message repeated " + std::to_string(n) + " times";
}

const WallTime kRead = FromUnixSeconds(1'748'772'000);  // 2025-06-01 10:00:00 UTC

int64_t Feed(RepeatedMessageCounter& c, const std::string& line, WallTime now = kRead) {
  return c.OnLine(line, ParseLineTime(line), now).count;
}

TEST(RepeatMarker, Parses) {
  EXPECT_EQ(ParseRepeatMarker(Marker(7)), 7);
  EXPECT_EQ(ParseRepeatMarker("[LOGGING] Last message repeated 2 times"), 2);
  EXPECT_FALSE(ParseRepeatMarker("[LOGGING] Last message repeated many times"));
  EXPECT_FALSE(ParseRepeatMarker("[LOGGING] Last message repeated 99999999999999999999 times"));
  EXPECT_FALSE(ParseRepeatMarker(kLine));
}

TEST(RepeatedMessageCounter, OnlyTheGrowthOfAMarkerAcrossPollsIsNew) {
  RepeatedMessageCounter c;
  EXPECT_EQ(Feed(c, kLine), 0);
  EXPECT_EQ(Feed(c, Marker(3)), 3);
  // Next poll: same line, marker grew to 5.
  EXPECT_EQ(Feed(c, kLine), 0);
  EXPECT_EQ(Feed(c, Marker(5)), 2);
  EXPECT_EQ(Feed(c, kLine), 0);
  EXPECT_EQ(Feed(c, Marker(5)), 0);
}

TEST(RepeatedMessageCounter, GrowthHappenedAfterThePollThatSawTheSmallerCount) {
  RepeatedMessageCounter c;
  const WallTime first = *ParseLineTime(kLine);
  c.OnLine(kLine, first, first + std::chrono::seconds(30));
  RepeatGrowth g = c.OnLine(Marker(3), first, first + std::chrono::seconds(30));
  EXPECT_EQ(g.count, 3);
  EXPECT_EQ(g.not_before, first) << "never seen: they came after the repeated line";
  c.OnLine(kLine, first, first + std::chrono::seconds(40));
  g = c.OnLine(Marker(4), first, first + std::chrono::seconds(40));
  EXPECT_EQ(g.count, 1);
  EXPECT_EQ(g.not_before, first + std::chrono::seconds(30)) << "the poll that read 3";
}

TEST(RepeatedMessageCounter, MarkerWithoutItsLineIsIgnored) {
  RepeatedMessageCounter c;
  EXPECT_EQ(Feed(c, Marker(3)), 0) << "poll started at the marker";
  EXPECT_EQ(Feed(c, "2025-06-01 09:00:00.000000000  other line"), 0);
  EXPECT_EQ(Feed(c, Marker(3)), 0) << "previous line has another time";
}

}  // namespace
}  // namespace fhc::exporter
