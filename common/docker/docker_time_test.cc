#include "common/docker/docker_time.h"

#include <gtest/gtest.h>

namespace fhc::docker {
namespace {

TEST(DockerTime, ParsesLogTimestampsToTheNanosecond) {
  const auto t = ParseDockerTime("2024-05-01T10:00:00.123456789Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->seconds, 1714557600);
  EXPECT_EQ(t->nanos, 123456789);
  EXPECT_EQ(t->SinceParameter(), "1714557600.123456789");
}

TEST(DockerTime, ParsesStartedAtWithTrimmedFractionAndOffsets) {
  EXPECT_EQ(ParseDockerTime("2024-05-01T10:00:00.5Z")->nanos, 500000000);
  EXPECT_EQ(ParseDockerTime("2024-05-01T10:00:00Z")->SinceParameter(), "1714557600.000000000");
  EXPECT_EQ(ParseDockerTime("2024-05-01T12:00:00+02:00")->seconds, 1714557600);
  EXPECT_EQ(ParseDockerTime("2024-05-01T05:30:00-04:30")->seconds, 1714557600);
}

TEST(DockerTime, GoZeroTimeAndJunkAreNothing) {
  EXPECT_FALSE(ParseDockerTime("0001-01-01T00:00:00Z"));
  for (const char* bad : {"", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01T10:00:00.Z",
                          "2024-05-01T10:00:00.1234567890Z", "2024-13-01T10:00:00Z",
                          "2024-05-01T10:00:00Zjunk", "2024-05-01 10:00:00Z"}) {
    EXPECT_FALSE(ParseDockerTime(bad)) << bad;
  }
}

TEST(DockerTime, OrdersAndRoundTripsThroughWallTime) {
  const auto a = *ParseDockerTime("2024-05-01T10:00:00.000000001Z");
  const auto b = *ParseDockerTime("2024-05-01T10:00:00.000000002Z");
  EXPECT_LT(a, b);
  EXPECT_EQ(FromWallTime(b.ToWallTime()), b);
}

}  // namespace
}  // namespace fhc::docker
