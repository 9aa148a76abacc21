#include "common/kube/object_json.h"

#include <rapidjson/error/en.h>

#include <cmath>
#include <limits>

namespace fhc::kube::detail {

Result<rapidjson::Document> ParseObject(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return Result<rapidjson::Document>::Error("invalid JSON at offset " +
                                              std::to_string(doc.GetErrorOffset()) + ": " +
                                              rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Result<rapidjson::Document>::Error("expected a JSON object");
  return Result<rapidjson::Document>(std::move(doc));
}

const rapidjson::Value* At(const rapidjson::Value& v,
                           std::initializer_list<std::string_view> path) {
  const rapidjson::Value* cur = &v;
  for (std::string_view name : path) {
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(rapidjson::Value(
        rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
  }
  return cur;
}

std::string StringAt(const rapidjson::Value& v, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* s = At(v, path);
  if (s == nullptr || !s->IsString()) return "";
  return std::string(s->GetString(), s->GetStringLength());
}

std::optional<std::int64_t> IntAt(const rapidjson::Value& v,
                                  std::initializer_list<std::string_view> path) {
  const rapidjson::Value* n = At(v, path);
  if (n == nullptr) return std::nullopt;
  if (n->IsInt64()) return n->GetInt64();
  if (n->IsDouble()) {
    // Integral doubles ("3.0") are accepted; anything else is not a count.
    double d = n->GetDouble();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<bool> BoolAt(const rapidjson::Value& v,
                           std::initializer_list<std::string_view> path) {
  const rapidjson::Value* b = At(v, path);
  if (b == nullptr || !b->IsBool()) return std::nullopt;
  return b->GetBool();
}

std::map<std::string, std::string> StringMapAt(const rapidjson::Value& v,
                                               std::initializer_list<std::string_view> path) {
  std::map<std::string, std::string> out;
  const rapidjson::Value* obj = At(v, path);
  if (obj == nullptr || !obj->IsObject()) return out;
  for (const auto& m : obj->GetObject()) {
    if (!m.value.IsString()) continue;
    out[std::string(m.name.GetString(), m.name.GetStringLength())] =
        std::string(m.value.GetString(), m.value.GetStringLength());
  }
  return out;
}

}  // namespace fhc::kube::detail
