#include "common/kube/deployment.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/kube/object_json.h"
#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

// Shaped like `kubectl get deployment frigate -o json` mid-way through a Recreate rollout.
constexpr std::string_view kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "frigate", "namespace": "nvr", "generation": 7, "resourceVersion": "90210",
               "annotations": {"deployment.kubernetes.io/revision": "6"}},
  "spec": {"replicas": 1, "strategy": {"type": "Recreate"},
           "selector": {"matchLabels": {"app": "frigate"}},
           "template": {"metadata": {"labels": {"app": "frigate"},
                                     "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-01T12:05:00+02:00"}},
                        "spec": {"containers": [{"name": "frigate", "image": "ghcr.io/blakeblackshear/frigate:0.14.1"}]}}},
  "status": {"observedGeneration": 7, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 0,
             "availableReplicas": 0, "unavailableReplicas": 1,
             "conditions": [
               {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                "message": "Deployment does not have minimum availability."},
               {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                "message": "ReplicaSet \"frigate-5f6a7b8c9\" is progressing."}]}})";

TEST(ParseDeployment, ReadsGenerationsCountsAnnotationAndConditions) {
  auto d = ParseDeployment(kDeployment);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->name, "frigate");
  EXPECT_EQ(d->namespace_, "nvr");
  EXPECT_EQ(d->generation, 7);
  EXPECT_EQ(d->observed_generation, 7);
  EXPECT_FALSE(d->paused);
  EXPECT_EQ(d->replicas, 1);
  EXPECT_EQ(d->status_replicas, 1);
  EXPECT_EQ(d->updated_replicas, 1);
  EXPECT_EQ(d->available_replicas, 0);
  EXPECT_EQ(d->ready_replicas, 0);
  EXPECT_EQ(d->unavailable_replicas, 1);
  EXPECT_EQ(d->restarted_at, "2024-05-01T12:05:00+02:00");
  ASSERT_EQ(d->conditions.size(), 2u);
  EXPECT_EQ(d->conditions[1].type, "Progressing");
  EXPECT_EQ(d->conditions[1].reason, "ReplicaSetUpdated");
}

TEST(ParseDeployment, AbsentReplicasMeansTheApiDefaultOfOne) {
  auto d =
      ParseDeployment(R"({"kind":"Deployment","metadata":{"name":"f"},"spec":{"paused":true}})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->replicas, 1);
  EXPECT_TRUE(d->paused);
  EXPECT_EQ(d->restarted_at, "");
}

TEST(ParseDeployment, StatusBodyIsAnError) {
  EXPECT_FALSE(ParseDeployment(R"({"kind":"Status","apiVersion":"v1","status":"Failure",
    "message":"deployments.apps \"x\" not found","reason":"NotFound","code":404})")
                   .ok());
}

struct RolloutCase {
  const char* what;
  DeploymentInfo d;
  RolloutPhase phase;
  const char* message_part;
};

DeploymentInfo D(std::int64_t gen, std::int64_t observed, std::int64_t spec, std::int64_t total,
                 std::int64_t updated, std::int64_t available, bool paused = false) {
  DeploymentInfo d;
  d.name = "frigate";
  d.generation = gen;
  d.observed_generation = observed;
  d.replicas = spec;
  d.status_replicas = total;
  d.updated_replicas = updated;
  d.available_replicas = available;
  d.paused = paused;
  return d;
}

DeploymentInfo WithProgressing(DeploymentInfo d, const char* reason) {
  d.conditions.push_back({"Progressing", "True", reason, ""});
  return d;
}

TEST(RolloutStatus, FollowsKubectlRolloutStatusRules) {
  DeploymentInfo deadline = D(3, 3, 1, 1, 0, 0);
  deadline.conditions.push_back({"Progressing", "False", "ProgressDeadlineExceeded", ""});
  const RolloutCase cases[] = {
      {"all updated and available", D(3, 3, 1, 1, 1, 1), RolloutPhase::kComplete,
       "successfully rolled out"},
      {"spec change not yet observed", D(4, 3, 1, 1, 1, 1), RolloutPhase::kProgressing,
       "spec update to be observed"},
      {"new pod not yet created (Recreate)", D(4, 4, 1, 0, 0, 0), RolloutPhase::kProgressing,
       "0 out of 1 new replicas have been updated"},
      {"old pod still terminating", D(4, 4, 1, 2, 1, 0), RolloutPhase::kProgressing,
       "1 old replicas are pending termination"},
      {"new pod not yet available", D(4, 4, 1, 1, 1, 0), RolloutPhase::kProgressing,
       "0 of 1 updated replicas are available"},
      {"paused wins over everything", D(5, 4, 1, 1, 0, 0, true), RolloutPhase::kPaused,
       "is paused"},
      {"deadline exceeded", deadline, RolloutPhase::kFailed, "exceeded its progress deadline"},
      {"scaled to zero is complete", D(2, 2, 0, 0, 0, 0), RolloutPhase::kComplete,
       "successfully rolled out"},
  };
  for (const auto& c : cases) {
    RolloutState s = RolloutStatus(c.d);
    EXPECT_EQ(s.phase, c.phase) << c.what;
    EXPECT_NE(s.message.find(c.message_part), std::string::npos) << c.what << ": " << s.message;
  }
}

// Issue 9 item 5: a readiness probe makes a hung Frigate unavailable; availability alone cannot
// tell that from a rollout, the Progressing condition's reason can.
TEST(RolloutStatus, AnUnreadyPodAfterAFinishedRolloutIsNoRollout) {
  const RolloutCase cases[] = {
      {"hung pod, last rollout finished",
       WithProgressing(D(3, 3, 1, 1, 1, 0), "NewReplicaSetAvailable"), RolloutPhase::kComplete,
       "0 of 1 updated replicas are available (pods not ready, no rollout)"},
      {"new pod of a running rollout not yet available",
       WithProgressing(D(4, 4, 1, 1, 1, 0), "ReplicaSetUpdated"), RolloutPhase::kProgressing,
       "0 of 1 updated replicas are available..."},
      {"reason still NewReplicaSetAvailable but the new spec is not yet observed",
       WithProgressing(D(4, 3, 1, 1, 1, 1), "NewReplicaSetAvailable"), RolloutPhase::kProgressing,
       "spec update to be observed"},
      {"old ReplicaSet still holds a pod",
       WithProgressing(D(4, 4, 1, 2, 1, 1), "NewReplicaSetAvailable"), RolloutPhase::kProgressing,
       "1 old replicas are pending termination"},
      {"new ReplicaSet not yet scaled up",
       WithProgressing(D(4, 4, 1, 1, 0, 1), "NewReplicaSetAvailable"), RolloutPhase::kProgressing,
       "0 out of 1 new replicas have been updated"},
      {"everything available", WithProgressing(D(3, 3, 1, 1, 1, 1), "NewReplicaSetAvailable"),
       RolloutPhase::kComplete, "successfully rolled out"},
  };
  for (const auto& c : cases) {
    RolloutState s = RolloutStatus(c.d);
    EXPECT_EQ(s.phase, c.phase) << c.what;
    EXPECT_NE(s.message.find(c.message_part), std::string::npos) << c.what << ": " << s.message;
  }
}

TEST(ParseDeployment, TheOfficialChartsSelectorBecomesALabelSelector) {
  // blakeshome-charts charts/frigate (frigate-7.8.0) templates/deployment.yaml: matchLabels
  // app.kubernetes.io/name and app.kubernetes.io/instance.
  auto d = ParseDeployment(R"({"kind":"Deployment","metadata":{"name":"nvr-frigate"},
    "spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":"frigate",
                                       "app.kubernetes.io/instance":"nvr"}},
            "template":{"spec":{"containers":[{"name":"frigate"},{"name":"codeserver"}]}}}})");
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->pod_selector, "app.kubernetes.io/instance=nvr,app.kubernetes.io/name=frigate");
  EXPECT_EQ(d->selector_error, "");
  EXPECT_EQ(d->containers, (std::vector<std::string>{"frigate", "codeserver"}));
}

TEST(ParseDeployment, MatchExpressionsUseTheSetBasedSyntax) {
  auto d = ParseDeployment(R"({"kind":"Deployment","metadata":{"name":"f"},
    "spec":{"selector":{"matchLabels":{"app":"frigate"},"matchExpressions":[
      {"key":"tier","operator":"In","values":["nvr","cctv"]},
      {"key":"canary","operator":"NotIn","values":["true"]},
      {"key":"owner","operator":"Exists"},
      {"key":"legacy","operator":"DoesNotExist"}]}}})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->pod_selector, "app=frigate,tier in (nvr,cctv),canary notin (true),owner,!legacy");
}

TEST(ParseDeployment, AnUnreadableOrEmptySelectorIsAnErrorNotMatchEverything) {
  auto empty = ParseDeployment(R"({"kind":"Deployment","metadata":{"name":"f"},"spec":{}})");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->pod_selector, "");
  EXPECT_NE(empty->selector_error, "");
  auto odd = ParseDeployment(R"({"kind":"Deployment","metadata":{"name":"f"},
    "spec":{"selector":{"matchLabels":{"a":"b"},
                        "matchExpressions":[{"key":"x","operator":"Gt","values":["1"]}]}}})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->pod_selector, "");
  EXPECT_NE(odd->selector_error.find("matchExpressions"), std::string::npos);
}

// The JSON shape of a document with every string leaf blanked: equal shapes mean the same keys
// at the same places.
std::string Shape(const rapidjson::Value& v) {
  if (v.IsObject()) {
    std::string out = "{";
    for (const auto& m : v.GetObject()) {
      out += std::string(m.name.GetString()) + ":" + Shape(m.value) + ",";
    }
    return out + "}";
  }
  if (v.IsString()) return "<string>";
  return "<other>";
}

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(FHC_SOURCE_DIR) + "/" + relative);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(RestartPatchBody, IsExactlyKubectlsDocumentedBody) {
  EXPECT_EQ(
      RestartPatchBody("2021-07-06T16:17:18+02:00"),
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2021-07-06T16:17:18+02:00"}}}}})");
}

TEST(RestartPatchBody, HasTheShapeOfTheBodyKubectlWasRecordedSending) {
  // Written by tests/integration/test_kubectl_against_double.py from kubectl 1.32's PATCH.
  std::string recorded = ReadFixture("tests/fixtures/kube/kubectl_rollout_restart_patch.json");
  auto theirs = detail::ParseObject(recorded);
  ASSERT_TRUE(theirs.ok()) << "fixture missing or broken: " << theirs.error();
  auto ours = detail::ParseObject(RestartPatchBody(FormatRfc3339Local(FromUnixSeconds(1.7e9))));
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(Shape(*ours), Shape(*theirs));
  std::string their_time = detail::StringAt(
      *theirs, {"spec", "template", "metadata", "annotations", kRestartedAtAnnotation});
  std::string our_time = detail::StringAt(
      *ours, {"spec", "template", "metadata", "annotations", kRestartedAtAnnotation});
  EXPECT_TRUE(ParseRfc3339(their_time).has_value()) << their_time;
  EXPECT_TRUE(ParseRfc3339(our_time).has_value()) << our_time;
  // Second precision, like kubectl: no fraction in either.
  EXPECT_EQ(their_time.find('.'), std::string::npos);
  EXPECT_EQ(our_time.find('.'), std::string::npos);
}

}  // namespace
}  // namespace fhc::kube
