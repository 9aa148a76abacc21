#include "remediator/actions/kubernetes_restart_action.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"
#include "common/json/json.h"
#include "common/kube/deployment.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

constexpr char kBase[] = "http://kube.test";
constexpr char kDeploymentPath[] = "/apis/apps/v1/namespaces/nvr/deployments/frigate";
// The official Frigate chart's selector (blakeshome-charts charts/frigate 7.8.0), as the
// deployment's spec.selector gives it, URL-encoded.
constexpr char kPodsPath[] =
    "/api/v1/namespaces/nvr/pods?labelSelector=app.kubernetes.io%2Finstance%3Dfrigate%2C"
    "app.kubernetes.io%2Fname%3Dfrigate";
constexpr char kOverridePodsPath[] = "/api/v1/namespaces/nvr/pods?labelSelector=app%3Dfrigate";
constexpr char kNodePath[] = "/api/v1/nodes/node-a";

struct FakeDeployment {
  std::int64_t generation = 3, observed_generation = 3;
  bool paused = false;
  std::int64_t replicas = 1, status_replicas = 1, updated = 1, available = 1;
  std::string restarted_at;
  std::string progressing_reason = "NewReplicaSetAvailable";

  std::string Json() const {
    auto n = [](std::int64_t v) { return std::to_string(v); };
    std::string annotations =
        restarted_at.empty() ? "{}"
                             : R"({"kubectl.kubernetes.io/restartedAt":")" + restarted_at + R"("})";
    return R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"frigate","namespace":"nvr","generation":)" +
           n(generation) + R"(},"spec":{"replicas":)" + n(replicas) +
           R"(,"selector":{"matchLabels":{"app.kubernetes.io/name":"frigate","app.kubernetes.io/instance":"frigate"}})" +
           R"(,"paused":)" + (paused ? "true" : "false") +
           R"(,"template":{"metadata":{"annotations":)" + annotations +
           R"(}}},"status":{"observedGeneration":)" + n(observed_generation) + R"(,"replicas":)" +
           n(status_replicas) + R"(,"updatedReplicas":)" + n(updated) + R"(,"availableReplicas":)" +
           n(available) + R"(,"readyReplicas":)" + n(available) +
           R"(,"conditions":[{"type":"Progressing","status":"True","reason":")" +
           progressing_reason + R"("}]}})";
  }
};

std::string PodListJson(const std::string& started_at, const std::string& node = "node-a") {
  std::string running = started_at.empty() ? R"({"waiting":{"reason":"CrashLoopBackOff"}})"
                                           : R"({"running":{"startedAt":")" + started_at + R"("}})";
  return R"({"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"frigate-7d9f-abcde","namespace":"nvr"},"spec":{"nodeName":")" +
         node +
         R"("},"status":{"phase":"Running","startTime":"2026-11-28T06:00:00Z","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"sidecar","state":{"running":{"startedAt":"2026-11-28T05:00:00Z"}},"restartCount":0},{"name":"frigate","state":)" +
         running + R"(,"restartCount":2}]}}]})";
}

std::string NodeJson(const std::string& ready, const std::string& reason, bool unschedulable) {
  return R"({"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a"},"spec":{"unschedulable":)" +
         std::string(unschedulable ? "true" : "false") +
         R"(},"status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":")" +
         ready + R"(","reason":")" + reason + R"("}]}})";
}

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers["content-type"] = "application/json";
  r.body = std::move(body);
  return r;
}

http::Response StatusBody(int code, const std::string& reason, const std::string& message) {
  return Json(code, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" +
                        message + R"(","reason":")" + reason + R"(","code":)" +
                        std::to_string(code) + "}");
}

// The API server as far as these calls go: one deployment (PATCH applies restartedAt and bumps
// the generation), canned pods and node, any route overridable with a fixed answer.
class FakeKubeApi final : public http::Client {
 public:
  http::Response Send(const http::Request& req) override {
    std::lock_guard lock(mu);
    requests.push_back(req);
    const std::string path = req.url.substr(std::string(kBase).size());
    const std::string key = req.method + " " + path;
    if (auto it = fixed.find(key); it != fixed.end()) return it->second;
    if (req.method == "GET" && path == kDeploymentPath) return Json(200, deployment.Json());
    if (req.method == "PATCH" &&
        path == std::string(kDeploymentPath) + "?fieldManager=frigate-remediator") {
      auto doc = json::Parse(req.body);
      if (!doc.ok()) return StatusBody(400, "BadRequest", "bad patch");
      deployment.restarted_at =
          (*doc)["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
              .GetString();
      ++deployment.generation;
      return Json(200, deployment.Json());
    }
    if (req.method == "GET" && path == kPodsPath) return Json(200, pods);
    if (req.method == "GET" && path == kOverridePodsPath) return Json(200, override_pods);
    if (req.method == "GET" && path == kNodePath) return Json(200, node);
    return StatusBody(404, "NotFound", "no route " + key);
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    http::Response r;
    r.error = "not supported";
    return r;
  }
  std::vector<std::string> Methods() const {
    std::vector<std::string> out;
    for (const auto& r : requests) out.push_back(r.method);
    return out;
  }

  std::mutex mu;
  std::vector<http::Request> requests;
  std::map<std::string, http::Response> fixed;
  FakeDeployment deployment;
  std::string pods = PodListJson("2026-11-28T06:00:05Z");
  std::string override_pods = R"({"kind":"PodList","apiVersion":"v1","items":[]})";
  std::string node = NodeJson("True", "KubeletReady", false);
};

class KubernetesRestartActionTest : public ::testing::Test {
 protected:
  KubernetesRestartActionTest()
      : kube_(Config(), api_, clock_, [](std::chrono::milliseconds) {}), action_(kube_, "", "") {}
  static kube::Config Config() {
    kube::Config c;
    c.api_url = kBase;
    c.max_attempts = 1;
    return c;
  }
  const Target target_{"nvr", "frigate"};
  FakeKubeApi api_;
  FakeClock clock_{FromUnixSeconds(1'795'000'000)};
  kube::Client kube_;
  KubernetesRestartAction action_;
};

TEST_F(KubernetesRestartActionTest, RestartSendsKubectlsPatchUnderOurFieldManager) {
  WallTime now = clock_.Now();
  auto receipt = action_.Restart(target_, now);
  ASSERT_TRUE(receipt.ok()) << receipt.error();
  ASSERT_EQ(api_.Methods(), (std::vector<std::string>{"GET", "PATCH"}));
  const http::Request& patch = api_.requests[1];
  EXPECT_EQ(patch.url, std::string(kBase) + kDeploymentPath + "?fieldManager=frigate-remediator");
  EXPECT_THAT(patch.headers, ::testing::Contains(std::pair<std::string, std::string>(
                                 "Content-Type", "application/strategic-merge-patch+json")));
  EXPECT_EQ(
      patch.body,
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":")" +
          IntentTimestamp(now) + R"("}}}}})");
  EXPECT_EQ(receipt->action, "kubernetes");
  EXPECT_EQ(receipt->intent_timestamp, IntentTimestamp(now));
  EXPECT_EQ(receipt->requested_at, now);
  EXPECT_THAT(receipt->detail, HasSubstr("generation 4"));
  EXPECT_TRUE(kube::ParseRfc3339(receipt->intent_timestamp).has_value());
}

TEST_F(KubernetesRestartActionTest, PausedDeploymentIsRefusedWithKubectlsMessageAndNoPatch) {
  api_.deployment.paused = true;
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error(), "can't restart paused deployment (run rollout resume first)");
  EXPECT_EQ(api_.Methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(KubernetesRestartActionTest, ForbiddenPatchIsAnErrorNamingTheDeployment) {
  api_.fixed["PATCH " + std::string(kDeploymentPath) + "?fieldManager=frigate-remediator"] =
      StatusBody(403, "Forbidden", "deployments.apps \\\"frigate\\\" is forbidden");
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_FALSE(receipt.ok());
  EXPECT_THAT(receipt.error(), HasSubstr("nvr/frigate"));
  EXPECT_THAT(receipt.error(), HasSubstr("403"));
}

TEST_F(KubernetesRestartActionTest,
       RecoveryFollowsTheRolloutUntilEveryReplicaIsUpdatedAndAvailable) {
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_TRUE(receipt.ok());
  // The controller has not seen the new generation yet.
  auto status = action_.CheckRecovery(target_, *receipt);
  ASSERT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(status->state, RecoveryState::kInProgress);
  // Recreate strategy: old pod gone, new one not available yet.
  api_.deployment.observed_generation = api_.deployment.generation;
  api_.deployment.progressing_reason = "ReplicaSetUpdated";
  api_.deployment.updated = 1;
  api_.deployment.available = 0;
  status = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(status->state, RecoveryState::kInProgress);
  EXPECT_THAT(status->detail, HasSubstr("0 of 1 updated replicas are available"));
  api_.deployment.available = 1;
  api_.deployment.progressing_reason = "NewReplicaSetAvailable";
  status = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(status->state, RecoveryState::kRecovered);
  EXPECT_THAT(status->detail, HasSubstr("successfully rolled out"));
}

TEST_F(KubernetesRestartActionTest,
       RecoveryFailsOnProgressDeadlineUndoneRestartOrMissingDeployment) {
  auto receipt = action_.Restart(target_, clock_.Now());
  ASSERT_TRUE(receipt.ok());
  api_.deployment.observed_generation = api_.deployment.generation;
  api_.deployment.progressing_reason = "ProgressDeadlineExceeded";
  api_.deployment.available = 0;
  EXPECT_EQ(action_.CheckRecovery(target_, *receipt)->state, RecoveryState::kFailed);

  api_.deployment.progressing_reason = "NewReplicaSetAvailable";
  api_.deployment.available = 1;
  api_.deployment.restarted_at = "";  // someone applied the old manifest over ours
  auto undone = action_.CheckRecovery(target_, *receipt);
  EXPECT_EQ(undone->state, RecoveryState::kFailed);
  EXPECT_THAT(undone->detail, HasSubstr("undone"));

  // A later kubectl rollout restart carries ours along.
  api_.deployment.restarted_at = IntentTimestamp(clock_.Now() + std::chrono::minutes(1));
  EXPECT_EQ(action_.CheckRecovery(target_, *receipt)->state, RecoveryState::kRecovered);

  api_.fixed["GET " + std::string(kDeploymentPath)] = StatusBody(404, "NotFound", "gone");
  EXPECT_EQ(action_.CheckRecovery(target_, *receipt)->state, RecoveryState::kFailed);
}

TEST_F(KubernetesRestartActionTest, FactsComeFromTheFrigateContainerItsNodeAndTheDeployment) {
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok()) << facts.error();
  EXPECT_TRUE(facts->kubernetes);
  EXPECT_EQ(facts->pod_name, "frigate-7d9f-abcde");
  EXPECT_EQ(facts->node_name, "node-a");
  ASSERT_TRUE(facts->frigate_started_at.has_value()) << facts->frigate_started_at_error;
  EXPECT_EQ(*facts->frigate_started_at,
            *kube::ParseRfc3339("2026-11-28T06:00:05Z"));  // not the sidecar's
  EXPECT_EQ(facts->frigate_started_at_source, "container frigate");
  EXPECT_EQ(facts->container_name, "frigate");
  EXPECT_EQ(facts->container_restarts, 2);
  EXPECT_EQ(facts->pod_selector,
            "app.kubernetes.io/instance=frigate,app.kubernetes.io/name=frigate");
  EXPECT_EQ(facts->node_ready, "True");
  EXPECT_EQ(facts->node_ready_reason, "KubeletReady");
  EXPECT_FALSE(facts->node_unschedulable);
  EXPECT_EQ(facts->deployment_paused, false);
  EXPECT_EQ(facts->rollout_in_progress, false);
  EXPECT_EQ(facts->node_error, "");
  EXPECT_EQ(facts->deployment_error, "");
}

TEST_F(KubernetesRestartActionTest, FactsShowANotReadyCordonedNodeAndARolloutUnderWay) {
  api_.node = NodeJson("Unknown", "NodeStatusUnknown", true);
  api_.deployment.generation = 5;
  api_.deployment.observed_generation = 4;
  api_.deployment.paused = false;
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->node_ready, "Unknown");
  EXPECT_EQ(facts->node_ready_reason, "NodeStatusUnknown");
  EXPECT_TRUE(facts->node_unschedulable);
  EXPECT_EQ(facts->rollout_in_progress, true);
}

TEST_F(KubernetesRestartActionTest, MissingFactsAreAbsentWithTheReason) {
  api_.pods = PodListJson("");  // frigate container waiting in CrashLoopBackOff
  api_.fixed["GET " + std::string(kNodePath)] = StatusBody(403, "Forbidden", "nodes is forbidden");
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_THAT(facts->frigate_started_at_error, HasSubstr("not running (CrashLoopBackOff)"));
  EXPECT_EQ(facts->container_reason, "CrashLoopBackOff");
  EXPECT_EQ(facts->container_state, "waiting");
  EXPECT_FALSE(facts->node_ready.has_value());
  EXPECT_THAT(facts->node_error, HasSubstr("403"));
}

// Issue 9 item 2: without the deployment there is no selector, hence no pod (fail closed).
TEST_F(KubernetesRestartActionTest, AnUnreadableDeploymentLeavesPodAndDeploymentFactsAbsent) {
  api_.fixed["GET " + std::string(kDeploymentPath)] = StatusBody(404, "NotFound", "not found");
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->deployment_paused.has_value());
  EXPECT_FALSE(facts->rollout_in_progress.has_value());
  EXPECT_THAT(facts->deployment_error, HasSubstr("not found"));
  EXPECT_THAT(facts->pod_error, HasSubstr("without deployment nvr/frigate's spec.selector"));
  EXPECT_EQ(facts->pod_name, "");
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_FALSE(facts->node_error.empty());
}

// POD_LABEL_SELECTOR stays as an override of the deployment's selector.
TEST_F(KubernetesRestartActionTest, ASelectorOverrideIsUsedInsteadOfTheDeployments) {
  KubernetesRestartAction overridden(kube_, "app=frigate", "");
  auto facts = overridden.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->pod_selector, "app=frigate");
  EXPECT_THAT(facts->pod_error, HasSubstr("no pod in nvr matches \"app=frigate\""));
}

// Issue 9 item 1: Frigate's container by name, failing closed when it is not there.
TEST_F(KubernetesRestartActionTest, AMissingFrigateContainerIsNamedWithThoseThatExist) {
  KubernetesRestartAction named(kube_, "", "nvr");
  auto facts = named.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_FALSE(facts->frigate_started_at.has_value());
  EXPECT_EQ(facts->container_name, "");
  EXPECT_THAT(facts->frigate_started_at_error,
              HasSubstr("has no container \"nvr\" (it has: sidecar, frigate; set "
                        "FRIGATE_CONTAINER)"));
  KubernetesRestartAction sidecar(kube_, "", "sidecar");
  facts = sidecar.GatherFacts(target_);
  EXPECT_EQ(facts->container_name, "sidecar");
  EXPECT_EQ(*facts->frigate_started_at, *kube::ParseRfc3339("2026-11-28T05:00:00Z"));
}

TEST_F(KubernetesRestartActionTest, NoMatchingPodLeavesPodFactsAbsent) {
  api_.pods = R"({"kind":"PodList","apiVersion":"v1","items":[]})";
  auto facts = action_.GatherFacts(target_);
  ASSERT_TRUE(facts.ok());
  EXPECT_THAT(facts->frigate_started_at_error,
              HasSubstr("no pod in nvr matches \"app.kubernetes.io/instance=frigate,"
                        "app.kubernetes.io/name=frigate\""));
  EXPECT_EQ(facts->pod_error, facts->frigate_started_at_error);
  EXPECT_FALSE(facts->node_ready.has_value());
  EXPECT_FALSE(facts->node_error.empty());
  EXPECT_EQ(facts->deployment_paused, false);
}

TEST_F(KubernetesRestartActionTest, RestartHappenedComparesTheDeploymentsRestartedAt) {
  std::string intent = IntentTimestamp(clock_.Now());
  auto before = action_.RestartHappened(target_, intent);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(*before);
  ASSERT_TRUE(action_.Restart(target_, clock_.Now()).ok());
  EXPECT_TRUE(*action_.RestartHappened(target_, intent));
  EXPECT_FALSE(
      *action_.RestartHappened(target_, IntentTimestamp(clock_.Now() - std::chrono::hours(1))));
  api_.fixed["GET " + std::string(kDeploymentPath)] = StatusBody(500, "InternalError", "etcd down");
  EXPECT_FALSE(action_.RestartHappened(target_, intent).ok());
}

}  // namespace
}  // namespace fhc::remediator
