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

TEST(DockerLeaveAloneReason, ARestartCountThatRoseSinceThePreviousObservationIsDockersWork) {
  EXPECT_THAT(DockerLeaveAloneReason(Container("running", true, false, false, 5), 3),
              HasSubstr("was restarted by Docker's restart policy since the previous observation "
                        "(RestartCount 3 -> 5): left to Docker"));
  // Unchanged, or nothing to compare with (the first look): ours.
  EXPECT_EQ(DockerLeaveAloneReason(Container("running", true, false, false, 5), 5), "");
  EXPECT_EQ(DockerLeaveAloneReason(Container("running", true, false, false, 5)), "");
  // A lower count is another container's history, not a restart.
  EXPECT_EQ(DockerLeaveAloneReason(Container("running", true, false, false, 0), 4), "");
  // Docker restarting it right now says so first.
  EXPECT_THAT(DockerLeaveAloneReason(Container("restarting", true, false, true, 6), 5),
              HasSubstr("is being restarted by Docker's restart policy (RestartCount 6)"));
}

}  // namespace
}  // namespace fhc::remediator
