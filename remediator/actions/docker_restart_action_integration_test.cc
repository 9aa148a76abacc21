// DockerRestartAction over the real HTTP client against the Docker Engine API double
// (tests/doubles/docker_api_double.py, checked with the real docker CLI), over its Unix socket.
#include <unistd.h>

#include <chrono>
#include <string>

#include "common/clock/clock.h"
#include "common/docker/docker_client.h"
#include "common/http/http_client.h"
#include "common/json/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remediator/actions/docker_restart_action.h"
#include "tests/support/double_process.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using testing_util::DoubleProcess;
using testing_util::DoubleScript;

std::string SocketPath() {
  return "/tmp/fhc-docker-action-" + std::to_string(::getpid()) + ".sock";
}

class DockerDoubleTest : public ::testing::Test {
 protected:
  DockerDoubleTest()
      : double_(
            DoubleScript("docker_api_double.py"),
            {"--unix", SocketPath(), "--port", "0", "--restart-seconds", "0.2"},
            {"docker-api-double listening on unix://", "docker-api-double listening on tcp://"}),
        control_("http://" +
                 double_.Line("docker-api-double listening on tcp://")
                     .substr(std::string("docker-api-double listening on tcp://").size())),
        docker_(Options(), http_),
        action_(docker_, "frigate", 5) {}
  static docker::Client::Options Options() {
    docker::Client::Options o;
    o.endpoint.unix_socket = SocketPath();
    o.endpoint.base_url = "http://docker";
    o.timeout = std::chrono::seconds(3);
    return o;
  }
  http::Response Control(const std::string& path, const std::string& body) {
    http::Request r;
    r.method = body.empty() ? "GET" : "POST";
    r.url = control_ + path;
    r.body = body;
    return http_.Send(r);
  }

  DoubleProcess double_;
  std::string control_;
  http::CurlClient http_;
  docker::Client docker_;
  DockerRestartAction action_;
  const Target target_{"docker", "frigate"};
};

TEST_F(DockerDoubleTest, RestartIs204AndRecoversWithANewStartedAt) {
  auto before = action_.GatherFacts(target_);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(before->frigate_started_at) << before->frigate_started_at_error;
  EXPECT_EQ(before->frigate_started_at_source, "container");
  EXPECT_FALSE(before->kubernetes);
  EXPECT_TRUE(before->frigate_started_at_required);

  const WallTime now = SystemClock::Instance().Now();
  auto receipt = action_.Restart(target_, now);
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  EXPECT_EQ(receipt->action, "docker");
  EXPECT_EQ(receipt->detail, "POST /containers/frigate/restart?t=5 (204)");
  auto rec = action_.CheckRecovery(target_, *receipt);
  ASSERT_TRUE(rec.ok()) << rec.error();
  EXPECT_EQ(rec->state, RecoveryState::kRecovered) << rec->detail;
  auto happened = action_.RestartHappened(target_, receipt->intent_timestamp);
  ASSERT_TRUE(happened.ok());
  EXPECT_TRUE(*happened);

  // The request the daemon saw: ping, then the versioned restart with t, nothing else.
  auto log = json::Parse(Control("/_double/requests", "").body);
  ASSERT_TRUE(log);
  bool restart_seen = false;
  for (const auto& r : log->GetArray()) {
    const std::string path = r["path"].GetString();
    EXPECT_NE(path, "/v1.41/containers/json");
    if (path == "/v1.41/containers/frigate/restart") {
      restart_seen = true;
      EXPECT_EQ(std::string(r["method"].GetString()), "POST");
      EXPECT_EQ(std::string(r["query"].GetString()), "t=5");
    }
  }
  EXPECT_TRUE(restart_seen);
}

TEST_F(DockerDoubleTest, ContainerStatesDockerHandlesGiveNoStartTimeAndSayWhy) {
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {R"({"status":"restarting","restart_count":4})", "restart policy (RestartCount 4)"},
           {R"({"status":"paused"})", "paused it on purpose"},
           {R"({"status":"exited"})", "is exited"}}) {
    ASSERT_EQ(Control("/_double/container", body).status, 200);
    auto f = action_.GatherFacts(target_);
    ASSERT_TRUE(f.ok());
    EXPECT_FALSE(f->frigate_started_at);
    EXPECT_THAT(f->frigate_started_at_error, HasSubstr(why));
  }
}

TEST_F(DockerDoubleTest, RestartFailuresAreReportedPlainly) {
  Control("/_double/errors",
          R"({"pattern":"/restart$","status":409,"message":"Cannot restart container frigate: )"
          R"(container is marked for removal"})");
  auto r = action_.Restart(target_, SystemClock::Instance().Now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "docker restart frigate: 409 Cannot restart container frigate: container is marked "
            "for removal");
  Control("/_double/errors", R"({"pattern":"/restart$","status":500,"message":"boom"})");
  r = action_.Restart(target_, SystemClock::Instance().Now());
  EXPECT_EQ(r.error(), "docker restart frigate: 500 boom");
  Control("/_double/container", R"({"exists":false})");
  r = action_.Restart(target_, SystemClock::Instance().Now());
  EXPECT_EQ(r.error(), "docker restart frigate: 404 No such container: frigate");
  auto f = action_.GatherFacts(target_);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->frigate_started_at_error, "docker inspect frigate: 404 No such container: frigate");
}

TEST_F(DockerDoubleTest, FindsTheContainerByLabelAndRestartsItById) {
  DockerRestartAction by_label(docker_, "ignored", 5, "com.docker.compose.service=frigate");
  auto facts = by_label.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_TRUE(facts->frigate_started_at) << facts->frigate_started_at_error;
  auto receipt = by_label.Restart(target_, SystemClock::Instance().Now());
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  auto state = json::Parse(Control("/_double/state", "").body);
  ASSERT_TRUE(state);
  const std::string id = (*state)["Id"].GetString();
  EXPECT_EQ(receipt->detail, "POST /containers/" + id + "/restart?t=5 (204)");
  DockerRestartAction no_match(docker_, "frigate", 5, "com.docker.compose.service=nvr");
  auto r = no_match.Restart(target_, SystemClock::Instance().Now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "no running container has the label com.docker.compose.service=nvr");
}

// Frigate's side of the evidence, scripted.
class ScriptedFrigate : public RestartAction {
 public:
  Result<RecoveryStatus> answer = Result<RecoveryStatus>::Error("connection refused");
  std::string name() const override { return "frigate-api"; }
  bool uses_kubernetes() const override { return false; }
  Result<RestartReceipt> Restart(const Target&, WallTime) override {
    return Result<RestartReceipt>::Error("not used");
  }
  Result<RecoveryStatus> CheckRecovery(const Target&, const RestartReceipt&) override {
    return answer;
  }
  Result<TargetFacts> GatherFacts(const Target&) override { return TargetFacts{}; }
  Result<bool> RestartHappened(const Target&, const std::string&) override { return false; }
};

TEST_F(DockerDoubleTest, RecoveryWaitsForFrigatesOwnFreshUptime) {
  ScriptedFrigate frigate;
  action_.set_frigate_evidence(&frigate);
  auto receipt = action_.Restart(target_, SystemClock::Instance().Now());
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  auto rec = action_.CheckRecovery(target_, *receipt);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->state, RecoveryState::kInProgress);
  EXPECT_THAT(rec->detail, HasSubstr("Frigate not answering yet: connection refused"));
  frigate.answer =
      RecoveryStatus{RecoveryState::kInProgress, "uptime 3600 s, older than the restart"};
  EXPECT_EQ(action_.CheckRecovery(target_, *receipt)->state, RecoveryState::kInProgress);
  frigate.answer = RecoveryStatus{RecoveryState::kRecovered, "uptime 2 s"};
  rec = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(rec->state, RecoveryState::kRecovered);
  EXPECT_THAT(rec->detail, HasSubstr("container frigate running again since its restart; "
                                     "Frigate: uptime 2 s"));
}

TEST_F(DockerDoubleTest, APingAnsweredWithAnErrorStillLetsTheCallsThrough) {
  // A socket proxy with PING=0, say: 403 on /_ping; the calls go on at our version.
  Control("/_double/errors", R"({"pattern":"^/_ping$","status":403,"message":"forbidden"})");
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_TRUE(facts->frigate_started_at) << facts->frigate_started_at_error;
}

TEST(DockerRestartActionNoDaemon, MissingSocketIsReportedPlainly) {
  http::CurlClient http;
  docker::Client::Options o;
  o.endpoint.unix_socket = "/nonexistent/docker.sock";
  o.endpoint.base_url = "http://docker";
  docker::Client client(o, http);
  DockerRestartAction action(client, "frigate", 5);
  auto r = action.Restart(Target{"docker", "frigate"}, SystemClock::Instance().Now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "docker ping: no socket at /nonexistent/docker.sock");
}

TEST_F(DockerDoubleTest, AHangingDaemonTimesOut) {
  Control("/_double/hang", R"({"pattern":"/restart$","seconds":30})");
  const auto start = std::chrono::steady_clock::now();
  auto r = action_.Restart(target_, SystemClock::Instance().Now());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("timeout"));
  // timeout 3 s plus t=5 s (the daemon may take t to stop the container)
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(12));
  Control("/_double/hang", R"({"pattern":"/restart$","seconds":0})");
}

}  // namespace
}  // namespace fhc::remediator
