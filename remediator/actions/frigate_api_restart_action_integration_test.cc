// FrigateApiRestartAction over the real HTTP client against the Frigate simulator
// (tests/doubles/frigate_sim.py): the API port really closes during the restart downtime.
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "common/json/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remediator/actions/frigate_api_restart_action.h"
#include "tests/support/double_process.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using testing_util::DoubleProcess;
using testing_util::DoubleScript;

struct Sim {
  explicit Sim(const std::string& version, std::vector<std::string> extra = {})
      : process(DoubleScript("frigate_sim.py"), Args(version, std::move(extra)),
                {"frigate-sim listening on", "frigate-sim control on"}),
        api(process.UrlIn("frigate-sim listening on")),
        control(process.UrlIn("frigate-sim control on")) {}
  static std::vector<std::string> Args(const std::string& version, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--version", version,          "--restart-downtime",
                                     "1",         "--start-uptime", "3600"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  DoubleProcess process;
  std::string api, control;
};

std::optional<double> SimNumber(http::Client& http, const std::string& control, const char* field) {
  http::Request r;
  r.url = control + "/_sim/state";
  auto doc = json::Parse(http.Send(r).body);
  if (!doc.ok() || !doc->IsObject()) return std::nullopt;
  return json::Number(*doc, field);
}

const Target kTarget{"nvr", "frigate"};

TEST(FrigateApiRestartActionWithSim, RestartGoesDownComesBackAndIsRecognised) {
  Sim sim("0.16");
  ASSERT_FALSE(sim.api.empty()) << "frigate simulator did not start";
  http::CurlClient http;
  FrigateApiRestartAction action(http, sim.api, "", SystemClock::Instance());

  auto facts = action.GatherFacts(kTarget);
  ASSERT_TRUE(facts.ok());
  ASSERT_TRUE(facts->frigate_started_at.has_value()) << facts->frigate_started_at_error;
  double age =
      ToUnixSeconds(SystemClock::Instance().Now()) - ToUnixSeconds(*facts->frigate_started_at);
  EXPECT_NEAR(age, 3600, 30);

  WallTime now = SystemClock::Instance().Now();
  auto receipt = action.Restart(kTarget, now);
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  EXPECT_THAT(receipt->detail, HasSubstr("Restarting"));
  // Like Frigate, the simulator answers before it goes down: its count moves just after.
  auto counted = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (SimNumber(http, sim.control, "restart_count") == 0 &&
         std::chrono::steady_clock::now() < counted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(SimNumber(http, sim.control, "restart_count"), 1);

  bool saw_in_progress = false;
  RecoveryState last = RecoveryState::kInProgress;
  std::string detail;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = action.CheckRecovery(kTarget, *receipt);
    ASSERT_TRUE(status.ok()) << status.error();
    last = status->state;
    detail = status->detail;
    if (last != RecoveryState::kInProgress) break;
    saw_in_progress = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(saw_in_progress);
  ASSERT_EQ(last, RecoveryState::kRecovered) << detail;
  EXPECT_TRUE(*action.RestartHappened(kTarget, receipt->intent_timestamp));
  EXPECT_EQ(SimNumber(http, sim.control, "restart_count"), 1);  // recovery checks restart nothing
}

TEST(FrigateApiRestartActionWithSim, NoRestartHappenedWhileTheOldProcessRuns) {
  Sim sim("0.14");
  ASSERT_FALSE(sim.api.empty());
  http::CurlClient http;
  FrigateApiRestartAction action(http, sim.api, "", SystemClock::Instance());
  std::string intent = IntentTimestamp(SystemClock::Instance().Now() - std::chrono::minutes(5));
  auto happened = action.RestartHappened(kTarget, intent);
  ASSERT_TRUE(happened.ok()) << happened.error();
  EXPECT_FALSE(*happened);
}

TEST(FrigateApiRestartActionWithSim, FrigateBefore013HasNoRestartEndpoint) {
  Sim sim("0.12");
  ASSERT_FALSE(sim.api.empty());
  http::CurlClient http;
  FrigateApiRestartAction action(http, sim.api, "", SystemClock::Instance());
  auto receipt = action.Restart(kTarget, SystemClock::Instance().Now());
  ASSERT_FALSE(receipt.ok());
  EXPECT_THAT(receipt.error(), HasSubstr("0.13+"));
  EXPECT_EQ(SimNumber(http, sim.control, "restart_count"), 0);
}

TEST(FrigateApiRestartActionWithSim, TokenIsSentAndAWrongOneIsRefused) {
  Sim sim("0.16", {"--token", "good-token"});
  ASSERT_FALSE(sim.api.empty());
  http::CurlClient http;
  FrigateApiRestartAction wrong(http, sim.api, "bad-token", SystemClock::Instance());
  auto refused = wrong.Restart(kTarget, SystemClock::Instance().Now());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error(), HasSubstr("HTTP 401"));
  EXPECT_EQ(SimNumber(http, sim.control, "restart_count"), 0);
  FrigateApiRestartAction right(http, sim.api, "good-token", SystemClock::Instance());
  auto facts = right.GatherFacts(kTarget);
  EXPECT_TRUE(facts->frigate_started_at.has_value()) << facts->frigate_started_at_error;
  EXPECT_TRUE(right.Restart(kTarget, SystemClock::Instance().Now()).ok());
}

}  // namespace
}  // namespace fhc::remediator
