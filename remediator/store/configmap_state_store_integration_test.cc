// ConfigMapStateStore over the real HTTP client against the Kubernetes API double
// (tests/doubles/kube_api_double.py), which enforces resourceVersion on PUT and can inject
// conflicts and RBAC refusals.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remediator/store/configmap_state_store.h"
#include "tests/support/double_process.h"

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;
using testing_util::DoubleProcess;
using testing_util::DoubleScript;

Result<std::string> Increment(const StoredState& s) {
  long n = s.state_json.empty() ? 0 : std::stol(s.state_json);
  return std::to_string(n + 1);
}

class ConfigMapStoreWithKubeDouble : public ::testing::Test {
 protected:
  ConfigMapStoreWithKubeDouble()
      : double_(DoubleScript("kube_api_double.py"), {}, {"kube-api-double listening on"}),
        url_(double_.UrlIn("kube-api-double listening on")),
        kube_(Config(url_), http_, SystemClock::Instance()) {}
  static kube::Config Config(const std::string& url) {
    kube::Config c;
    c.api_url = url;
    c.timeout = std::chrono::seconds(5);
    return c;
  }
  int Control(const std::string& path, const std::string& body) {
    http::Request r;
    r.method = "POST";
    r.url = url_ + path;
    r.body = body;
    r.headers.emplace_back("Content-Type", "application/json");
    return http_.Send(r).status;
  }

  DoubleProcess double_;
  std::string url_;
  http::CurlClient http_;
  kube::Client kube_;
};

TEST_F(ConfigMapStoreWithKubeDouble, CreatesThenUpdatesConditionallyAcrossConcurrentWriters) {
  ASSERT_FALSE(url_.empty()) << "kube API double did not start";
  ConfigMapStateStore first(kube_, "nvr", "frigate-health-state");
  ASSERT_TRUE(first.Check().ok());
  EXPECT_EQ(first.Read()->state_json, "");

  // Four writers, each with its own client, as separate remediator replicas would be.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      http::CurlClient http;
      kube::Client kube(Config(url_), http, SystemClock::Instance());
      ConfigMapStateStore::Options options;
      options.max_attempts = 100;
      ConfigMapStateStore store(kube, "nvr", "frigate-health-state", options);
      for (int i = 0; i < 10; ++i) {
        auto r = store.Update(Increment);
        if (!r.ok()) {
          ++failures;
          ADD_FAILURE() << r.error();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(first.Read()->state_json, "40");
}

TEST_F(ConfigMapStoreWithKubeDouble, InjectedConflictsAreRetriedWithinTheBound) {
  ASSERT_FALSE(url_.empty());
  ConfigMapStateStore::Options options;
  options.max_attempts = 3;
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state", options);
  ASSERT_TRUE(store.Update(Increment).ok());
  ASSERT_EQ(Control("/_double/configmap-conflicts", R"({"count":2})"), 200);
  auto stored = store.Update(Increment);
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(*stored, "2");

  ASSERT_EQ(Control("/_double/configmap-conflicts", R"({"count":5})"), 200);
  auto failed = store.Update(Increment);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error(), HasSubstr("3 attempts"));
  EXPECT_EQ(store.Read()->state_json, "2");
}

TEST_F(ConfigMapStoreWithKubeDouble, CronJobKeysAreHandedOver) {
  ASSERT_FALSE(url_.empty());
  kube::ConfigMap old;
  old.name = "frigate-health-state";
  old.namespace_ = "nvr";
  old.data = {{"consecutive_failures", "1"},
              {"last_restart_times", "1700000000"},
              {"alert_sent_for_incident", "false"},
              {"last_alert_time", "0"}};
  ASSERT_TRUE(kube_.CreateConfigMap(old).ok());
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto state = store.Read();
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->legacy.at("last_restart_times"), "1700000000");
  ASSERT_TRUE(store
                  .Update([](const StoredState& s) -> Result<std::string> {
                    return "{\"failures\":" + s.legacy.at("consecutive_failures") + "}";
                  })
                  .ok());
  EXPECT_EQ(store.Read()->state_json, "{\"failures\":1}");
  EXPECT_TRUE(store.Read()->legacy.empty());
}

TEST_F(ConfigMapStoreWithKubeDouble, MissingUpdatePermissionIsAClearError) {
  ASSERT_FALSE(url_.empty());
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  ASSERT_TRUE(store.Update(Increment).ok());
  ASSERT_EQ(Control("/_double/forbid", R"({"verb":"update","resource":"configmaps"})"), 200);
  auto r = store.Update(Increment);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("403"));
  EXPECT_THAT(r.error(), HasSubstr("cannot update"));  // the API server's RBAC wording
}

}  // namespace
}  // namespace fhc::remediator
