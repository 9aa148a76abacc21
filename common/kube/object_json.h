#pragma once
// Lenient readers for Kubernetes objects from untrusted bodies: a missing, null or mistyped field
// reads as absent, never as a crash. Internal to common/kube.
#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace fhc::kube::detail {

// Parses iteratively (no recursion, so hostile nesting cannot overflow the stack). The root must
// be an object; errors read "invalid JSON at offset 3: ..." or "expected a JSON object".
Result<rapidjson::Document> ParseObject(std::string_view body);

// The value at a path of object member names, or nullptr.
const rapidjson::Value* At(const rapidjson::Value& v, std::initializer_list<std::string_view> path);
std::string StringAt(const rapidjson::Value& v, std::initializer_list<std::string_view> path);
std::optional<std::int64_t> IntAt(const rapidjson::Value& v,
                                  std::initializer_list<std::string_view> path);
std::optional<bool> BoolAt(const rapidjson::Value& v, std::initializer_list<std::string_view> path);
// String members of an object (labels, annotations, ConfigMap data); other members are skipped.
std::map<std::string, std::string> StringMapAt(const rapidjson::Value& v,
                                               std::initializer_list<std::string_view> path);

}  // namespace fhc::kube::detail
