#include "remediator/store/configmap_state_store.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock/fake_clock.h"
#include "common/kube/config_map.h"
#include "gtest/gtest.h"

namespace fhc::remediator {
namespace {

constexpr char kBase[] = "http://kube.test";
constexpr char kPath[] = "/api/v1/namespaces/nvr/configmaps/frigate-health-state";
constexpr char kCollection[] = "/api/v1/namespaces/nvr/configmaps";

http::Response StatusResponse(int code, const std::string& reason, const std::string& message) {
  http::Response r;
  r.status = code;
  r.headers["content-type"] = "application/json";
  r.body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
           message + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
  return r;
}

// One ConfigMap behind the API's optimistic concurrency: PUT must carry the current
// resourceVersion, create of an existing name is AlreadyExists. Hooks play a second writer.
class FakeConfigMapApi final : public http::Client {
 public:
  http::Response Send(const http::Request& req) override {
    std::function<void()> hook;
    {
      std::lock_guard lock(mu_);
      requests.push_back(req.method + " " + req.url.substr(std::string(kBase).size()));
      if (req.method == "PUT") hook = std::exchange(before_put, nullptr);
      if (req.method == "POST") hook = std::exchange(before_post, nullptr);
    }
    if (hook) hook();
    std::lock_guard lock(mu_);
    if (refuse_all) return StatusResponse(403, "Forbidden", "configmaps is forbidden");
    const std::string path = req.url.substr(std::string(kBase).size());
    if (req.method == "GET" && path == kPath) {
      if (!stored) return StatusResponse(404, "NotFound", "configmaps not found");
      return Ok(200);
    }
    if (req.method == "POST" && path == kCollection) {
      if (stored) return StatusResponse(409, "AlreadyExists", "already exists");
      auto cm = kube::ParseConfigMap(req.body);
      if (!cm.ok()) return StatusResponse(400, "BadRequest", "bad body");
      stored = *cm;
      stored->resource_version = std::to_string(++version_);
      return Ok(201);
    }
    if (req.method == "PUT" && path == kPath) {
      auto cm = kube::ParseConfigMap(req.body);
      if (!cm.ok()) return StatusResponse(400, "BadRequest", "bad body");
      if (!stored) return StatusResponse(404, "NotFound", "configmaps not found");
      if (cm->resource_version != stored->resource_version) {
        ++conflicts;
        return StatusResponse(409, "Conflict", "the object has been modified");
      }
      stored = *cm;
      stored->resource_version = std::to_string(++version_);
      ++puts;
      return Ok(200);
    }
    return StatusResponse(404, "NotFound", "no route");
  }
  http::Response Stream(const http::Request&, const http::ChunkHandler&, const std::atomic<bool>*,
                        std::chrono::milliseconds) override {
    http::Response r;
    r.error = "not supported";
    return r;
  }

  // Another writer's change (bumps the resourceVersion).
  void OtherWriterSets(const std::string& key, const std::string& value) {
    std::lock_guard lock(mu_);
    if (!stored) {
      stored = kube::ConfigMap{"frigate-health-state", "nvr", "", {}, {}};
    }
    stored->data[key] = value;
    stored->resource_version = std::to_string(++version_);
  }
  std::optional<kube::ConfigMap> Stored() {
    std::lock_guard lock(mu_);
    return stored;
  }

  std::vector<std::string> requests;
  std::function<void()> before_put, before_post;
  bool refuse_all = false;
  int conflicts = 0, puts = 0;

 private:
  http::Response Ok(int code) {
    http::Response r;
    r.status = code;
    r.headers["content-type"] = "application/json";
    r.body = kube::SerializeConfigMap(*stored);
    return r;
  }
  std::mutex mu_;
  std::optional<kube::ConfigMap> stored;
  int version_ = 100;
};

class ConfigMapStateStoreTest : public ::testing::Test {
 protected:
  ConfigMapStateStoreTest()
      : kube_(ConfigFor(kBase), api_, clock_, [](std::chrono::milliseconds) {}) {}
  static kube::Config ConfigFor(const std::string& url) {
    kube::Config config;
    config.api_url = url;
    return config;
  }
  FakeConfigMapApi api_;
  FakeClock clock_;
  kube::Client kube_;
};

Result<std::string> Increment(const StoredState& s) {
  long n = s.state_json.empty() ? 0 : std::stol(s.state_json);
  return std::to_string(n + 1);
}

TEST_F(ConfigMapStateStoreTest, AbsentConfigMapReadsEmptyAndFirstUpdateCreatesIt) {
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  ASSERT_TRUE(store.Check().ok());
  auto empty = store.Read();
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_EQ(empty->state_json, "");

  auto stored = store.Update(Increment);
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(*stored, "1");
  auto cm = api_.Stored();
  ASSERT_TRUE(cm.has_value());
  EXPECT_EQ(cm->data.at("state.json"), "1");
  EXPECT_EQ(cm->labels.at("app.kubernetes.io/managed-by"), "frigate-remediator");
  EXPECT_EQ(api_.requests.back(), std::string("POST ") + kCollection);
  EXPECT_EQ(store.Read()->state_json, "1");
}

TEST_F(ConfigMapStateStoreTest, EveryWriteIsAPutCarryingTheResourceVersionRead) {
  api_.OtherWriterSets("state.json", "41");
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto stored = store.Update(Increment);
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(*stored, "42");
  EXPECT_EQ(api_.Stored()->data.at("state.json"), "42");
  EXPECT_EQ(api_.puts, 1);
  EXPECT_EQ(api_.conflicts, 0);
  ASSERT_EQ(api_.requests.size(), 2u);
  EXPECT_EQ(api_.requests[1], std::string("PUT ") + kPath);
}

TEST_F(ConfigMapStateStoreTest, ConflictRereadsAndReappliesSoNeitherChangeIsLost) {
  api_.OtherWriterSets("state.json", "10");
  // Between our read and our write, another remediator replica stores 11.
  api_.before_put = [&] { api_.OtherWriterSets("state.json", "11"); };
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  std::vector<std::string> seen;
  auto stored = store.Update([&](const StoredState& s) {
    seen.push_back(s.state_json);
    return Increment(s);
  });
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(seen, (std::vector<std::string>{"10", "11"}));
  EXPECT_EQ(*stored, "12");
  EXPECT_EQ(api_.Stored()->data.at("state.json"), "12");
  EXPECT_EQ(api_.conflicts, 1);
}

TEST_F(ConfigMapStateStoreTest, ConflictsThatNeverSettleGiveAnErrorAfterBoundedAttempts) {
  api_.OtherWriterSets("state.json", "0");
  ConfigMapStateStore::Options options;
  options.max_attempts = 3;
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state", options);
  int runs = 0;
  std::function<void()> interfere = [&] {
    api_.OtherWriterSets("state.json", "other");
    api_.before_put = interfere;
  };
  api_.before_put = interfere;
  auto r = store.Update([&](const StoredState& s) {
    ++runs;
    return Increment(s.state_json == "other" ? StoredState{} : s);
  });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("3 attempts"), std::string::npos) << r.error();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(api_.puts, 0);
  EXPECT_EQ(api_.Stored()->data.at("state.json"), "other");
}

TEST_F(ConfigMapStateStoreTest, CreateRaceLostToAnotherWriterAppliesOnTopOfTheirs) {
  api_.before_post = [&] { api_.OtherWriterSets("state.json", "5"); };
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto stored = store.Update(Increment);
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(*stored, "6");
  EXPECT_EQ(api_.Stored()->data.at("state.json"), "6");
}

TEST_F(ConfigMapStateStoreTest, CronJobKeysAreHandedOverUntilStateJsonExists) {
  api_.OtherWriterSets("consecutive_failures", "2");
  api_.OtherWriterSets("last_restart_times", "1700000000,1700001000");
  api_.OtherWriterSets("alert_sent_for_incident", "true");
  api_.OtherWriterSets("last_alert_time", "1700001000");
  api_.OtherWriterSets("unrelated", "x");
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto before = store.Read();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->legacy.size(), 4u);
  EXPECT_EQ(before->legacy.at("last_restart_times"), "1700000000,1700001000");

  std::map<std::string, std::string> handed;
  ASSERT_TRUE(store
                  .Update([&](const StoredState& s) -> Result<std::string> {
                    handed = s.legacy;
                    return std::string("{\"migrated\":true}");
                  })
                  .ok());
  EXPECT_EQ(handed.at("consecutive_failures"), "2");
  EXPECT_EQ(handed.count("unrelated"), 0u);
  auto after = store.Read();
  EXPECT_EQ(after->state_json, "{\"migrated\":true}");
  EXPECT_TRUE(after->legacy.empty());
  EXPECT_EQ(api_.Stored()->data.at("consecutive_failures"), "2");  // kept for a rollback
}

TEST_F(ConfigMapStateStoreTest, ForbiddenIsAnErrorNamingTheConfigMap) {
  api_.refuse_all = true;
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto r = store.Update(Increment);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("nvr/frigate-health-state"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("403"), std::string::npos) << r.error();
  EXPECT_FALSE(store.Check().ok());
  EXPECT_FALSE(store.Read().ok());
}

TEST_F(ConfigMapStateStoreTest, FailedUpdateFunctionWritesNothing) {
  api_.OtherWriterSets("state.json", "{}");
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state");
  auto r = store.Update([](const StoredState&) { return Result<std::string>::Error("bad state"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "bad state");
  for (const auto& req : api_.requests) EXPECT_EQ(req.rfind("GET ", 0), 0u) << req;
}

TEST_F(ConfigMapStateStoreTest, ConcurrentThreadsIncrementingLoseNothing) {
  ConfigMapStateStore::Options options;
  options.max_attempts = 1000;
  ConfigMapStateStore store(kube_, "nvr", "frigate-health-state", options);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!store.Update(Increment).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(api_.Stored()->data.at("state.json"), "200");
}

}  // namespace
}  // namespace fhc::remediator
