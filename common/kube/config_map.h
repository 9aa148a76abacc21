#pragma once
// A ConfigMap as the remediator's state store uses it: string data plus the resourceVersion that
// makes every write conditional.
#include <map>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::kube {

struct ConfigMap {
  std::string name;
  std::string namespace_;
  std::string resource_version;  // opaque; compared for equality only
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> data;
};

// Parses a ConfigMap object (pure; fuzzed). binaryData is ignored.
Result<ConfigMap> ParseConfigMap(std::string_view body);

// The body of a create (POST) or replace (PUT): apiVersion, kind, metadata (name, namespace,
// labels, and resourceVersion when non-empty) and data.
std::string SerializeConfigMap(const ConfigMap& cm);

}  // namespace fhc::kube
