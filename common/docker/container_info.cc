#include "common/docker/container_info.h"

#include "common/json/json.h"

namespace fhc::docker {

Result<ContainerInfo> ParseContainerInfo(std::string_view json_text) {
  auto doc = json::Parse(json_text);
  if (!doc) return Result<ContainerInfo>::Error("container JSON: " + doc.error());
  if (!doc->IsObject()) return Result<ContainerInfo>::Error("container JSON is not an object");
  ContainerInfo c;
  auto id = json::String(*doc, "Id");
  const rapidjson::Value* state = json::Member(*doc, "State");
  if (!id || id->empty() || state == nullptr || !state->IsObject()) {
    return Result<ContainerInfo>::Error("container JSON without Id or State");
  }
  c.id = *id;
  c.name = json::String(*doc, "Name").value_or("");
  if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
  c.status = json::String(*state, "Status").value_or("");
  c.running = json::Bool(*state, "Running").value_or(false);
  c.paused = json::Bool(*state, "Paused").value_or(false);
  c.restarting = json::Bool(*state, "Restarting").value_or(false);
  if (auto started = json::String(*state, "StartedAt")) c.started_at = ParseDockerTime(*started);
  c.restart_count = static_cast<long>(json::Number(*doc, "RestartCount").value_or(0));
  if (const rapidjson::Value* config = json::Member(*doc, "Config");
      config != nullptr && config->IsObject()) {
    c.tty = json::Bool(*config, "Tty").value_or(false);
    if (const rapidjson::Value* labels = json::Member(*config, "Labels");
        labels != nullptr && labels->IsObject()) {
      for (auto it = labels->MemberBegin(); it != labels->MemberEnd(); ++it) {
        if (it->value.IsString()) c.labels[it->name.GetString()] = it->value.GetString();
      }
    }
  }
  return c;
}

Result<std::vector<ContainerSummary>> ParseContainerList(std::string_view json_text) {
  using R = Result<std::vector<ContainerSummary>>;
  auto doc = json::Parse(json_text);
  if (!doc) return R::Error("container list: " + doc.error());
  if (!doc->IsArray()) return R::Error("container list is not an array");
  std::vector<ContainerSummary> out;
  for (const auto& item : doc->GetArray()) {
    if (!item.IsObject()) return R::Error("container list entry is not an object");
    ContainerSummary c;
    c.id = json::String(item, "Id").value_or("");
    if (c.id.empty()) return R::Error("container list entry without Id");
    c.state = json::String(item, "State").value_or("");
    if (const rapidjson::Value* names = json::Member(item, "Names");
        names != nullptr && names->IsArray() && !names->Empty() && (*names)[0].IsString()) {
      c.name = (*names)[0].GetString();
      if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string ContainerLabelFilter(const std::string& label) {
  // As the docker 20.10 CLI encodes it (filters.ToJSON: a map of value -> true per key).
  rapidjson::Document d(rapidjson::kObjectType);
  rapidjson::Value set(rapidjson::kObjectType);
  set.AddMember(rapidjson::Value(label.c_str(), d.GetAllocator()), rapidjson::Value(true),
                d.GetAllocator());
  d.AddMember("label", set, d.GetAllocator());
  return json::ToString(d);
}

std::string ErrorMessage(std::string_view body) {
  auto doc = json::Parse(body);
  if (doc && doc->IsObject()) {
    if (auto m = json::String(*doc, "message"); m && !m->empty()) return *m;
  }
  // Anything else (a proxy's HTML error page, gorilla/mux's "404 page not found") on one line:
  // tags dropped, whitespace collapsed, at most 200 characters.
  std::string out;
  bool in_tag = false;
  for (char ch : body.substr(0, 4096)) {
    if (ch == '<') in_tag = true;
    if (!in_tag) {
      const bool space = ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
      if (!space) {
        out += ch;
      } else if (!out.empty() && out.back() != ' ') {
        out += ' ';
      }
    } else if (ch == '>') {
      in_tag = false;
      if (!out.empty() && out.back() != ' ') out += ' ';
    }
    if (out.size() >= 200) break;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "(empty body)" : out;
}

}  // namespace fhc::docker
