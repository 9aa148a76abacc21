#include "common/kube/pod_list.h"

#include <gtest/gtest.h>

#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

// Shaped like `kubectl get pods -l app=frigate -o json` output: one pod being replaced
// (terminating), one new and running.
constexpr std::string_view kPodList = R"({
  "kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "81234"},
  "items": [
    {"metadata": {"name": "frigate-7d9c8b6f5-old12", "namespace": "nvr",
                  "labels": {"app": "frigate", "pod-template-hash": "7d9c8b6f5"},
                  "deletionTimestamp": "2024-05-01T10:05:00Z", "deletionGracePeriodSeconds": 30},
     "spec": {"nodeName": "node-1", "containers": [{"name": "frigate", "image": "ghcr.io/blakeblackshear/frigate:0.14.1"}]},
     "status": {"phase": "Running", "startTime": "2024-05-01T08:00:00Z",
                "conditions": [{"type": "Initialized", "status": "True"},
                               {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
                "containerStatuses": [{"name": "frigate", "ready": false, "restartCount": 2,
                                       "state": {"running": {"startedAt": "2024-05-01T08:00:05Z"}}}]}},
    {"metadata": {"name": "frigate-5f6a7b8c9-new34", "namespace": "nvr"},
     "spec": {"nodeName": "node-2"},
     "status": {"phase": "Running", "startTime": "2024-05-01T10:05:01Z",
                "conditions": [{"type": "PodScheduled", "status": "True"},
                               {"type": "Ready", "status": "True", "lastTransitionTime": "2024-05-01T10:05:40Z"}],
                "containerStatuses": [{"name": "frigate", "ready": true, "restartCount": 0,
                                       "state": {"running": {"startedAt": "2024-05-01T10:05:10.5Z"}}},
                                      {"name": "sidecar", "restartCount": 1,
                                       "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
  ]})";

TEST(ParsePodList, ReadsNodePhaseReadinessAndContainerStarts) {
  auto pods = ParsePodList(kPodList);
  ASSERT_TRUE(pods.ok()) << pods.error();
  ASSERT_EQ(pods->size(), 2u);
  const PodInfo& old_pod = (*pods)[0];
  EXPECT_EQ(old_pod.name, "frigate-7d9c8b6f5-old12");
  EXPECT_EQ(old_pod.namespace_, "nvr");
  EXPECT_EQ(old_pod.node_name, "node-1");
  EXPECT_EQ(old_pod.phase, "Running");
  EXPECT_FALSE(old_pod.ready);
  EXPECT_EQ(old_pod.deletion_timestamp, ParseRfc3339("2024-05-01T10:05:00Z"));
  ASSERT_EQ(old_pod.containers.size(), 1u);
  EXPECT_EQ(old_pod.containers[0].restart_count, 2);

  const PodInfo& new_pod = (*pods)[1];
  EXPECT_TRUE(new_pod.ready);
  EXPECT_FALSE(new_pod.deletion_timestamp.has_value());
  EXPECT_EQ(new_pod.start_time, ParseRfc3339("2024-05-01T10:05:01Z"));
  ASSERT_EQ(new_pod.containers.size(), 2u);
  EXPECT_EQ(new_pod.containers[0].name, "frigate");
  EXPECT_EQ(new_pod.containers[0].started_at, ParseRfc3339("2024-05-01T10:05:10.5Z"));
  EXPECT_EQ(new_pod.containers[1].name, "sidecar");
  EXPECT_FALSE(new_pod.containers[1].started_at.has_value());  // waiting, not running
  EXPECT_EQ(new_pod.containers[1].restart_count, 1);
  EXPECT_TRUE(new_pod.containers[0].ready);
  EXPECT_EQ(new_pod.containers[0].state, "running");
  EXPECT_FALSE(new_pod.containers[1].ready);
  EXPECT_EQ(new_pod.containers[1].state, "waiting");
  EXPECT_EQ(new_pod.containers[1].reason, "CrashLoopBackOff");
}

TEST(ParsePodList, ReadsTheLastTerminationOfARestartedContainer) {
  auto pods = ParsePodList(R"({"kind":"PodList","items":[{"metadata":{"name":"p"},
    "status":{"containerStatuses":[{"name":"frigate","ready":false,"restartCount":4,
      "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 5m0s restarting"}},
      "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}}]})");
  ASSERT_TRUE(pods.ok()) << pods.error();
  const auto& c = (*pods)[0].containers[0];
  EXPECT_EQ(c.reason, "CrashLoopBackOff");
  EXPECT_EQ(c.message, "back-off 5m0s restarting");
  EXPECT_EQ(c.last_termination_reason, "OOMKilled");
  EXPECT_EQ(c.restart_count, 4);
}

TEST(ParsePodList, EmptyListWithOrWithoutItemsIsNoPods) {
  for (std::string_view body : {R"({"kind":"PodList","items":[]})", R"({"kind":"PodList"})",
                                R"({"kind":"PodList","items":null})"}) {
    auto pods = ParsePodList(body);
    ASSERT_TRUE(pods.ok()) << body;
    EXPECT_TRUE(pods->empty());
  }
}

TEST(ParsePodList, ForeignOrBrokenBodiesAreErrorsNotCrashes) {
  EXPECT_FALSE(ParsePodList("").ok());
  EXPECT_FALSE(ParsePodList("[1,2]").ok());
  EXPECT_FALSE(ParsePodList(R"({"kind":"Status","status":"Failure"})").ok());
  EXPECT_FALSE(ParsePodList(R"({"kind":"PodList","items":{}})").ok());
  auto err = ParsePodList(R"({"kind":"PodList","items":[)");
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().find("invalid JSON at offset"), std::string::npos) << err.error();
}

TEST(ParsePodList, MistypedFieldsReadAsAbsent) {
  auto pods = ParsePodList(
      R"({"items":[7, {"metadata":{"name":5},"status":{"startTime":"yesterday",
          "containerStatuses":[{"name":"f","restartCount":"3"}, 9]}}]})");
  ASSERT_TRUE(pods.ok());
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0].name, "");
  EXPECT_FALSE((*pods)[0].start_time.has_value());
  ASSERT_EQ((*pods)[0].containers.size(), 1u);
  EXPECT_EQ((*pods)[0].containers[0].restart_count, 0);
}

TEST(ParsePodList, HostileNestingNeverOverflowsTheStack) {
  std::string unterminated(200000, '[');
  EXPECT_FALSE(ParsePodList(unterminated).ok());
  // Valid but absurd: items holding arrays 100000 deep. Not pods, so none, and no crash.
  std::string deep = R"({"items":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto pods = ParsePodList(deep);
  ASSERT_TRUE(pods.ok());
  EXPECT_TRUE(pods->empty());
}

TEST(OrderPods, RunningBeforeTerminatingThenNewestFirst) {
  auto pods = ParsePodList(kPodList);
  ASSERT_TRUE(pods.ok());
  PodInfo pending;
  pending.name = "frigate-pending";
  pending.phase = "Pending";
  PodInfo older_running = (*pods)[1];
  older_running.name = "frigate-older";
  older_running.start_time = ParseRfc3339("2024-04-01T00:00:00Z");
  pods->push_back(pending);
  pods->push_back(older_running);
  OrderPods(*pods);
  ASSERT_EQ(pods->size(), 4u);
  EXPECT_EQ((*pods)[0].name, "frigate-5f6a7b8c9-new34");
  EXPECT_EQ((*pods)[1].name, "frigate-older");
  // Not live: the terminating one (has a start time) before the pending one (has none).
  EXPECT_EQ((*pods)[2].name, "frigate-7d9c8b6f5-old12");
  EXPECT_EQ((*pods)[3].name, "frigate-pending");
}

}  // namespace
}  // namespace fhc::kube
