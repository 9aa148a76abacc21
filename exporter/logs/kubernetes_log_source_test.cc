#include "exporter/logs/kubernetes_log_source.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "common/clock/fake_clock.h"

namespace fhc::exporter {
namespace {

using namespace std::chrono_literals;

kube::PodInfo Pod(const std::string& name, const std::string& phase = "Running") {
  kube::PodInfo p;
  p.name = name;
  p.phase = phase;
  return p;
}

struct Follow {
  std::string pod;
  long since;
  std::string container;
};

// Scripted API: each ListPods/FollowLog call takes the next step of its script.
class FakeApi : public PodLogApi {
 public:
  std::deque<Result<std::vector<kube::PodInfo>>> pod_lists;
  std::deque<std::pair<std::vector<std::string>, int>> streams;  // chunks, final status
  std::vector<Follow> follows;
  std::function<void()> during_stream = [] {};

  Result<std::vector<kube::PodInfo>> ListPods(const std::string& ns,
                                              const std::string& selector) override {
    EXPECT_EQ(ns, "nvr");
    EXPECT_EQ(selector, "app.kubernetes.io/name=frigate");
    if (pod_lists.empty()) return std::vector<kube::PodInfo>{};
    auto r = pod_lists.front();
    pod_lists.pop_front();
    return r;
  }
  http::Response FollowLog(const std::string&, const std::string& pod, const std::string& container,
                           long since, const http::ChunkHandler& on_chunk,
                           const std::atomic<bool>*) override {
    follows.push_back({pod, since, container});
    http::Response r;
    if (streams.empty()) {
      r.error = "connection refused";
      return r;
    }
    auto [chunks, status] = streams.front();
    streams.pop_front();
    for (const auto& c : chunks) on_chunk(c);
    during_stream();
    r.status = status;
    if (status == 0) r.error = "stream broke";
    return r;
  }
};

struct Harness {
  FakeClock clock;
  FakeApi api;
  std::atomic<bool> stop{false};
  std::vector<std::string> lines;
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<bool> up_at_sleep;
  std::size_t sleeps_before_stop = 1;
  std::unique_ptr<KubernetesLogSource> source;
  std::string container;               // FRIGATE_CONTAINER
  std::string deployment = "frigate";  // DEPLOYMENT_NAME
  void Make() {
    KubernetesLogSource::Options o;
    o.ns = "nvr";
    o.container = container;
    o.deployment = deployment;
    o.selector = "app.kubernetes.io/name=frigate";
    o.backoff_initial = 1s;
    o.backoff_max = 8s;
    source = std::make_unique<KubernetesLogSource>(
        o, api, clock, [this](std::chrono::milliseconds d, const std::atomic<bool>&) {
          sleeps.push_back(d);
          up_at_sleep.push_back(source->up());
          clock.Advance(d);
          if (sleeps.size() >= sleeps_before_stop) stop = true;
        });
  }
  void Run() {
    source->Run([this](std::string_view l) { lines.emplace_back(l); }, stop);
  }
};

TEST(KubernetesLogSource, FollowsTheRunningPodAndJoinsLinesSplitAcrossChunks) {
  Harness h;
  h.api.pod_lists.push_back(std::vector<kube::PodInfo>{Pod("old", "Pending"), Pod("frigate-1")});
  h.api.streams.push_back({{"line o", "ne\nline two\npar", "tial\n"}, 200});
  h.Make();
  h.Run();
  ASSERT_EQ(h.api.follows.size(), 1u);
  EXPECT_EQ(h.api.follows[0].pod, "frigate-1");
  EXPECT_EQ(h.api.follows[0].since, 360) << "first connect covers the window";
  EXPECT_EQ(h.lines, (std::vector<std::string>{"line one", "line two", "partial"}));
}

kube::PodInfo PodWithContainers(const std::string& name, std::vector<std::string> containers) {
  kube::PodInfo p = Pod(name);
  for (auto& c : containers) {
    kube::PodInfo::Container status;
    status.name = std::move(c);
    p.containers.push_back(status);
  }
  return p;
}

// With a sidecar in the pod the API server answers a log request without a container with 400
// "a container name must be specified for pod ..., choose one of: [codeserver frigate]": the
// source always names Frigate's container.
TEST(KubernetesLogSource, FollowsFrigatesContainerNeverTheSidecar) {
  Harness h;
  h.api.pod_lists.push_back(
      std::vector<kube::PodInfo>{PodWithContainers("frigate-1", {"codeserver", "frigate"})});
  h.api.streams.push_back({{"x\n"}, 200});
  h.Make();
  h.Run();
  ASSERT_EQ(h.api.follows.size(), 1u);
  EXPECT_EQ(h.api.follows[0].container, "frigate");
}

TEST(KubernetesLogSource, FollowsTheContainerNamedLikeTheDeploymentOrTheConfiguredOne) {
  Harness named;
  named.deployment = "cams";
  named.api.pod_lists.push_back(
      std::vector<kube::PodInfo>{PodWithContainers("cams-1", {"cams", "codeserver"})});
  named.api.streams.push_back({{"x\n"}, 200});
  named.Make();
  named.Run();
  ASSERT_EQ(named.api.follows.size(), 1u);
  EXPECT_EQ(named.api.follows[0].container, "cams");

  Harness configured;
  configured.container = "nvr";
  configured.api.pod_lists.push_back(
      std::vector<kube::PodInfo>{PodWithContainers("frigate-1", {"frigate", "nvr"})});
  configured.api.streams.push_back({{"x\n"}, 200});
  configured.Make();
  configured.Run();
  ASSERT_EQ(configured.api.follows.size(), 1u);
  EXPECT_EQ(configured.api.follows[0].container, "nvr");
}

TEST(KubernetesLogSource, ReconnectAsksForTheGapPlusAMargin) {
  Harness h;
  h.api.pod_lists = {std::vector<kube::PodInfo>{Pod("frigate-1")},
                     std::vector<kube::PodInfo>{Pod("frigate-1")}};
  h.api.streams.push_back({{"a\n"}, 0});  // broke after some data
  h.api.streams.push_back({{"b\n"}, 200});
  h.api.during_stream = [&] { h.clock.Advance(30s); };  // 30 s pass after the last byte
  h.sleeps_before_stop = 2;
  h.Make();
  h.Run();
  ASSERT_EQ(h.api.follows.size(), 2u);
  // 30 s silent in the stream + 1 s reconnect pause + 10 s margin.
  EXPECT_EQ(h.api.follows[1].since, 41);
  EXPECT_EQ(h.lines, (std::vector<std::string>{"a", "b"}));
}

TEST(KubernetesLogSource, NewPodAfterRestartIsReadFromItsStart) {
  Harness h;
  h.api.pod_lists = {std::vector<kube::PodInfo>{Pod("frigate-1")},
                     std::vector<kube::PodInfo>{Pod("frigate-2")}};
  h.api.streams = {{{"x\n"}, 200}, {{"y\n"}, 200}};
  h.sleeps_before_stop = 2;
  h.Make();
  h.Run();
  ASSERT_EQ(h.api.follows.size(), 2u);
  EXPECT_EQ(h.api.follows[1].pod, "frigate-2");
  EXPECT_EQ(h.api.follows[1].since, 0);
}

TEST(KubernetesLogSource, NoPodOrApiErrorsAreDownWithCappedBackoff) {
  Harness h;
  h.api.pod_lists = {
      Result<std::vector<kube::PodInfo>>::Error("403 forbidden"), std::vector<kube::PodInfo>{},
      std::vector<kube::PodInfo>{Pod("frigate-1", "Pending")},
      std::vector<kube::PodInfo>{Pod("frigate-1")}, std::vector<kube::PodInfo>{Pod("frigate-1")}};
  // Follow of frigate-1 fails (no stream scripted) then works.
  h.sleeps_before_stop = 6;
  h.Make();
  h.api.during_stream = [] {};
  h.Run();
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 8s, 8s}));
  for (bool up : h.up_at_sleep) EXPECT_FALSE(up);
}

TEST(KubernetesLogSource, UpWhileStreaming) {
  Harness h;
  h.api.pod_lists = {std::vector<kube::PodInfo>{Pod("frigate-1")}};
  h.api.streams.push_back({{"a\n"}, 200});
  bool up_inside = false;
  h.api.during_stream = [&] { up_inside = h.source->up(); };
  h.Make();
  h.Run();
  EXPECT_TRUE(up_inside);
  EXPECT_EQ(h.sleeps.front(), 1s) << "short pause before reconnecting";
}

TEST(KubernetesLogSource, QuietLogIsUpOnceTheStreamOpens) {
  Harness h;
  h.api.pod_lists = {std::vector<kube::PodInfo>{Pod("frigate-1")}};
  h.api.streams.push_back({{""}, 200});  // the client signals an open 2xx stream with ""
  bool up_inside = false;
  h.api.during_stream = [&] { up_inside = h.source->up(); };
  h.Make();
  h.Run();
  EXPECT_TRUE(up_inside);
  EXPECT_TRUE(h.lines.empty());
}

// The real adapter over fhc::kube::Client, with the HTTP layer faked: checks the calls on the wire.
class FakeKubeHttp : public http::Client {
 public:
  std::vector<std::string> urls;
  http::Response Send(const http::Request& r) override {
    urls.push_back(r.url);
    http::Response resp;
    resp.status = 200;
    resp.headers["content-type"] = "application/json";
    resp.body = R"({"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"frigate-7",
      "namespace":"nvr"},"spec":{"nodeName":"n1"},"status":{"phase":"Running",
      "conditions":[{"type":"Ready","status":"True"}]}}]})";
    return resp;
  }
  http::Response Stream(const http::Request& r, const http::ChunkHandler& on_chunk,
                        const std::atomic<bool>*, std::chrono::milliseconds) override {
    urls.push_back(r.url);
    on_chunk("2024-05-01 10:00:00.000000000  hello\n");
    http::Response resp;
    resp.status = 200;
    return resp;
  }
};

TEST(KubernetesLogSource, WorksOverTheKubeClient) {
  FakeClock clock;
  FakeKubeHttp http;
  kube::Config config;
  config.api_url = "http://127.0.0.1:1";
  kube::Client client(config, http, clock, [](std::chrono::milliseconds) {});
  KubePodLogApi api(client);
  KubernetesLogSource::Options o;
  o.ns = "nvr";
  o.selector = "app=frigate";
  std::atomic<bool> stop{false};
  KubernetesLogSource source(
      o, api, clock, [&](std::chrono::milliseconds, const std::atomic<bool>&) { stop = true; });
  std::vector<std::string> lines;
  source.Run([&](std::string_view l) { lines.emplace_back(l); }, stop);
  ASSERT_EQ(http.urls.size(), 2u);
  EXPECT_NE(http.urls[0].find("/api/v1/namespaces/nvr/pods?labelSelector=app"), std::string::npos)
      << http.urls[0];
  EXPECT_NE(http.urls[1].find("/api/v1/namespaces/nvr/pods/frigate-7/log?follow=true"),
            std::string::npos)
      << http.urls[1];
  EXPECT_NE(http.urls[1].find("sinceSeconds=360"), std::string::npos) << http.urls[1];
  EXPECT_EQ(lines, (std::vector<std::string>{"2024-05-01 10:00:00.000000000  hello"}));
}

}  // namespace
}  // namespace fhc::exporter
