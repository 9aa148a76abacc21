#include "exporter/stats/frigate_config.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace fhc::exporter {
namespace {

using rapidjson::Value;

const Value* Member(const Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<bool> Bool(const Value& object, const char* key) {
  const Value* v = Member(object, key);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::string String(const Value* v) {
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength())
                                       : std::string();
}

std::string ModelKey(const Value& detector, const Value& root) {
  // A detector's own model block wins; 0.12-0.13 configs may only have the global "model".
  const Value* model = Member(detector, "model");
  if (model == nullptr || !model->IsObject()) model = Member(root, "model");
  if (model == nullptr || !model->IsObject()) return {};
  std::string path = String(Member(*model, "path"));
  const Value* w = Member(*model, "width");
  const Value* h = Member(*model, "height");
  if (w != nullptr && h != nullptr && w->IsNumber() && h->IsNumber()) {
    path += fmt::format(" {}x{}", w->GetDouble(), h->GetDouble());
  }
  return path;
}

CameraOff OffState(const Value& camera) {
  const bool enabled = Bool(camera, "enabled").value_or(true);
  const std::optional<bool> in_config = Bool(camera, "enabled_in_config");  // 0.16+
  if (in_config) {
    if (!*in_config) return CameraOff::kInConfig;
    return enabled ? CameraOff::kNo : CameraOff::kAtRuntime;
  }
  return enabled ? CameraOff::kNo : CameraOff::kInConfig;
}

}  // namespace

std::string_view CameraOffText(CameraOff off) {
  switch (off) {
    case CameraOff::kInConfig:
      return "disabled in config";
    case CameraOff::kAtRuntime:
      return "switched off at runtime";
    case CameraOff::kNo:
      break;
  }
  return "";
}

Result<FrigateConfigFacts> ParseFrigateConfig(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag>(body.data(),
                                                                             body.size());
  if (doc.HasParseError()) {
    return Result<FrigateConfigFacts>::Error(
        fmt::format("config body is not valid JSON at offset {}: {}", doc.GetErrorOffset(),
                    rapidjson::GetParseError_En(doc.GetParseError())));
  }
  const Value* cameras = Member(doc, "cameras");
  if (cameras == nullptr || !cameras->IsObject()) {
    return Result<FrigateConfigFacts>::Error("config body has no \"cameras\" object");
  }
  FrigateConfigFacts facts;
  for (const auto& m : cameras->GetObject()) {
    if (!m.value.IsObject()) continue;
    facts.cameras.try_emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                              OffState(m.value));
  }
  if (const Value* detectors = Member(doc, "detectors"); detectors && detectors->IsObject()) {
    for (const auto& m : detectors->GetObject()) {
      if (!m.value.IsObject()) continue;
      facts.detectors.try_emplace(
          std::string(m.name.GetString(), m.name.GetStringLength()),
          DetectorConfig{String(Member(m.value, "type")), ModelKey(m.value, doc)});
    }
  }
  return facts;
}

}  // namespace fhc::exporter
