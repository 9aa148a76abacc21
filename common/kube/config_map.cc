#include "common/kube/config_map.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/kube/object_json.h"

namespace fhc::kube {

Result<ConfigMap> ParseConfigMap(std::string_view body) {
  auto doc = detail::ParseObject(body);
  if (!doc.ok()) return Result<ConfigMap>::Error("configmap: " + doc.error());
  std::string kind = detail::StringAt(*doc, {"kind"});
  if (!kind.empty() && kind != "ConfigMap") {
    return Result<ConfigMap>::Error("configmap: kind is " + kind);
  }
  ConfigMap cm;
  cm.name = detail::StringAt(*doc, {"metadata", "name"});
  if (cm.name.empty()) return Result<ConfigMap>::Error("configmap: metadata.name missing");
  cm.namespace_ = detail::StringAt(*doc, {"metadata", "namespace"});
  cm.resource_version = detail::StringAt(*doc, {"metadata", "resourceVersion"});
  cm.labels = detail::StringMapAt(*doc, {"metadata", "labels"});
  cm.data = detail::StringMapAt(*doc, {"data"});
  return cm;
}

namespace {

template <typename W>
void WriteString(W& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

template <typename W>
void WriteMap(W& w, const std::map<std::string, std::string>& m) {
  w.StartObject();
  for (const auto& [k, v] : m) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    WriteString(w, v);
  }
  w.EndObject();
}

}  // namespace

std::string SerializeConfigMap(const ConfigMap& cm) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("apiVersion");
  w.String("v1");
  w.Key("kind");
  w.String("ConfigMap");
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  WriteString(w, cm.name);
  w.Key("namespace");
  WriteString(w, cm.namespace_);
  if (!cm.resource_version.empty()) {
    w.Key("resourceVersion");
    WriteString(w, cm.resource_version);
  }
  if (!cm.labels.empty()) {
    w.Key("labels");
    WriteMap(w, cm.labels);
  }
  w.EndObject();
  w.Key("data");
  WriteMap(w, cm.data);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace fhc::kube
