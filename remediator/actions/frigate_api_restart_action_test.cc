#include "remediator/actions/frigate_api_restart_action.h"

#include <mutex>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

// Frigate as the action sees it: up (with an uptime) or down (connection refused).
class FakeFrigate final : public http::Client {
 public:
  http::Response Send(const http::Request& req) override {
    std::lock_guard lock(mu);
    requests.push_back(req);
    http::Response r;
    if (!up) {
      r.error = "Couldn't connect to server";
      return r;
    }
    const std::string path = req.url.substr(std::string("http://frigate.test:5000").size());
    if (req.method == "POST" && path == "/api/restart") {
      r.status = restart_status;
      r.body = restart_body;
    } else if (req.method == "GET" && path == "/api/version") {
      r.status = 200;
      r.body = "0.14.1-f4f3cfa";
    } else if (req.method == "GET" && path == "/api/stats") {
      r.status = 200;
      r.body = stats_body.empty() ? R"({"service":{"uptime":)" + std::to_string(uptime) +
                                        R"(,"version":"0.14.1-f4f3cfa"},"cameras":{}})"
                                  : stats_body;
    } else {
      r.status = 404;
    }
    return r;
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    http::Response r;
    r.error = "not supported";
    return r;
  }

  std::mutex mu;
  std::vector<http::Request> requests;
  bool up = true;
  long uptime = 3600;
  int restart_status = 200;
  std::string restart_body =
      R"({"success": true, "message": "Restarting (this can take up to one minute)..."})";
  std::string stats_body;
};

class FrigateApiRestartActionTest : public ::testing::Test {
 protected:
  FakeFrigate frigate_;
  FakeClock clock_{FromUnixSeconds(1'795'000'000)};
  FrigateApiRestartAction action_{frigate_, "http://frigate.test:5000/", "jwt-token", clock_};
  const Target target_{"nvr", "frigate"};
};

TEST_F(FrigateApiRestartActionTest, RestartPostsToApiRestartWithTheTokenAndNoOrigin) {
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  ASSERT_EQ(frigate_.requests.size(), 1u);
  const http::Request& req = frigate_.requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://frigate.test:5000/api/restart");
  EXPECT_EQ(req.bearer_token, "jwt-token");
  EXPECT_EQ(req.body, "");
  for (const auto& [name, value] : req.headers) EXPECT_NE(name, "Origin");
  EXPECT_EQ(receipt->action, "frigate-api");
  EXPECT_EQ(receipt->intent_timestamp, IntentTimestamp(clock_.Now()));
  EXPECT_THAT(receipt->detail, HasSubstr("Restarting (this can take up to one minute)..."));
}

TEST_F(FrigateApiRestartActionTest, RefusalsAreErrorsSayingWhy) {
  frigate_.restart_status = 405;
  frigate_.restart_body = "Method Not Allowed";
  EXPECT_THAT(action_.Restart(target_, clock_.Now()).error(), HasSubstr("0.13+"));

  frigate_.restart_status = 403;
  frigate_.restart_body = R"({"detail":"Role viewer not authorized"})";
  auto forbidden = action_.Restart(target_, clock_.Now());
  EXPECT_THAT(forbidden.error(), HasSubstr("HTTP 403"));
  EXPECT_THAT(forbidden.error(), HasSubstr("Role viewer not authorized"));

  frigate_.restart_status = 500;
  frigate_.restart_body = R"({"success": false, "message": "Unable to restart Frigate."})";
  EXPECT_THAT(action_.Restart(target_, clock_.Now()).error(), HasSubstr("Unable to restart"));

  frigate_.up = false;
  EXPECT_THAT(action_.Restart(target_, clock_.Now()).error(), HasSubstr("may or may not"));
}

TEST_F(FrigateApiRestartActionTest, RecoveryWaitsForTheOldProcessToGoAndANewOneToAnswer) {
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_TRUE(receipt.ok());
  clock_.Advance(std::chrono::seconds(2));
  auto status = action_.CheckRecovery(target_, *receipt);  // not exited yet
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, RecoveryState::kInProgress);
  EXPECT_THAT(status->detail, HasSubstr("uptime 3600 s"));

  frigate_.up = false;  // down while the supervisor restarts the container
  clock_.Advance(std::chrono::seconds(10));
  status = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(status->state, RecoveryState::kInProgress);
  EXPECT_THAT(status->detail, HasSubstr("not answering"));

  frigate_.up = true;  // a fresh process
  frigate_.uptime = 8;
  clock_.Advance(std::chrono::seconds(10));
  status = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(status->state, RecoveryState::kRecovered);
  EXPECT_THAT(status->detail, HasSubstr("0.14.1-f4f3cfa"));
}

TEST_F(FrigateApiRestartActionTest, FactsAreFrigatesStartFromItsUptime) {
  frigate_.uptime = 120;
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->kubernetes);
  ASSERT_TRUE(facts->frigate_started_at.has_value()) << facts->frigate_started_at_error;
  EXPECT_EQ(*facts->frigate_started_at, clock_.Now() - std::chrono::seconds(120));
  EXPECT_EQ(facts->frigate_started_at_source, "frigate-uptime");
  EXPECT_FALSE(facts->node_ready.has_value());
  EXPECT_EQ(frigate_.requests.back().url, "http://frigate.test:5000/api/stats");
}

TEST_F(FrigateApiRestartActionTest, UnreadableStatsLeaveTheStartAbsentWithTheReason) {
  frigate_.stats_body = R"({"service":{"uptime":"soon"}})";
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_THAT(facts->frigate_started_at_error, HasSubstr("no service.uptime"));
  frigate_.stats_body = "<html>";
  EXPECT_THAT(action_.GatherFacts(target_)->frigate_started_at_error, HasSubstr("invalid JSON"));
  frigate_.up = false;
  EXPECT_THAT(action_.GatherFacts(target_)->frigate_started_at_error, HasSubstr("connect"));
}

TEST_F(FrigateApiRestartActionTest, RestartHappenedWhenUptimeIsShorterThanTheTimeSinceTheIntent) {
  std::string intent = IntentTimestamp(clock_.Now());
  clock_.Advance(std::chrono::seconds(60));
  frigate_.uptime = 30;
  EXPECT_TRUE(*action_.RestartHappened(target_, intent));
  frigate_.uptime = 3600;
  EXPECT_FALSE(*action_.RestartHappened(target_, intent));
  EXPECT_FALSE(action_.RestartHappened(target_, "yesterday").ok());
  frigate_.up = false;
  EXPECT_FALSE(action_.RestartHappened(target_, intent).ok());
}

}  // namespace
}  // namespace fhc::remediator
