#include "remediator/app/status_view.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

namespace fhc::remediator {
namespace {

State StateWithOneQueuedMail() {
  State state;
  OutboxMail mail;
  mail.id = "nvr/frigate@1795848044:restarted";
  mail.target = "nvr/frigate";
  mail.subject = "[frigate-remediator] nvr/frigate restarted";
  mail.body = "Frigate was restarted because ...";
  mail.to = "ops@example.test";
  mail.from = "remediator@example.test";
  mail.headers = {{"X-Frigate-Remediator-Outcome", "restarted"}};
  mail.attempts = 2;
  mail.last_error = "connection refused";
  state.outbox.push_back(mail);
  return state;
}

std::set<std::string> MailFields(const std::string& json, bool* redacted) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  EXPECT_FALSE(doc.HasParseError());
  *redacted = doc["redacted"].GetBool();
  std::set<std::string> fields;
  // Index loop: RapidJSON 1.1's member iterators trip C++20's reversed-operator ambiguity.
  const auto& mail = doc["outbox"][0];
  for (rapidjson::SizeType i = 0; i < mail.MemberCount(); ++i) {
    fields.insert((mail.MemberBegin() + i)->name.GetString());
  }
  return fields;
}

TEST(StateJson, RedactedViewShowsSubjectsButNoRecipientsHeadersOrBodies) {
  const Engine engine{DecisionSettings{}};
  const RemediatorConfig config;
  const State state = StateWithOneQueuedMail();
  bool redacted = false;
  const std::string json = RenderStateJson(state, engine, config, WallTime{}, true);
  EXPECT_EQ(
      MailFields(json, &redacted),
      (std::set<std::string>{"id", "target", "subject", "queued_at", "attempts", "last_error"}));
  EXPECT_TRUE(redacted);
  EXPECT_EQ(json.find("ops@example.test"), std::string::npos);
  EXPECT_EQ(json.find("remediator@example.test"), std::string::npos);
  EXPECT_EQ(json.find("Frigate was restarted because"), std::string::npos);
  EXPECT_NE(json.find("nvr/frigate restarted"), std::string::npos);
}

TEST(StateJson, FullViewKeepsTheWholeMail) {
  const Engine engine{DecisionSettings{}};
  const RemediatorConfig config;
  bool redacted = true;
  const std::string json =
      RenderStateJson(StateWithOneQueuedMail(), engine, config, WallTime{}, false);
  const auto fields = MailFields(json, &redacted);
  EXPECT_FALSE(redacted);
  EXPECT_TRUE(fields.count("body") && fields.count("to") && fields.count("from") &&
              fields.count("headers"));
}

}  // namespace
}  // namespace fhc::remediator
