// The real client (CurlClient underneath) against tests/doubles/kube_api_double.py over loopback:
// what the unit tests pin with a fake, checked against a server that speaks the API's paths,
// Status bodies, resourceVersion rules, rollout and log streaming.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "common/kube/kube_client.h"
#include "common/kube/object_json.h"
#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

constexpr char kToken[] = "double-token";
// The official Frigate chart's selector (blakeshome-charts charts/frigate 7.8.0), as the double
// serves it.
constexpr char kChartSelector[] =
    "app.kubernetes.io/name=frigate,app.kubernetes.io/instance=frigate";

// Runs the double as a child process; the URL comes from its first stdout line.
class DoubleProcess {
 public:
  explicit DoubleProcess(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "/usr/bin/python3",
        std::string(FHC_SOURCE_DIR) + "/tests/doubles/kube_api_double.py",
        "--port",
        "0",
        "--token",
        kToken,
        "--rollout-seconds",
        "0.6"};
    args.insert(args.end(), extra.begin(), extra.end());
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    std::smatch m;
    if (std::regex_search(line, m, std::regex("listening on (https?://127\\.0\\.0\\.1:\\d+)"))) {
      url_ = m[1];
    }
  }
  ~DoubleProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

class KubeClientAgainstDouble : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kube_double_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "token") << kToken << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Start(std::vector<std::string> extra = {}) {
    double_ = std::make_unique<DoubleProcess>(std::move(extra));
    ASSERT_FALSE(double_->url().empty()) << "the double did not start";
    config_.api_url = double_->url();
    config_.token_file = (dir_ / "token").string();
    config_.initial_backoff = std::chrono::milliseconds(10);
    client_ = std::make_unique<Client>(config_, http_, SystemClock::Instance());
  }

  http::Response Control(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.url = double_->url() + "/_double/" + path;
    r.body = body;
    r.ca_file = config_.ca_file;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return http_.Send(r);
  }

  // The API requests the double saw, as a parsed JSON array.
  rapidjson::Document RequestLog() {
    rapidjson::Document doc;
    doc.Parse(Control("GET", "requests").body.c_str());
    return doc;
  }

  std::filesystem::path dir_;
  Config config_;
  http::CurlClient http_;
  std::unique_ptr<DoubleProcess> double_;
  std::unique_ptr<Client> client_;
};

TEST_F(KubeClientAgainstDouble, RestartPatchesLikeKubectlAndTheRolloutCompletes) {
  Start();
  auto before = client_->ListPods("nvr", kChartSelector);
  ASSERT_TRUE(before.ok()) << before.error();
  ASSERT_EQ(before->size(), 1u);
  Control("POST", "requests/reset", "{}");

  auto patched = client_->RestartDeployment("nvr", "frigate", SystemClock::Instance().Now(),
                                            "frigate-remediator");
  ASSERT_TRUE(patched.ok()) << patched.status.message;
  EXPECT_EQ(patched->generation, 2);
  EXPECT_TRUE(ParseRfc3339(patched->restarted_at).has_value()) << patched->restarted_at;

  auto log = RequestLog();
  ASSERT_TRUE(log.IsArray());
  ASSERT_EQ(log.Size(), 2u);  // GET, then PATCH
  const auto& patch = log[1];
  EXPECT_EQ(detail::StringAt(patch, {"method"}), "PATCH");
  EXPECT_EQ(detail::StringAt(patch, {"path"}), "/apis/apps/v1/namespaces/nvr/deployments/frigate");
  EXPECT_EQ(detail::StringAt(patch, {"query"}), "fieldManager=frigate-remediator");
  EXPECT_EQ(detail::StringAt(patch, {"content_type"}), "application/strategic-merge-patch+json");
  EXPECT_EQ(detail::StringAt(patch, {"authorization"}), std::string("Bearer ") + kToken);

  // Poll like the remediator's rollout watch; the double rolls out in 0.6 s.
  RolloutState state;
  for (int i = 0; i < 100; ++i) {
    auto d = client_->GetDeployment("nvr", "frigate");
    ASSERT_TRUE(d.ok()) << d.status.message;
    state = RolloutStatus(*d);
    if (state.phase == RolloutPhase::kComplete) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state.phase, RolloutPhase::kComplete) << state.message;
  auto after = client_->ListPods("nvr", kChartSelector);
  ASSERT_TRUE(after.ok());
  ASSERT_FALSE(after->empty());
  EXPECT_NE((*after)[0].name, (*before)[0].name);
  EXPECT_TRUE((*after)[0].ready);
  EXPECT_GT((*after)[0].start_time, (*before)[0].start_time);
}

TEST_F(KubeClientAgainstDouble, PausedDeploymentIsRefusedWithoutAPatch) {
  Start();
  Control("POST", "deployment", R"({"spec":{"paused":true}})");
  Control("POST", "requests/reset", "{}");
  auto r = client_->RestartDeployment("nvr", "frigate", SystemClock::Instance().Now(), "m");
  EXPECT_EQ(r.error(), ApiError::kPaused);
  EXPECT_EQ(RequestLog().Size(), 1u);
}

TEST_F(KubeClientAgainstDouble, ConfigMapWritesAreConditional) {
  Start();
  EXPECT_EQ(client_->GetConfigMap("nvr", "state").error(), ApiError::kNotFound);
  ConfigMap cm;
  cm.name = "state";
  cm.namespace_ = "nvr";
  cm.data["state.json"] = R"({"consecutive_failures":1})";
  auto created = client_->CreateConfigMap(cm);
  ASSERT_TRUE(created.ok()) << created.status.message;
  EXPECT_FALSE(created->resource_version.empty());
  EXPECT_EQ(client_->CreateConfigMap(cm).error(), ApiError::kAlreadyExists);

  ConfigMap update = *created;
  update.data["state.json"] = R"({"consecutive_failures":2})";
  auto replaced = client_->ReplaceConfigMap(update);
  ASSERT_TRUE(replaced.ok()) << replaced.status.message;
  EXPECT_NE(replaced->resource_version, created->resource_version);
  // The same write from the old version loses, as a second writer would.
  auto stale = client_->ReplaceConfigMap(update);
  EXPECT_EQ(stale.error(), ApiError::kConflict);
  EXPECT_NE(stale.status.message.find("the object has been modified"), std::string::npos);
  auto reread = client_->GetConfigMap("nvr", "state");
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->data.at("state.json"), R"({"consecutive_failures":2})");
}

TEST_F(KubeClientAgainstDouble, NodeReadinessAndInjected5xxRetries) {
  Start();
  Control("POST", "node", R"({"name":"node-1","ready":"Unknown"})");
  Control("POST", "errors", R"({"pattern":"/nodes/","status":503,"count":2})");
  Control("POST", "requests/reset", "{}");
  auto node = client_->GetNode("node-1");
  ASSERT_TRUE(node.ok()) << node.status.message;
  EXPECT_EQ(node->ready, "Unknown");
  EXPECT_EQ(node->ready_reason, "NodeStatusUnknown");
  EXPECT_EQ(RequestLog().Size(), 3u);
  EXPECT_EQ(client_->GetNode("node-9").error(), ApiError::kNotFound);
}

TEST_F(KubeClientAgainstDouble, WrongTokenIsUnauthorizedAfterOneReRead) {
  Start();
  std::ofstream(dir_ / "token") << "wrong";
  Client client(config_, http_, SystemClock::Instance());
  Control("POST", "requests/reset", "{}");
  auto node = client.GetNode("node-1");
  EXPECT_EQ(node.error(), ApiError::kUnauthorized);
  EXPECT_EQ(node.status.message, "Unauthorized");
  EXPECT_EQ(RequestLog().Size(), 2u);
}

TEST_F(KubeClientAgainstDouble, FollowLogDeliversAppendedLinesUntilCancelled) {
  Start();
  auto pods = client_->ListPods("nvr", kChartSelector);
  ASSERT_TRUE(pods.ok() && !pods->empty());
  std::atomic<bool> cancel{false};
  std::mutex mu;
  std::string received;
  std::thread follower([&] {
    client_->FollowLog(
        "nvr", (*pods)[0].name, "frigate", 0,
        [&](std::string_view chunk) {
          std::lock_guard lock(mu);
          received.append(chunk);
          return true;
        },
        &cancel);
  });
  auto has = [&](const std::string& s) {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard lock(mu);
        if (received.find(s) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    return false;
  };
  EXPECT_TRUE(has("Starting Frigate"));
  Control(
      "POST", "pod-log",
      R"({"lines":["frigate.watchdog INFO    : Detection appears to be stuck. Restarting detection process..."]})");
  EXPECT_TRUE(has("Detection appears to be stuck"));
  cancel = true;
  follower.join();
}

TEST_F(KubeClientAgainstDouble, TlsIsVerifiedAgainstTheConfiguredCa) {
  std::string d = dir_.string();
  std::string cmd = "cd " + d +
                    " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
                    " -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem"
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Start({"--tls-cert", d + "/cert.pem", "--tls-key", d + "/key.pem"});
  ASSERT_EQ(double_->url().rfind("https://", 0), 0u);
  // Without the CA the handshake fails: a transport error, not a silent success.
  EXPECT_EQ(client_->GetNode("node-1").error(), ApiError::kTransport);
  config_.ca_file = d + "/cert.pem";
  Client trusting(config_, http_, SystemClock::Instance());
  auto node = trusting.GetNode("node-1");
  ASSERT_TRUE(node.ok()) << node.status.message;
  auto log = RequestLog();
  ASSERT_GE(log.Size(), 1u);
  EXPECT_EQ(detail::StringAt(log[log.Size() - 1], {"authorization"}),
            std::string("Bearer ") + kToken);
}

}  // namespace
}  // namespace fhc::kube
