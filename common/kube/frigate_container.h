#pragma once
// Which container of a Frigate pod is Frigate's (FRIGATE_CONTAINER). Both programs use it: the
// remediator reads that container's state and start time, the exporter follows its log. A pod
// may hold sidecars (the official chart's codeserver), and the kubelet lists container statuses
// by name, so neither the first status nor "the pod's default container" will do.
#include <string>

#include "common/kube/kube_client.h"

namespace fhc::kube {

// configured when set; else the container named like the deployment when the pod has one
// (a chart naming its container after the release); else "frigate" (the official chart's name,
// and the answer while the pod reports no container statuses yet). Pure.
std::string FrigateContainerName(const PodInfo& pod, const std::string& configured,
                                 const std::string& deployment);

}  // namespace fhc::kube
