#include "remediator/state/state_codec.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

// Whole milliseconds, exactly (the codec's precision).
WallTime At(double unix_seconds) {
  return WallTime(std::chrono::milliseconds(std::llround(unix_seconds * 1000)));
}

// A state with every field set, times on whole milliseconds (the codec's precision).
State FullState() {
  State s;
  TargetState& t = s.For(Target{"nvr", "frigate"});
  t.consecutive_failures = 3;
  t.last_observation_at = At(1795848044.425);
  TrackedAlert a;
  a.fingerprint = "864f93fb887d6ba5";
  a.alertname = "FrigateDetectorStuck";
  a.starts_at = At(1795848000.5);
  a.last_seen = At(1795848044.425);
  a.generator_url = "http://prom/graph?g0.expr=x";
  a.labels = {{"alertname", "FrigateDetectorStuck"},
              {"reason", "detector_stuck"},
              {"remediate", "restart"}};
  a.annotations = {{"summary", "détecteur \"coral\" bloqué ✓"}, {"value", "12.5"}};
  t.firing.push_back(a);
  TrackedAlert d = a;
  d.fingerprint = "0000000000000002";
  d.alertname = "FrigateInferenceSlow";
  d.starts_at.reset();
  t.diagnostics.push_back(d);
  Incident inc;
  inc.id = "nvr/frigate@1795848044";
  inc.started_at = At(1795848044.0);
  inc.closed_at = At(1795849044.0);
  inc.open = false;
  inc.reasons = {"detector_stuck", "inference_slow"};
  inc.alerts = {a};
  t.incident = inc;
  t.restart_times = {At(1795840000.0), At(1795845000.001)};
  t.pending = RestartIntent{"nvr/frigate@1795848050.000", At(1795848050.0), "kubernetes", inc.id};
  DecisionRecord rec;
  rec.id = "nvr/frigate@1795848050.000";
  rec.at = At(1795848050.0);
  rec.outcome = "blocked";
  rec.gate = "node_ready";
  rec.incident_id = inc.id;
  rec.detail = "node n1 NotReady";
  rec.verdicts = {{"consecutive_failures", GateOutcome::kPass, "3 of 2"},
                  {"node_ready", GateOutcome::kBlock, "Ready=False"},
                  {"rollout_sanity", GateOutcome::kNotApplicable, "no Kubernetes"}};
  t.decisions.push_back(rec);
  t.emails_sent = {"nvr/frigate@1795848044:blocked:node_ready"};
  t.alertmanager_url = "http://am:9093";
  s.For(Target{"other", "frigate"}).consecutive_failures = 1;
  OutboxMail m;
  m.id = "nvr/frigate@1795848044:blocked:node_ready";
  m.target = "nvr/frigate";
  m.subject = "Frigate nvr/frigate: restart blocked";
  m.body = "line 1\nline 2 — ünïcode\n";
  m.to = "ops@example.org";
  m.from = "remediator@example.org";
  m.headers = {{"X-Frigate-Incident", inc.id}};
  m.queued_at = At(1795848050.0);
  m.attempts = 2;
  m.next_attempt_at = At(1795848110.0);
  m.last_error = "connection refused";
  s.outbox.push_back(m);
  s.ignored_alerts = {{"elsewhere/frigate", 7}};
  return s;
}

TEST(StateCodec, EveryFieldSurvivesARoundTrip) {
  const State s = FullState();
  const std::string json = EncodeState(s);
  auto back = DecodeState(json);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(EncodeState(*back), json) << "encoding is deterministic";
}

TEST(StateCodec, EmptyStateRoundTripsAndCarriesTheSchema) {
  const std::string json = EncodeState(State{});
  EXPECT_THAT(json, HasSubstr("\"schema\":1"));
  auto back = DecodeState(json);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, State{});
}

TEST(StateCodec, TimesAreReadableUtcWithMilliseconds) {
  EXPECT_EQ(FormatStateTime(At(1795848044.425)), "2026-11-28T06:40:44.425Z");
  EXPECT_EQ(FormatStateTime(At(1795848044.0)), "2026-11-28T06:40:44.000Z");
  EXPECT_THAT(EncodeState(FullState()), HasSubstr("\"2026-11-28T06:40:44.425Z\""));
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

struct Corrupt {
  const char* name;
  std::string json;
  const char* error_part;
};

class StateCodecRejects : public ::testing::TestWithParam<Corrupt> {};

TEST_P(StateCodecRejects, CorruptInputWithAnError) {
  auto r = DecodeState(GetParam().json);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr(GetParam().error_part));
}

const std::string kGood = EncodeState(FullState());

INSTANTIATE_TEST_SUITE_P(
    EveryCorruption, StateCodecRejects,
    ::testing::Values(
        Corrupt{"empty", "", "invalid JSON"},
        Corrupt{"truncated", kGood.substr(0, kGood.size() / 2), "invalid JSON"},
        Corrupt{"array", "[]", "expected an object"},
        Corrupt{"no_schema", R"({"targets":{},"outbox":[],"ignored_alerts":{}})",
                "schema: missing"},
        Corrupt{"future_schema", Replace(kGood, "\"schema\":1", "\"schema\":2"),
                "unsupported version 2"},
        Corrupt{"schema_string", Replace(kGood, "\"schema\":1", "\"schema\":\"1\""), "schema"},
        Corrupt{"negative_failures",
                Replace(kGood, "\"consecutive_failures\":3", "\"consecutive_failures\":-1"),
                "targets.nvr/frigate.consecutive_failures"},
        Corrupt{"bad_time", Replace(kGood, "2026-11-28T06:40:44.425Z", "yesterday"),
                "expected an RFC 3339 time"},
        Corrupt{"year_one", Replace(kGood, "2026-11-28T06:40:44.425Z", "0001-01-01T00:00:00Z"),
                "expected an RFC 3339 time"},
        Corrupt{"bad_outcome", Replace(kGood, "\"outcome\":\"block\"", "\"outcome\":\"maybe\""),
                "expected pass, block or not_applicable"},
        Corrupt{"missing_outbox_field", Replace(kGood, "\"attempts\":2,", ""), "attempts: missing"},
        Corrupt{"label_number", Replace(kGood, "\"value\":\"12.5\"", "\"value\":12.5"),
                "expected an object of strings"},
        Corrupt{"key_mismatch", Replace(kGood, "\"other/frigate\":", "\"x/y\":"),
                "key does not match"},
        Corrupt{"restart_times_object",
                Replace(kGood, "\"restart_times\":[", "\"restart_times\":{\"a\":1},\"x\":["),
                "restart_times: expected an array"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StateHelpers, RestartsWithinCountsTheSlidingWindowAndAPendingIntent) {
  TargetState t;
  const WallTime now = At(1795848000.0);
  t.restart_times = {now - std::chrono::seconds(3601), now - std::chrono::seconds(3599),
                     now - std::chrono::seconds(10)};
  EXPECT_EQ(RestartsWithin(t, now, std::chrono::hours(1)), 2);
  t.pending = RestartIntent{"x", now - std::chrono::seconds(1), "kubernetes", ""};
  EXPECT_EQ(RestartsWithin(t, now, std::chrono::hours(1)), 3);
}

TEST(StateHelpers, HistoriesStayBounded) {
  TargetState t;
  for (int i = 0; i < 120; ++i) {
    DecisionRecord rec;
    rec.id = std::to_string(i);
    RecordDecision(t, rec);
    RecordEmailSent(t, fmt::format("k{}", i));  // not "k" + to_string: GCC 12 -O3 -Wrestrict
  }
  ASSERT_EQ(t.decisions.size(), kMaxDecisions);
  EXPECT_EQ(t.decisions.front().id, "70") << "oldest dropped first";
  EXPECT_EQ(t.decisions.back().id, "119");
  EXPECT_EQ(t.emails_sent.size(), kMaxEmailsSent);
  EXPECT_TRUE(EmailSent(t, "k119"));
  EXPECT_FALSE(EmailSent(t, "k0"));
  RecordEmailSent(t, "k119");
  EXPECT_EQ(t.emails_sent.size(), kMaxEmailsSent) << "a key is recorded once";
}

TEST(StateHelpers, PruneKeepsTheLastDay) {
  TargetState t;
  const WallTime now = At(1795848000.0);
  t.restart_times = {now - std::chrono::hours(1), now - std::chrono::hours(25)};
  PruneRestartTimes(t, now);
  ASSERT_EQ(t.restart_times.size(), 1u);
  EXPECT_EQ(t.restart_times[0], now - std::chrono::hours(1));
}

}  // namespace
}  // namespace fhc::remediator
