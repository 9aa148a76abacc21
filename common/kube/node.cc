#include "common/kube/node.h"

#include "common/kube/object_json.h"

namespace fhc::kube {

Result<NodeInfo> ParseNode(std::string_view body) {
  auto doc = detail::ParseObject(body);
  if (!doc.ok()) return Result<NodeInfo>::Error("node: " + doc.error());
  std::string kind = detail::StringAt(*doc, {"kind"});
  if (!kind.empty() && kind != "Node") return Result<NodeInfo>::Error("node: kind is " + kind);
  NodeInfo node;
  node.name = detail::StringAt(*doc, {"metadata", "name"});
  if (node.name.empty()) return Result<NodeInfo>::Error("node: metadata.name missing");
  node.unschedulable = detail::BoolAt(*doc, {"spec", "unschedulable"}).value_or(false);
  if (const auto* conds = detail::At(*doc, {"status", "conditions"}); conds && conds->IsArray()) {
    for (const auto& c : conds->GetArray()) {
      if (detail::StringAt(c, {"type"}) != "Ready") continue;
      node.ready = detail::StringAt(c, {"status"});
      node.ready_reason = detail::StringAt(c, {"reason"});
      node.ready_message = detail::StringAt(c, {"message"});
    }
  }
  return node;
}

}  // namespace fhc::kube
