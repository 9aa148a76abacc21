#include "common/kube/frigate_container.h"

namespace fhc::kube {

std::string FrigateContainerName(const PodInfo& pod, const std::string& configured,
                                 const std::string& deployment) {
  if (!configured.empty()) return configured;
  for (const auto& c : pod.containers) {
    if (c.name == deployment) return deployment;
  }
  return "frigate";
}

}  // namespace fhc::kube
