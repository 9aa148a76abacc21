#include "common/kube/frigate_container.h"

#include <gtest/gtest.h>

namespace fhc::kube {
namespace {

PodInfo PodWith(std::initializer_list<const char*> names) {
  PodInfo p;
  p.name = "frigate-5d8f7c9b4-x2x7q";
  for (const char* n : names) {
    PodInfo::Container c;
    c.name = n;
    p.containers.push_back(c);
  }
  return p;
}

TEST(FrigateContainerName, TheConfiguredNameWins) {
  EXPECT_EQ(FrigateContainerName(PodWith({"cams", "frigate"}), "nvr", "cams"), "nvr");
}

TEST(FrigateContainerName, ElseTheContainerNamedLikeTheDeployment) {
  EXPECT_EQ(FrigateContainerName(PodWith({"codeserver", "frigate-main"}), "", "frigate-main"),
            "frigate-main");
}

// The official chart (blakeshome-charts charts/frigate, tag frigate-7.8.0, templates/
// deployment.yaml) names its container after the chart, "frigate", whatever the release, and
// may add a "codeserver" sidecar, which the kubelet lists first.
TEST(FrigateContainerName, ElseFrigateNeverASidecar) {
  EXPECT_EQ(FrigateContainerName(PodWith({"codeserver", "frigate"}), "", "cams-frigate"),
            "frigate");
  EXPECT_EQ(FrigateContainerName(PodWith({}), "", "cams-frigate"), "frigate");
}

}  // namespace
}  // namespace fhc::kube
