#include "exporter/stats/frigate_version.h"

#include <gtest/gtest.h>

namespace fhc::exporter {
namespace {

TEST(FrigateVersion, ReadsReleaseBeforeCommitOrTag) {
  EXPECT_EQ(ParseFrigateVersion("0.12.1-367d724"), (FrigateVersion{0, 12, 1}));
  EXPECT_EQ(ParseFrigateVersion("0.14.0-beta2"), (FrigateVersion{0, 14, 0}));
  EXPECT_EQ(ParseFrigateVersion("0.16"), (FrigateVersion{0, 16, 0}));
  EXPECT_EQ(ParseFrigateVersion("1.0.0"), (FrigateVersion{1, 0, 0}));
}

TEST(FrigateVersion, OrdersByMajorMinorPatch) {
  EXPECT_LT((FrigateVersion{0, 12, 9}), (FrigateVersion{0, 13, 0}));
  EXPECT_LT((FrigateVersion{0, 13, 0}), (FrigateVersion{1, 0, 0}));
}

TEST(FrigateVersion, NonVersionsAreRejected) {
  for (const char* text : {"", "unknown", "dev-abc", "0", "0.", ".12", "0.x", "0.12.x", "0.12abc",
                           "v0.12.1", "99999999999.1"}) {
    EXPECT_EQ(ParseFrigateVersion(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace fhc::exporter
