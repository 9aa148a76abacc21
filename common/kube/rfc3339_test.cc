#include "common/kube/rfc3339.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace fhc::kube {
namespace {

double Unix(std::string_view text) {
  auto t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? ToUnixSeconds(*t) : -1;
}

TEST(ParseRfc3339, UtcWholeSecondsAsKubernetesWritesThem) {
  EXPECT_DOUBLE_EQ(Unix("2023-11-14T22:13:20Z"), 1'700'000'000.0);
  EXPECT_DOUBLE_EQ(Unix("1970-01-01T00:00:00Z"), 0.0);
}

TEST(ParseRfc3339, FractionsAndOffsetsAreHonoured) {
  EXPECT_NEAR(Unix("2023-11-14T22:13:20.065888Z"), 1'700'000'000.065888, 1e-6);
  EXPECT_DOUBLE_EQ(Unix("2023-11-15T00:13:20+02:00"), 1'700'000'000.0);
  EXPECT_DOUBLE_EQ(Unix("2023-11-14T16:43:20-05:30"), 1'700'000'000.0);
  EXPECT_DOUBLE_EQ(Unix("2024-02-29T00:00:00Z"), 1'709'164'800.0);  // leap day
}

TEST(ParseRfc3339, RejectsMalformedOrOutOfRange) {
  for (std::string_view bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z", "2023-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.Z",
        "2023-11-14T22:13:20+0200", "2023-11-14T22:13:20Zjunk", "abcd-ef-ghTij:kl:mnZ",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(FormatRfc3339, UtcIsWrittenWithZLikeGo) {
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1'700'000'000.9), 0), "2023-11-14T22:13:20Z");
}

TEST(FormatRfc3339, OffsetsCarrySignHoursAndMinutes) {
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1'700'000'000), 7200), "2023-11-15T00:13:20+02:00");
  EXPECT_EQ(FormatRfc3339(FromUnixSeconds(1'700'000'000), -19800), "2023-11-14T16:43:20-05:30");
}

TEST(FormatRfc3339, RoundTripsThroughTheParser) {
  WallTime t = FromUnixSeconds(1'625'580'838);
  for (int offset : {0, 3600, -25200, 20700}) {
    auto back = ParseRfc3339(FormatRfc3339(t, offset));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, t) << offset;
  }
}

TEST(FormatRfc3339Local, UsesTheProcessTimeZone) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset();
  // 2021-07-06T14:17:18Z is summer time in Berlin: +02:00, as in kubectl's documented example.
  EXPECT_EQ(FormatRfc3339Local(FromUnixSeconds(1'625'581'038)), "2021-07-06T16:17:18+02:00");
  setenv("TZ", "UTC0", 1);
  tzset();
  EXPECT_EQ(FormatRfc3339Local(FromUnixSeconds(1'625'581'038)), "2021-07-06T14:17:18Z");
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

}  // namespace
}  // namespace fhc::kube
