#pragma once
// Pods as the remediator and the exporter need them. PodInfo and ParsePodList are declared in
// kube_client.h (their original home); this header adds the ordering rule.
#include <vector>

#include "common/kube/kube_client.h"

namespace fhc::kube {

// Orders pods for "which one is Frigate now": running and not being deleted first, then the
// newest start time first (pods without one last), then by name so the order is stable.
void OrderPods(std::vector<PodInfo>& pods);

}  // namespace fhc::kube
