// Feeds arbitrary bytes to every Kubernetes object parser: none may crash, hang or leak, and
// whatever parses must re-serialise (ConfigMap) and be classified without surprises.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/kube/api_error.h"
#include "common/kube/config_map.h"
#include "common/kube/deployment.h"
#include "common/kube/kube_client.h"
#include "common/kube/node.h"
#include "common/kube/pod_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto pods = fhc::kube::ParsePodList(body); pods.ok()) fhc::kube::OrderPods(*pods);
  (void)fhc::kube::ParseNode(body);
  if (auto d = fhc::kube::ParseDeployment(body); d.ok()) (void)fhc::kube::RolloutStatus(*d);
  if (auto cm = fhc::kube::ParseConfigMap(body); cm.ok()) {
    auto again = fhc::kube::ParseConfigMap(fhc::kube::SerializeConfigMap(*cm));
    if (!again.ok() || again->data != cm->data) __builtin_trap();
  }
  (void)fhc::kube::ParseRfc3339(body);
  fhc::http::Response r;
  r.status = 409;
  r.body = std::string(body);
  (void)fhc::kube::ClassifyResponse(r);
  return 0;
}
