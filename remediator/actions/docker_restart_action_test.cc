#include "remediator/actions/docker_restart_action.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fhc::remediator {
namespace {

using ::testing::HasSubstr;

docker::ContainerInfo Container(const std::string& status, bool running, bool paused = false,
                                bool restarting = false, long restart_count = 0) {
  docker::ContainerInfo c;
  c.id = "abc";
  c.name = "frigate";
  c.status = status;
  c.running = running;
  c.paused = paused;
  c.restarting = restarting;
  c.restart_count = restart_count;
  return c;
}

TEST(DockerLeaveAloneReason, ARunningContainerIsOurs) {
  EXPECT_EQ(DockerLeaveAloneReason(Container("running", true)), "");
}

TEST(DockerLeaveAloneReason, DockersOwnRestartsPausesAndStopsAreLeftAloneSayingWhy) {
  EXPECT_THAT(DockerLeaveAloneReason(Container("restarting", true, false, true, 7)),
              HasSubstr("being restarted by Docker's restart policy (RestartCount 7)"));
  EXPECT_THAT(DockerLeaveAloneReason(Container("paused", true, true)),
              HasSubstr("paused it on purpose"));
  EXPECT_THAT(DockerLeaveAloneReason(Container("exited", false)), HasSubstr("is exited"));
  EXPECT_THAT(DockerLeaveAloneReason(Container("dead", false)), HasSubstr("is dead"));
  EXPECT_THAT(DockerLeaveAloneReason(Container("created", false)), HasSubstr("is created"));
  // Running true with another status (a daemon between states) is not trusted either.
  EXPECT_NE(DockerLeaveAloneReason(Container("removing", true)), "");
}

}  // namespace
}  // namespace fhc::remediator
