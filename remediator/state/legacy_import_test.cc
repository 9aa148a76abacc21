#include "remediator/state/legacy_import.h"

#include <gtest/gtest.h>

namespace fhc::remediator {
namespace {

const Target kTarget{"frigate", "frigate"};
const WallTime kNow = FromUnixSeconds(1795848000.0);

TEST(LegacyImport, ReadsTheFourCronJobKeys) {
  auto r = ImportLegacy({{"consecutive_failures", "1"},
                         {"last_restart_times", "1795840000,1795846000.5, 1700000000"},
                         {"alert_sent_for_incident", "true"},
                         {"last_alert_time", "1795846000"}},
                        kTarget, kNow);
  EXPECT_TRUE(r.found);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.state.target, kTarget);
  EXPECT_EQ(r.state.consecutive_failures, 1);
  ASSERT_EQ(r.state.restart_times.size(), 2u) << "older than a day is dropped";
  EXPECT_EQ(r.state.restart_times[0], FromUnixSeconds(1795840000.0));
  EXPECT_EQ(r.state.restart_times[1], FromUnixSeconds(1795846000.5));
  ASSERT_TRUE(r.state.incident.has_value());
  EXPECT_TRUE(r.state.incident->open);
  EXPECT_EQ(r.state.incident->started_at, FromUnixSeconds(1795846000.0));
  EXPECT_TRUE(EmailSent(r.state, "frigate/frigate@legacy:restarted"));
  EXPECT_TRUE(EmailSent(r.state, "frigate/frigate@legacy:blocked:circuit_breaker"));
}

TEST(LegacyImport, NoMailFlagMeansNoIncident) {
  auto r = ImportLegacy({{"consecutive_failures", "0"},
                         {"last_restart_times", ""},
                         {"alert_sent_for_incident", "false"},
                         {"last_alert_time", "0"}},
                        kTarget, kNow);
  EXPECT_TRUE(r.found);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_FALSE(r.state.incident.has_value());
  EXPECT_TRUE(r.state.restart_times.empty());
}

TEST(LegacyImport, NothingFoundInAnUnrelatedConfigMap) {
  auto r = ImportLegacy({{"something", "else"}}, kTarget, kNow);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.state.consecutive_failures, 0);
}

TEST(LegacyImport, BadValuesAreSkippedWithWarnings) {
  auto r = ImportLegacy({{"consecutive_failures", "two"},
                         {"last_restart_times", "abc,1795840000,1e400,nan"},
                         {"alert_sent_for_incident", "true"},
                         {"last_alert_time", "never"}},
                        kTarget, kNow);
  EXPECT_EQ(r.state.consecutive_failures, 0);
  EXPECT_EQ(r.state.restart_times.size(), 1u);
  EXPECT_FALSE(r.state.incident.has_value());
  EXPECT_EQ(r.warnings.size(), 5u);
}

}  // namespace
}  // namespace fhc::remediator
