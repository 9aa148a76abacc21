#include "common/kube/kube_client.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>

#include "common/clock/fake_clock.h"
#include "common/kube/object_json.h"
#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

// Answers from a script, in order (then the last answer again; 200 {} before any), and records
// every request.
class FakeHttp final : public http::Client {
 public:
  void Then(int status, std::string body = "{}", std::map<std::string, std::string> headers = {}) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script_.push_back(std::move(r));
  }
  void ThenNoAnswer(std::string error) {
    http::Response r;
    r.error = std::move(error);
    script_.push_back(std::move(r));
  }
  http::Response Send(const http::Request& request) override {
    requests.push_back(request);
    if (!script_.empty()) {
      last_ = script_.front();
      script_.pop_front();
    }
    return last_;
  }
  http::Response Stream(const http::Request& request, const http::ChunkHandler& on_chunk,
                        const std::atomic<bool>*, std::chrono::milliseconds idle) override {
    stream_idle = idle;
    http::Response r = Send(request);
    if (r.status == 200) {
      for (const auto& chunk : chunks) {
        if (!on_chunk(chunk)) break;
      }
    }
    r.body.clear();
    return r;
  }
  std::string Header(std::size_t i, const std::string& name) const {
    for (const auto& [k, v] : requests.at(i).headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::vector<http::Request> requests;
  std::vector<std::string> chunks;
  std::chrono::milliseconds stream_idle{0};

 private:
  std::deque<http::Response> script_;
  http::Response last_{200, "{}", {}, ""};
};

std::string StatusBody(int code, std::string_view reason, std::string_view message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
         std::string(message) + R"(","reason":")" + std::string(reason) + R"(","code":)" +
         std::to_string(code) + "}";
}

constexpr std::string_view kDeploymentBody =
    R"({"kind":"Deployment","metadata":{"name":"frigate","namespace":"nvr","generation":3},
        "spec":{"replicas":1},"status":{"observedGeneration":3,"replicas":1,"updatedReplicas":1,
        "availableReplicas":1}})";

class KubeClientTest : public ::testing::Test {
 protected:
  KubeClientTest() {
    token_path_ = std::filesystem::temp_directory_path() /
                  ("kube_client_test_token_" + std::to_string(::getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    WriteToken("token-one\n");
    config_.api_url = "https://10.96.0.1:443/";
    config_.token_file = token_path_.string();
    config_.ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
    config_.max_attempts = 4;
    config_.initial_backoff = std::chrono::milliseconds(100);
    config_.max_backoff = std::chrono::milliseconds(1000);
  }
  ~KubeClientTest() override { std::filesystem::remove(token_path_); }

  void WriteToken(const std::string& text) { std::ofstream(token_path_) << text; }
  Client MakeClient() {
    return Client(config_, http_, clock_,
                  [this](std::chrono::milliseconds d) { sleeps_.push_back(d.count()); });
  }

  std::filesystem::path token_path_;
  Config config_;
  FakeHttp http_;
  FakeClock clock_;
  std::vector<long> sleeps_;
};

TEST_F(KubeClientTest, ListPodsSendsEncodedSelectorTokenCaAndOrdersPods) {
  http_.Then(200, R"({"kind":"PodList","items":[
    {"metadata":{"name":"old"},"status":{"phase":"Running","startTime":"2024-01-01T00:00:00Z"}},
    {"metadata":{"name":"new"},"status":{"phase":"Running","startTime":"2024-02-01T00:00:00Z"}}]})");
  Client client = MakeClient();
  auto pods = client.ListPods("nvr", "app=frigate,tier!=db");
  ASSERT_TRUE(pods.ok()) << pods.error();
  ASSERT_EQ(http_.requests.size(), 1u);
  const auto& r = http_.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url,
            "https://10.96.0.1:443/api/v1/namespaces/nvr/"
            "pods?labelSelector=app%3Dfrigate%2Ctier%21%3Ddb");
  EXPECT_EQ(r.bearer_token, "token-one");
  EXPECT_EQ(r.ca_file, config_.ca_file);
  EXPECT_FALSE(r.insecure_skip_verify);
  EXPECT_EQ(http_.Header(0, "Accept"), "application/json");
  EXPECT_EQ((*pods)[0].name, "new");
}

TEST_F(KubeClientTest, ListPodsErrorCarriesTheStatusMessage) {
  http_.Then(403, StatusBody(403, "Forbidden",
                             "pods is forbidden: User \\\"system:serviceaccount:nvr:fhc\\\" cannot "
                             "list resource \\\"pods\\\" in API group \\\"\\\" in the namespace "
                             "\\\"nvr\\\""));
  auto pods = MakeClient().ListPods("nvr", "app=frigate");
  ASSERT_FALSE(pods.ok());
  EXPECT_NE(pods.error().find("cannot list resource"), std::string::npos) << pods.error();
  EXPECT_EQ(http_.requests.size(), 1u);  // 4xx is not retried
}

TEST_F(KubeClientTest, TransportErrorsAnd5xxAreRetriedWithDoublingBackoff) {
  http_.ThenNoAnswer("connect failed");
  http_.Then(503, StatusBody(503, "ServiceUnavailable", "etcd leader changed"));
  http_.Then(500, StatusBody(500, "InternalError", "boom"));
  http_.Then(200, std::string(kDeploymentBody));
  auto d = MakeClient().GetDeployment("nvr", "frigate");
  ASSERT_TRUE(d.ok()) << d.status.message;
  EXPECT_EQ(http_.requests.size(), 4u);
  EXPECT_EQ(sleeps_, (std::vector<long>{100, 200, 400}));
}

TEST_F(KubeClientTest, AttemptsAreBoundedAndTheLastErrorIsReturned) {
  http_.Then(500, StatusBody(500, "InternalError", "still broken"));
  config_.max_attempts = 3;
  auto d = MakeClient().GetDeployment("nvr", "frigate");
  EXPECT_EQ(d.error(), ApiError::kServer);
  EXPECT_EQ(d.status.message, "still broken");
  EXPECT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(KubeClientTest, BackoffIsCappedAndRetryAfterHonoured) {
  config_.max_attempts = 6;
  http_.Then(429, StatusBody(429, "TooManyRequests", "slow down"), {{"retry-after", "1"}});
  auto d = MakeClient().GetNode("node-1");
  EXPECT_EQ(d.error(), ApiError::kThrottled);
  EXPECT_EQ(http_.requests.size(), 6u);
  // Retry-After 1 s lifts the first ones to 1000 ms; the cap keeps every one at 1000 ms.
  EXPECT_EQ(sleeps_, (std::vector<long>{1000, 1000, 1000, 1000, 1000}));
}

TEST_F(KubeClientTest, ClientErrorsAreNotRetried) {
  for (int code : {400, 403, 404, 409, 422}) {
    http_.requests.clear();
    FakeHttp fresh;
    fresh.Then(code, StatusBody(code, "X", "no"));
    Client client(config_, fresh, clock_, [this](auto d) { sleeps_.push_back(d.count()); });
    client.GetNode("node-1");
    EXPECT_EQ(fresh.requests.size(), 1u) << code;
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(KubeClientTest, PostIsRetriedOnlyWhenNoAnswerCame) {
  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  http_.Then(500, StatusBody(500, "InternalError", "maybe applied"));
  auto created = MakeClient().CreateConfigMap(cm);
  EXPECT_EQ(created.error(), ApiError::kServer);
  EXPECT_EQ(http_.requests.size(), 1u);

  FakeHttp flaky;
  flaky.ThenNoAnswer("connection refused");
  flaky.Then(201, R"({"kind":"ConfigMap","metadata":{"name":"state","resourceVersion":"5"}})");
  Client client(config_, flaky, clock_, [](auto) {});
  auto again = client.CreateConfigMap(cm);
  ASSERT_TRUE(again.ok()) << again.status.message;
  EXPECT_EQ(flaky.requests.size(), 2u);
  EXPECT_EQ(again->resource_version, "5");
}

TEST_F(KubeClientTest, TokenIsCachedForAMinuteThenReRead) {
  Client client = MakeClient();
  client.GetNode("node-1");
  WriteToken("token-two");
  clock_.Advance(std::chrono::seconds(59));
  client.GetNode("node-1");
  clock_.Advance(std::chrono::seconds(1));
  client.GetNode("node-1");
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(http_.requests[0].bearer_token, "token-one");
  EXPECT_EQ(http_.requests[1].bearer_token, "token-one");
  EXPECT_EQ(http_.requests[2].bearer_token, "token-two");
}

TEST_F(KubeClientTest, A401ReReadsTheTokenAtOnceAndRetriesOnce) {
  Client client = MakeClient();
  client.GetNode("node-1");  // caches token-one
  WriteToken("token-rotated");
  http_.Then(401, StatusBody(401, "Unauthorized", "Unauthorized"));
  http_.Then(200, R"({"kind":"Node","metadata":{"name":"node-1"}})");
  auto node = client.GetNode("node-1");
  ASSERT_TRUE(node.ok()) << node.status.message;
  ASSERT_EQ(http_.requests.size(), 3u);
  EXPECT_EQ(http_.requests[1].bearer_token, "token-one");
  EXPECT_EQ(http_.requests[2].bearer_token, "token-rotated");
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(KubeClientTest, A401ThatPersistsIsReportedAfterOneRetry) {
  http_.Then(401, StatusBody(401, "Unauthorized", "Unauthorized"));
  auto node = MakeClient().GetNode("node-1");
  EXPECT_EQ(node.error(), ApiError::kUnauthorized);
  EXPECT_EQ(http_.requests.size(), 2u);
}

TEST_F(KubeClientTest, GetNodeParsesReadiness) {
  http_.Then(200, R"({"kind":"Node","metadata":{"name":"node-1"},"spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"Ready","status":"Unknown","reason":"NodeStatusUnknown",
    "message":"Kubelet stopped posting node status."}]}})");
  auto node = MakeClient().GetNode("node-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(http_.requests[0].url, "https://10.96.0.1:443/api/v1/nodes/node-1");
  EXPECT_EQ(node->ready, "Unknown");
  EXPECT_TRUE(node->unschedulable);
}

TEST_F(KubeClientTest, GetOfAMissingObjectIsNotFound) {
  http_.Then(404, StatusBody(404, "NotFound", "nodes \\\"node-9\\\" not found"));
  auto node = MakeClient().GetNode("node-9");
  EXPECT_EQ(node.error(), ApiError::kNotFound);
  EXPECT_EQ(node.status.message, "nodes \"node-9\" not found");
}

TEST_F(KubeClientTest, A2xxWithAForeignBodyIsBadResponse) {
  http_.Then(200, "<html>login</html>");
  auto node = MakeClient().GetNode("node-1");
  EXPECT_EQ(node.error(), ApiError::kBadResponse);
}

TEST_F(KubeClientTest, RestartSendsKubectlsPatchToTheDeployment) {
  http_.Then(200, std::string(kDeploymentBody));
  http_.Then(200, std::string(kDeploymentBody));
  WallTime now = FromUnixSeconds(1'700'000'000);
  auto d = MakeClient().RestartDeployment("nvr", "frigate", now, "frigate-remediator");
  ASSERT_TRUE(d.ok()) << d.status.message;
  ASSERT_EQ(http_.requests.size(), 2u);
  EXPECT_EQ(http_.requests[0].method, "GET");
  EXPECT_EQ(http_.requests[0].url,
            "https://10.96.0.1:443/apis/apps/v1/namespaces/nvr/deployments/frigate");
  const auto& patch = http_.requests[1];
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.url,
            "https://10.96.0.1:443/apis/apps/v1/namespaces/nvr/deployments/"
            "frigate?fieldManager=frigate-remediator");
  EXPECT_EQ(http_.Header(1, "Content-Type"), "application/strategic-merge-patch+json");
  EXPECT_EQ(patch.body, RestartPatchBody(FormatRfc3339Local(now)));
  auto doc = detail::ParseObject(patch.body);
  ASSERT_TRUE(doc.ok());
  std::string stamp = detail::StringAt(
      *doc, {"spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"});
  ASSERT_EQ(ParseRfc3339(stamp), now) << stamp;
  EXPECT_EQ(patch.bearer_token, "token-one");
}

TEST_F(KubeClientTest, RestartRefusesAPausedDeploymentWithKubectlsMessage) {
  http_.Then(200, R"({"kind":"Deployment","metadata":{"name":"frigate"},"spec":{"paused":true}})");
  auto d = MakeClient().RestartDeployment("nvr", "frigate", clock_.Now(), "frigate-remediator");
  EXPECT_EQ(d.error(), ApiError::kPaused);
  EXPECT_EQ(d.status.message, "can't restart paused deployment (run rollout resume first)");
  EXPECT_EQ(http_.requests.size(), 1u);  // no PATCH
}

TEST_F(KubeClientTest, RestartOfAMissingDeploymentIsNotFoundWithoutPatch) {
  http_.Then(404, StatusBody(404, "NotFound", "deployments.apps \\\"frigate\\\" not found"));
  auto d = MakeClient().RestartDeployment("nvr", "frigate", clock_.Now(), "m");
  EXPECT_EQ(d.error(), ApiError::kNotFound);
  EXPECT_EQ(http_.requests.size(), 1u);
}

TEST_F(KubeClientTest, ConfigMapGetCreateReplaceUseTheirVerbsAndKinds) {
  http_.Then(404, StatusBody(404, "NotFound", "configmaps \\\"state\\\" not found"));
  Client client = MakeClient();
  auto missing = client.GetConfigMap("nvr", "state");
  EXPECT_EQ(missing.error(), ApiError::kNotFound);
  EXPECT_EQ(http_.requests[0].url, "https://10.96.0.1:443/api/v1/namespaces/nvr/configmaps/state");

  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  cm.resource_version = "ignored-on-create";
  cm.data["k"] = "v";
  http_.Then(409, StatusBody(409, "AlreadyExists", "configmaps \\\"state\\\" already exists"));
  auto created = client.CreateConfigMap(cm);
  EXPECT_EQ(created.error(), ApiError::kAlreadyExists);
  const auto& post = http_.requests[1];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.url, "https://10.96.0.1:443/api/v1/namespaces/nvr/configmaps");
  EXPECT_EQ(http_.Header(1, "Content-Type"), "application/json");
  EXPECT_EQ(post.body.find("resourceVersion"), std::string::npos);

  cm.resource_version = "41";
  http_.Then(409, StatusBody(409, "Conflict", "the object has been modified"));
  auto replaced = client.ReplaceConfigMap(cm);
  EXPECT_EQ(replaced.error(), ApiError::kConflict);
  const auto& put = http_.requests[2];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.url, "https://10.96.0.1:443/api/v1/namespaces/nvr/configmaps/state");
  auto body = ParseConfigMap(put.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->resource_version, "41");
  EXPECT_EQ(body->data.at("k"), "v");
  EXPECT_EQ(http_.requests.size(), 3u);  // 409s are not retried
}

TEST_F(KubeClientTest, ReplaceWithoutResourceVersionIsRefusedLocally) {
  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  auto r = MakeClient().ReplaceConfigMap(cm);
  EXPECT_EQ(r.error(), ApiError::kInvalid);
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(KubeClientTest, FollowLogAsksForAFollowedStreamAndDeliversChunks) {
  http_.Then(200, "");
  http_.chunks = {"line one\n", "line two\n", "line three\n"};
  std::vector<std::string> got;
  auto r = MakeClient().FollowLog(
      "nvr", "frigate-abc", "frigate", 300,
      [&](std::string_view c) {
        got.emplace_back(c);
        return got.size() < 2;
      },
      nullptr);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(http_.requests[0].url,
            "https://10.96.0.1:443/api/v1/namespaces/nvr/pods/frigate-abc/"
            "log?follow=true&container=frigate&sinceSeconds=300");
  EXPECT_EQ(got, (std::vector<std::string>{"line one\n", "line two\n"}));
  EXPECT_EQ(http_.stream_idle, config_.log_idle_timeout);
}

TEST_F(KubeClientTest, NamesAreEncodedInPaths) {
  MakeClient().GetConfigMap("nvr", "a/b");
  EXPECT_EQ(http_.requests[0].url, "https://10.96.0.1:443/api/v1/namespaces/nvr/configmaps/a%2Fb");
}

TEST_F(KubeClientTest, NoTokenFileMeansNoBearer) {
  config_.token_file.clear();
  config_.insecure_skip_verify = true;
  MakeClient().GetNode("n");
  EXPECT_EQ(http_.requests[0].bearer_token, "");
  EXPECT_TRUE(http_.requests[0].insecure_skip_verify);
}

TEST(StatusMessage, StatusBodyGivesItsMessageOtherwiseTheBody) {
  http::Response r;
  r.body = StatusBody(404, "NotFound", "pods \\\"x\\\" not found");
  EXPECT_EQ(StatusMessage(r), "pods \"x\" not found");
  r.body = "plain text";
  EXPECT_EQ(StatusMessage(r), "plain text");
}

}  // namespace
}  // namespace fhc::kube
