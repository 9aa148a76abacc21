#include "exporter/stats/percent_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace fhc::exporter {
namespace {

using ::testing::Optional;

TEST(PercentText, ReadsFrigateSpellings) {
  EXPECT_THAT(ParsePercentText("4.5"), Optional(4.5));
  EXPECT_THAT(ParsePercentText("4.5%"), Optional(4.5));
  EXPECT_THAT(ParsePercentText("12.5 %"), Optional(12.5));
  EXPECT_THAT(ParsePercentText(" 7 "), Optional(7.0));
  EXPECT_THAT(ParsePercentText("0"), Optional(0.0));
  EXPECT_THAT(ParsePercentText("350.25"), Optional(350.25));  // per-core cpu passes 100
}

TEST(PercentText, PlaceholdersAndJunkAreAbsent) {
  for (const char* text : {"", "-", "-%", "- %", "%", " ", "abc", "4.5%%", "4.5 5", "%4.5", "-1",
                           "-0.5%", "nan", "inf", "1e400", "id,", "%CPU"}) {
    EXPECT_EQ(ParsePercentText(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(PercentText, NumbersFollowTheSameRule) {
  EXPECT_THAT(CheckPercent(12.0), Optional(12.0));
  EXPECT_EQ(CheckPercent(-1), std::nullopt);  // Frigate 0.12's GPU error value
  EXPECT_EQ(CheckPercent(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
  EXPECT_EQ(CheckPercent(std::numeric_limits<double>::infinity()), std::nullopt);
}

}  // namespace
}  // namespace fhc::exporter
