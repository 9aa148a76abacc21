#include "remediator/webhook/webhook_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

// The body Alertmanager 0.25.0 posted after Prometheus 2.42 fired a rule (reference/
// alertmanager-webhook.md).
constexpr const char* kRealBody =
    R"({"receiver":"hook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"CamDownFor2s","camera":"front","deployment":"frigate","instance":"127.0.0.1:19100","job":"hello","namespace":"nvr","severity":"critical"},"annotations":{"summary":"camera front fps 0"},"startsAt":"2026-11-28T06:40:44.425Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://vm:19090/graph?g0.expr=frigate_camera_fps+%3C+1&g0.tab=1","fingerprint":"864f93fb887d6ba5"}],"groupLabels":{"alertname":"CamDownFor2s"},"commonLabels":{"alertname":"CamDownFor2s","camera":"front","deployment":"frigate","instance":"127.0.0.1:19100","job":"hello","namespace":"nvr","severity":"critical"},"commonAnnotations":{"summary":"camera front fps 0"},"externalURL":"http://vm:19093","version":"4","groupKey":"{}:{alertname=\"CamDownFor2s\"}","truncatedAlerts":0})";

std::string ErrorOf(std::string_view body) {
  auto n = ParseWebhook(body);
  EXPECT_FALSE(n.ok()) << body;
  return n.ok() ? "" : n.error();
}

TEST(WebhookParser, ReadsTheRealAlertmanagerBody) {
  auto n = ParseWebhook(kRealBody);
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->version, "4");
  EXPECT_EQ(n->receiver, "hook");
  EXPECT_EQ(n->status, AlertStatus::kFiring);
  EXPECT_EQ(n->group_key, "{}:{alertname=\"CamDownFor2s\"}");
  EXPECT_EQ(n->external_url, "http://vm:19093");
  EXPECT_EQ(n->notification_reason, "");
  EXPECT_EQ(n->truncated_alerts, 0);
  EXPECT_EQ(n->group_labels.at("alertname"), "CamDownFor2s");
  EXPECT_EQ(n->common_labels.at("namespace"), "nvr");
  EXPECT_EQ(n->common_annotations.at("summary"), "camera front fps 0");
  ASSERT_EQ(n->alerts.size(), 1u);
  const Alert& a = n->alerts[0];
  EXPECT_EQ(a.status, AlertStatus::kFiring);
  EXPECT_EQ(a.Name(), "CamDownFor2s");
  EXPECT_EQ(a.Label("deployment"), "frigate");
  EXPECT_EQ(a.Label("no-such-label"), "");
  EXPECT_EQ(a.annotations.at("summary"), "camera front fps 0");
  ASSERT_TRUE(a.starts_at.has_value());
  EXPECT_DOUBLE_EQ(ToUnixSeconds(*a.starts_at), 1795848044.425);
  EXPECT_FALSE(a.ends_at.has_value()) << "the zero time means no end";
  EXPECT_EQ(a.generator_url, "http://vm:19090/graph?g0.expr=frigate_camera_fps+%3C+1&g0.tab=1");
  EXPECT_EQ(a.fingerprint, "864f93fb887d6ba5");
}

TEST(WebhookParser, ReadsNotificationReasonAndResolvedEndsAt) {
  auto n = ParseWebhook(
      R"({"version":"4","status":"resolved","notification_reason":"all alerts resolved",
          "alerts":[{"status":"resolved","labels":{"alertname":"A"},
                     "startsAt":"2026-11-28T06:40:44Z","endsAt":"2026-11-28T07:40:44.5+01:00",
                     "fingerprint":"0000000000000001"}]})");
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->notification_reason, "all alerts resolved");
  EXPECT_EQ(n->status, AlertStatus::kResolved);
  ASSERT_TRUE(n->alerts[0].ends_at.has_value());
  EXPECT_DOUBLE_EQ(ToUnixSeconds(*n->alerts[0].ends_at) - ToUnixSeconds(*n->alerts[0].starts_at),
                   0.5);
}

TEST(WebhookParser, EmptyAlertListIsAccepted) {
  auto n = ParseWebhook(R"({"version":"4","status":"resolved","alerts":[]})");
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_TRUE(n->alerts.empty());
}

TEST(WebhookParser, MissingFingerprintIsDerivedStablyFromLabels) {
  const char* a = R"({"version":"4","status":"firing","alerts":[{"status":"firing",
      "labels":{"alertname":"X","b":"2","a":"1"}}]})";
  const char* b = R"({"version":"4","status":"firing","alerts":[{"status":"firing",
      "labels":{"a":"1","alertname":"X","b":"2"}}]})";
  const char* c = R"({"version":"4","status":"firing","alerts":[{"status":"firing",
      "labels":{"a":"1","alertname":"X","b":"3"}}]})";
  auto na = ParseWebhook(a), nb = ParseWebhook(b), nc = ParseWebhook(c);
  ASSERT_TRUE(na.ok() && nb.ok() && nc.ok());
  EXPECT_EQ(na->alerts[0].fingerprint.size(), 16u);
  EXPECT_EQ(na->alerts[0].fingerprint, nb->alerts[0].fingerprint);
  EXPECT_NE(na->alerts[0].fingerprint, nc->alerts[0].fingerprint);
}

TEST(WebhookParser, UnknownFieldsAndNullOptionalsAreIgnored) {
  auto n = ParseWebhook(R"({"version":"4","status":"firing","future":{"x":[1,2]},
      "receiver":null,"alerts":[{"status":"firing","labels":{},"annotations":null,"extra":1}]})");
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->receiver, "");
}

struct Malformed {
  const char* name;
  std::string body;
  const char* error_part;
};

class WebhookParserRejects : public ::testing::TestWithParam<Malformed> {};

TEST_P(WebhookParserRejects, WithAShortMessageNamingTheField) {
  const std::string error = ErrorOf(GetParam().body);
  EXPECT_THAT(error, HasSubstr(GetParam().error_part));
  EXPECT_LT(error.size(), 200u) << "fit for a 400 body";
}

std::string Deep(int levels) {
  std::string s = R"({"version":"4","status":"firing","alerts":[],"x":)";
  for (int i = 0; i < levels; ++i) s += "[";
  for (int i = 0; i < levels; ++i) s += "]";
  return s + "}";
}

INSTANTIATE_TEST_SUITE_P(
    EveryMalformedClass, WebhookParserRejects,
    ::testing::Values(
        Malformed{"empty", "", "invalid JSON"}, Malformed{"not_json", "hello", "invalid JSON"},
        Malformed{"truncated", R"({"version":"4","status":"firing","alerts":[)", "invalid JSON"},
        Malformed{"trailing_garbage", R"({"version":"4","status":"firing","alerts":[]} x)",
                  "invalid JSON"},
        Malformed{"array_root", "[]", "expected a JSON object"},
        Malformed{"string_root", R"("x")", "expected a JSON object"},
        Malformed{"missing_version", R"({"status":"firing","alerts":[]})", "version: missing"},
        Malformed{"numeric_version", R"({"version":4,"status":"firing","alerts":[]})",
                  "version: expected a string"},
        Malformed{"version_3", R"({"version":"3","status":"firing","alerts":[]})",
                  "version: unsupported"},
        Malformed{"missing_status", R"({"version":"4","alerts":[]})", "status: missing"},
        Malformed{"bad_status", R"({"version":"4","status":"pending","alerts":[]})",
                  "status: expected"},
        Malformed{"missing_alerts", R"({"version":"4","status":"firing"})", "alerts: missing"},
        Malformed{"alerts_object", R"({"version":"4","status":"firing","alerts":{}})",
                  "alerts: expected an array"},
        Malformed{"alert_not_object", R"({"version":"4","status":"firing","alerts":[1]})",
                  "alerts[0]: expected an object"},
        Malformed{"alert_missing_labels",
                  R"({"version":"4","status":"firing","alerts":[{"status":"firing"}]})",
                  "alerts[0].labels: missing"},
        Malformed{"alert_missing_status",
                  R"({"version":"4","status":"firing","alerts":[{"labels":{}}]})",
                  "alerts[0].status: missing"},
        Malformed{
            "label_value_number",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":1}}]})",
            "alerts[0].labels.a: expected a string"},
        Malformed{"labels_array",
                  R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":[]}]})",
                  "alerts[0].labels: expected an object"},
        Malformed{
            "annotation_object",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"annotations":{"s":{}}}]})",
            "alerts[0].annotations.s: expected a string"},
        Malformed{
            "starts_at_number",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":5}]})",
            "alerts[0].startsAt: expected a string"},
        Malformed{
            "starts_at_not_a_time",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]})",
            "alerts[0].startsAt: expected an RFC 3339 time"},
        Malformed{
            "ends_at_out_of_range",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"endsAt":"9999-01-01T00:00:00Z"}]})",
            "alerts[0].endsAt: time out of range"},
        Malformed{
            "fingerprint_number",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"fingerprint":7}]})",
            "alerts[0].fingerprint: expected a string"},
        Malformed{
            "second_alert_bad",
            R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":{}},{"status":"x","labels":{}}]})",
            "alerts[1].status"},
        Malformed{"receiver_number",
                  R"({"version":"4","status":"firing","receiver":1,"alerts":[]})",
                  "receiver: expected a string"},
        Malformed{"common_labels_string",
                  R"({"version":"4","status":"firing","commonLabels":"x","alerts":[]})",
                  "commonLabels: expected an object"},
        Malformed{"truncated_alerts_string",
                  R"({"version":"4","status":"firing","truncatedAlerts":"0","alerts":[]})",
                  "truncatedAlerts: expected a non-negative integer"},
        Malformed{"truncated_alerts_negative",
                  R"({"version":"4","status":"firing","truncatedAlerts":-1,"alerts":[]})",
                  "truncatedAlerts"},
        Malformed{"nested_too_deep", Deep(40), "nesting deeper than 32"},
        Malformed{"very_deep", Deep(100000), "nesting deeper than 32"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WebhookParser, NestingUpToTheLimitInUnknownFieldsIsFine) {
  auto n = ParseWebhook(Deep(30));
  EXPECT_TRUE(n.ok()) << n.error();
}

}  // namespace
}  // namespace fhc::remediator
