#include "common/docker/container_info.h"

#include <gtest/gtest.h>

namespace fhc::docker {
namespace {

// Shape of `docker inspect` from Docker Engine 20.10 (trimmed to the fields read).
constexpr const char* kRunning = R"({
  "Id": "4fa6e0f0c6786287e131c3852c58a2e01cc697a68231826813597e4994f1d6e2",
  "Created": "2024-05-01T09:00:00.000000000Z",
  "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false,
            "OOMKilled": false, "Dead": false, "Pid": 4242, "ExitCode": 0, "Error": "",
            "StartedAt": "2024-05-01T10:00:00.5Z", "FinishedAt": "0001-01-01T00:00:00Z"},
  "Name": "/frigate", "RestartCount": 3,
  "Config": {"Tty": true, "Labels": {"com.docker.compose.service": "frigate", "n": 1}}
})";

TEST(ContainerInfo, ReadsStateRestartCountNameTtyAndLabels) {
  auto c = ParseContainerInfo(kRunning);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->name, "frigate");
  EXPECT_EQ(c->status, "running");
  EXPECT_TRUE(c->running);
  EXPECT_FALSE(c->paused);
  EXPECT_FALSE(c->restarting);
  ASSERT_TRUE(c->started_at);
  EXPECT_EQ(c->started_at->seconds, 1714557600);
  EXPECT_EQ(c->started_at->nanos, 500000000);
  EXPECT_EQ(c->restart_count, 3);
  EXPECT_TRUE(c->tty);
  EXPECT_EQ(c->labels.at("com.docker.compose.service"), "frigate");
  EXPECT_EQ(c->labels.count("n"), 0U);  // not a string: not a label
}

TEST(ContainerInfo, NeverStartedHasNoStartTime) {
  auto c = ParseContainerInfo(
      R"({"Id":"abc","State":{"Status":"created","StartedAt":"0001-01-01T00:00:00Z"}})");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->started_at);
  EXPECT_FALSE(c->running);
  EXPECT_FALSE(c->tty);
}

TEST(ContainerInfo, MalformedDocumentsAreErrors) {
  EXPECT_FALSE(ParseContainerInfo("not json"));
  EXPECT_FALSE(ParseContainerInfo("[]"));
  EXPECT_FALSE(ParseContainerInfo(R"({"State":{}})"));
  EXPECT_FALSE(ParseContainerInfo(R"({"Id":"abc","State":"running"})"));
}

TEST(ContainerList, ReadsIdNameAndState) {
  auto l = ParseContainerList(
      R"([{"Id":"4fa6","Names":["/frigate-frigate-1"],"State":"running","Labels":{}}])");
  ASSERT_TRUE(l) << l.error();
  ASSERT_EQ(l->size(), 1U);
  EXPECT_EQ((*l)[0].id, "4fa6");
  EXPECT_EQ((*l)[0].name, "frigate-frigate-1");
  EXPECT_EQ((*l)[0].state, "running");
  EXPECT_TRUE(ParseContainerList("[]")->empty());
  EXPECT_FALSE(ParseContainerList("{}"));
  EXPECT_FALSE(ParseContainerList(R"([{"Names":["/x"]}])"));
}

TEST(ContainerLabelFilter, IsTheJsonTheCliSends) {
  // Recorded from `docker ps --filter label=com.docker.compose.service=frigate` (docker.io 20.10).
  EXPECT_EQ(ContainerLabelFilter("com.docker.compose.service=frigate"),
            R"({"label":{"com.docker.compose.service=frigate":true}})");
  EXPECT_EQ(ContainerLabelFilter(R"(a"b)"), R"({"label":{"a\"b":true}})");
}

TEST(ErrorMessage, TheDaemonsMessageOrTheRawBody) {
  EXPECT_EQ(ErrorMessage(R"({"message":"No such container: frigate"})"),
            "No such container: frigate");
  EXPECT_EQ(ErrorMessage("404 page not found\n"), "404 page not found");
  EXPECT_EQ(ErrorMessage(""), "(empty body)");
  // HAProxy's page from a docker-socket-proxy that denies the call.
  EXPECT_EQ(ErrorMessage("<html><body><h1>403 Forbidden</h1>\nRequest forbidden by "
                         "administrative rules.\n</body></html>\n"),
            "403 Forbidden Request forbidden by administrative rules.");
}

}  // namespace
}  // namespace fhc::docker
