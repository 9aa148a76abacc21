#include "remediator/webhook/alert_time.h"

#include <gtest/gtest.h>

namespace fhc::remediator {
namespace {

TEST(AlertTime, ZeroTimeMeansNone) {
  auto t = ParseAlertTime("0001-01-01T00:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->has_value());
}

TEST(AlertTime, MillisecondsAndNanosecondsAndOffsets) {
  auto ms = ParseAlertTime("2026-11-28T06:40:44.425Z");
  auto ns = ParseAlertTime("2026-11-28T06:40:44.425000001Z");
  auto off = ParseAlertTime("2026-11-28T07:40:44.425+01:00");
  ASSERT_TRUE(ms.ok() && ns.ok() && off.ok());
  EXPECT_DOUBLE_EQ(ToUnixSeconds(**ms), 1795848044.425);
  EXPECT_EQ(**off, **ms);
  EXPECT_EQ((**ns - **ms).count(), 1);
}

TEST(AlertTime, RejectsJunkAndOutOfRange) {
  EXPECT_FALSE(ParseAlertTime("").ok());
  EXPECT_FALSE(ParseAlertTime("20x6-01-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseAlertTime("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseAlertTime("2026-11-28 06:40:44Z").ok());
  EXPECT_FALSE(ParseAlertTime("1000-01-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseAlertTime("9999-12-31T23:59:59Z").ok());
}

}  // namespace
}  // namespace fhc::remediator
