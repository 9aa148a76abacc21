#include "exporter/logs/line_deduplicator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exporter/logs/line_time.h"

namespace fhc::exporter {
namespace {

// Accepts each line through the deduplicator with its own time; returns the accepted ones.
std::vector<std::string> Pass(LineDeduplicator& d, const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (d.Accept(l, ParseLineTime(l))) out.push_back(l);
  }
  return out;
}

const std::vector<std::string> kLog = {
    "2024-01-01 10:00:00.100000000  [2024-01-01 10:00:00] frigate.watchdog INFO : Detection "
    "appears to be stuck. Restarting detection process...",
    "2024-01-01 10:00:00.100000000  [2024-01-01 10:00:00] root INFO : Waiting for detection "
    "process to exit gracefully...",
    "2024-01-01 10:00:30.000000000  [2024-01-01 10:00:30] root INFO : Detection process didn't "
    "exit. Force killing...",
    "2024-01-01 10:01:00.000000000  [2024-01-01 10:01:00] frigate.watchdog INFO : Detection "
    "appears to be stuck. Restarting detection process...",
};

TEST(LineDeduplicator, ReconnectOverlapIsCountedOnce) {
  LineDeduplicator d;
  EXPECT_EQ(Pass(d, {kLog[0], kLog[1], kLog[2]}).size(), 3u);
  // The reconnect re-delivers the last two lines before the new one.
  EXPECT_EQ(Pass(d, {kLog[1], kLog[2], kLog[3]}), (std::vector<std::string>{kLog[3]}));
}

TEST(LineDeduplicator, ReReadingTheSameFileAddsNothing) {
  LineDeduplicator d;
  EXPECT_EQ(Pass(d, kLog).size(), kLog.size());
  EXPECT_TRUE(Pass(d, kLog).empty());
}

TEST(LineDeduplicator, SameMessageAtDifferentTimesIsTwoEvents) {
  LineDeduplicator d;
  EXPECT_EQ(Pass(d, {kLog[0], kLog[3]}).size(), 2u);
}

TEST(LineDeduplicator, DifferentLinesWithTheSameTimestampAreAllKept) {
  LineDeduplicator d;
  EXPECT_EQ(Pass(d, {kLog[0], kLog[1]}).size(), 2u);
  EXPECT_TRUE(Pass(d, {kLog[1], kLog[0]}).empty());
}

TEST(LineDeduplicator, LinesOlderThanTheWatermarkAreDroppedEvenIfUnseen) {
  LineDeduplicator d;
  Pass(d, {kLog[3]});
  EXPECT_TRUE(Pass(d, {kLog[2]}).empty()) << "30 s older than the newest line seen";
}

TEST(LineDeduplicator, UntimedLinesUseABoundedRecentSet) {
  LineDeduplicator::Options o;
  o.max_untimed_hashes = 2;
  LineDeduplicator d(o);
  EXPECT_TRUE(d.Accept("Traceback (most recent call last):", std::nullopt));
  EXPECT_FALSE(d.Accept("Traceback (most recent call last):", std::nullopt));
  EXPECT_TRUE(d.Accept("b", std::nullopt));
  EXPECT_TRUE(d.Accept("c", std::nullopt));
  // The first fell out of the bounded set.
  EXPECT_TRUE(d.Accept("Traceback (most recent call last):", std::nullopt));
}

TEST(LineDeduplicator, SecondPrecisionDatesKeepDistinctLinesOfTheSameSecond) {
  LineDeduplicator d;
  const std::vector<std::string> old = {
      "[2023-01-01 10:00:00] watchdog.a INFO : No frames received from a in 20 seconds. Exiting "
      "ffmpeg...",
      "[2023-01-01 10:00:00] watchdog.b INFO : No frames received from b in 20 seconds. Exiting "
      "ffmpeg...",
  };
  EXPECT_EQ(Pass(d, old).size(), 2u);
  EXPECT_TRUE(Pass(d, old).empty());
}

}  // namespace
}  // namespace fhc::exporter
