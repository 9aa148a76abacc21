// KubernetesRestartAction over the real HTTP client against the Kubernetes API double
// (tests/doubles/kube_api_double.py: Recreate rollout simulation, nodes, request log).
#include <chrono>
#include <string>
#include <thread>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "common/json/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remediator/actions/kubernetes_restart_action.h"
#include "tests/support/double_process.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using testing_util::DoubleProcess;
using testing_util::DoubleScript;

class KubeDoubleTest : public ::testing::Test {
 protected:
  KubeDoubleTest()
      : double_(DoubleScript("kube_api_double.py"), {"--rollout-seconds", "1", "--node", "node-a"},
                {"kube-api-double listening on"}),
        url_(double_.UrlIn("kube-api-double listening on")),
        kube_(Config(url_), http_, SystemClock::Instance()),
        action_(kube_, "", "") {}
  static kube::Config Config(const std::string& url) {
    kube::Config c;
    c.api_url = url;
    c.timeout = std::chrono::seconds(5);
    return c;
  }
  http::Response Control(const std::string& path, const std::string& body) {
    http::Request r;
    r.method = body.empty() ? "GET" : "POST";
    r.url = url_ + path;
    r.body = body;
    r.headers.emplace_back("Content-Type", "application/json");
    return http_.Send(r);
  }

  DoubleProcess double_;
  std::string url_;
  http::CurlClient http_;
  kube::Client kube_;
  KubernetesRestartAction action_;
  const Target target_{"nvr", "frigate"};
};

TEST_F(KubeDoubleTest, RestartRollsOutAndRecoversWithFreshContainerStart) {
  ASSERT_FALSE(url_.empty()) << "kube API double did not start";
  auto before = action_.GatherFacts(target_);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(before->frigate_started_at.has_value()) << before->frigate_started_at_error;
  EXPECT_EQ(before->node_name, "node-a");
  EXPECT_EQ(before->node_ready, "True") << before->node_error;
  EXPECT_EQ(before->deployment_paused, false) << before->deployment_error;
  EXPECT_EQ(before->rollout_in_progress, false);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // restartedAt has 1 s precision
  WallTime now = SystemClock::Instance().Now();
  std::string intent = IntentTimestamp(now);
  EXPECT_FALSE(*action_.RestartHappened(target_, intent));
  auto receipt = action_.Restart(target_, now);
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  EXPECT_EQ(receipt->intent_timestamp, intent);

  // The double saw exactly kubectl's request, under our field manager.
  auto log = json::Parse(Control("/_double/requests", "").body);
  ASSERT_TRUE(log.ok());
  bool saw_patch = false;
  for (const auto& r : log->GetArray()) {
    if (json::String(r, "method") != "PATCH") continue;
    saw_patch = true;
    EXPECT_EQ(json::String(r, "path"), "/apis/apps/v1/namespaces/nvr/deployments/frigate");
    EXPECT_EQ(json::String(r, "query"), "fieldManager=frigate-remediator");
    EXPECT_EQ(json::String(r, "content_type"), "application/strategic-merge-patch+json");
    EXPECT_EQ(
        json::String(r, "body"),
        R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":")" +
            intent + R"("}}}}})");
  }
  EXPECT_TRUE(saw_patch);
  EXPECT_TRUE(*action_.RestartHappened(target_, intent));

  bool saw_in_progress = false;
  RecoveryState last = RecoveryState::kInProgress;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = action_.CheckRecovery(target_, *receipt);
    ASSERT_TRUE(status.ok()) << status.error();
    last = status->state;
    if (last != RecoveryState::kInProgress) break;
    saw_in_progress = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(saw_in_progress);
  ASSERT_EQ(last, RecoveryState::kRecovered);

  auto after = action_.GatherFacts(target_);
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->frigate_started_at.has_value()) << after->frigate_started_at_error;
  EXPECT_GT(*after->frigate_started_at, *before->frigate_started_at);
  EXPECT_NE(after->pod_name, before->pod_name);
  EXPECT_EQ(after->rollout_in_progress, false);
}

TEST_F(KubeDoubleTest, NotReadyCordonedNodeShowsInTheFacts) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(
      Control("/_double/node", R"({"name":"node-a","ready":"False","unschedulable":true})").status,
      200);
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->node_ready, "False");
  EXPECT_EQ(facts->node_ready_reason, "KubeletNotReady");
  EXPECT_TRUE(facts->node_unschedulable);
}

TEST_F(KubeDoubleTest, PausedDeploymentIsNotRestarted) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/deployment", R"({"spec":{"paused":true}})").status, 200);
  auto facts = action_.GatherFacts(target_);
  EXPECT_EQ(facts->deployment_paused, true);
  auto receipt = action_.Restart(target_, SystemClock::Instance().Now());
  ASSERT_FALSE(receipt.ok());
  EXPECT_THAT(receipt.error(), HasSubstr("can't restart paused deployment"));
}

TEST_F(KubeDoubleTest, ForbiddenNodeReadLeavesNodeFactsAbsent) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/forbid", R"({"verb":"get","resource":"nodes"})").status, 200);
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->node_ready.has_value());
  EXPECT_THAT(facts->node_error, HasSubstr("forbidden"));
  EXPECT_TRUE(facts->frigate_started_at.has_value());
}

// The double serves the official chart's pods (app.kubernetes.io/name / instance) with a
// codeserver sidecar whose status the kubelet lists first.

// Issue 9 item 2: each target's pod comes from its own Deployment's selector.
TEST_F(KubeDoubleTest, TwoReleasesEachGetTheirOwnPodAndNode) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/deployments", R"({"name":"garage-frigate","node":"node-b"})").status,
            200);
  auto front = action_.GatherFacts(target_);
  auto garage = action_.GatherFacts(Target{"nvr", "garage-frigate"});
  ASSERT_TRUE(front.ok() && garage.ok());
  EXPECT_EQ(front->node_name, "node-a");
  EXPECT_EQ(garage->node_name, "node-b") << garage->pod_error;
  EXPECT_TRUE(garage->pod_name.rfind("garage-frigate-", 0) == 0) << garage->pod_name;
  EXPECT_TRUE(front->pod_name.rfind("frigate-", 0) == 0) << front->pod_name;
  EXPECT_EQ(garage->pod_selector,
            "app.kubernetes.io/instance=garage-frigate,app.kubernetes.io/name=frigate");
}

// Issue 9 item 1: the sidecar has been up an hour; Frigate was restarted by the kubelet 60 s ago.
TEST_F(KubeDoubleTest, FrigatesOwnContainerStartIsReadNotTheSidecars) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/container", R"({"restart":true,"started_seconds_ago":60})").status,
            200);
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  ASSERT_TRUE(facts->frigate_started_at.has_value()) << facts->frigate_started_at_error;
  const auto age = SystemClock::Instance().Now() - *facts->frigate_started_at;
  EXPECT_LT(age, std::chrono::seconds(120));
  EXPECT_GT(age, std::chrono::seconds(30));
  EXPECT_EQ(facts->container_name, "frigate");
  EXPECT_EQ(facts->container_restarts, 1);
}

// Issue 9 item 5: a hung Frigate failing its readiness probe is no rollout in progress.
TEST_F(KubeDoubleTest, AnUnreadyFrigateAfterAFinishedRolloutIsNoRollout) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/container", R"({"ready":false})").status, 200);
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->rollout_in_progress, false) << facts->rollout_message;
  EXPECT_FALSE(facts->rollout_failed);
  EXPECT_THAT(facts->rollout_message, HasSubstr("pods not ready, no rollout"));
  EXPECT_FALSE(facts->container_ready);
  EXPECT_FALSE(facts->pod_ready);
}

// Issue 9 item 5: CrashLoopBackOff shows in the facts even while the Deployment's status is
// stale and still counts the pod available.
TEST_F(KubeDoubleTest, CrashLoopShowsThroughAStaleAvailableDeployment) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(
      Control("/_double/container", R"({"crashloop":true,"restarts":6,"update_deployment":false})")
          .status,
      200);
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->container_reason, "CrashLoopBackOff");
  EXPECT_EQ(facts->container_restarts, 6);
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_EQ(facts->rollout_in_progress, false);
}

// A rollout whose new pod never gets ready ends in ProgressDeadlineExceeded: failed, not running.
TEST_F(KubeDoubleTest, AStuckRolloutIsReportedFailed) {
  ASSERT_FALSE(url_.empty());
  ASSERT_EQ(Control("/_double/deployment",
                    R"({"spec":{"progressDeadlineSeconds":1},"new_pods_ready":false,)"
                    R"("rollout_seconds":0.3})")
                .status,
            200);
  ASSERT_TRUE(action_.Restart(target_, SystemClock::Instance().Now()).ok());
  auto during = action_.GatherFacts(target_);
  EXPECT_EQ(during->rollout_in_progress, true) << during->rollout_message;
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto after = action_.GatherFacts(target_);
  EXPECT_TRUE(after->rollout_failed) << after->rollout_message;
  EXPECT_EQ(after->rollout_in_progress, false);
}

}  // namespace
}  // namespace fhc::remediator
