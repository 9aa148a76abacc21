#pragma once
// A Node as the node-readiness gate sees it.
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::kube {

struct NodeInfo {
  std::string name;
  // status of the Ready condition: "True", "False", "Unknown", or "" when the node reports none.
  std::string ready;
  std::string ready_reason;    // e.g. KubeletReady, KubeletNotReady, NodeStatusUnknown
  std::string ready_message;   // e.g. "kubelet is posting ready status"
  bool unschedulable = false;  // spec.unschedulable (cordoned)
};

// Parses a Node object (pure; fuzzed). Errors for non-JSON or a body whose kind is not Node.
Result<NodeInfo> ParseNode(std::string_view body);

}  // namespace fhc::kube
