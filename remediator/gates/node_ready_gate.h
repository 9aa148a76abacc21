#pragma once
#include "remediator/gates/gate.h"

namespace fhc::remediator {

// The node running the Frigate pod must report Ready=True. Ready=False or Unknown, or not being
// able to read the node at all, blocks (fail closed): restarting a pod on a sick node, or one
// that cannot be placed elsewhere because it needs the node's USB Coral, makes things worse.
// Not applicable when the restart action does not use Kubernetes.
class NodeReadyGate final : public Gate {
 public:
  const char* Name() const override { return "node_ready"; }
  bool NeedsFacts() const override { return true; }
  Verdict Decide(const GateContext& ctx) const override;
};

}  // namespace fhc::remediator
