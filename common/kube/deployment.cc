#include "common/kube/deployment.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/kube/object_json.h"

namespace fhc::kube {
namespace {

// One matchExpressions entry in the query syntax, or "" for an operator this code does not know.
std::string Expression(const rapidjson::Value& e) {
  const std::string key = detail::StringAt(e, {"key"});
  const std::string op = detail::StringAt(e, {"operator"});
  if (key.empty()) return "";
  if (op == "Exists") return key;
  if (op == "DoesNotExist") return "!" + key;
  if (op != "In" && op != "NotIn") return "";
  std::string values;
  if (const auto* vs = detail::At(e, {"values"}); vs && vs->IsArray()) {
    for (const auto& v : vs->GetArray()) {
      if (!v.IsString()) continue;
      values += (values.empty() ? "" : ",") + std::string(v.GetString(), v.GetStringLength());
    }
  }
  if (values.empty()) return "";  // the API server rejects In/NotIn without values
  return key + (op == "In" ? " in (" : " notin (") + values + ")";
}

void ParseSelector(const rapidjson::Value& doc, DeploymentInfo& d) {
  std::string selector;
  auto add = [&](const std::string& term) { selector += (selector.empty() ? "" : ",") + term; };
  for (const auto& [k, v] : detail::StringMapAt(doc, {"spec", "selector", "matchLabels"})) {
    add(k + "=" + v);
  }
  if (const auto* exprs = detail::At(doc, {"spec", "selector", "matchExpressions"});
      exprs && exprs->IsArray()) {
    for (const auto& e : exprs->GetArray()) {
      const std::string term = e.IsObject() ? Expression(e) : "";
      if (term.empty()) {
        d.selector_error = "spec.selector has a matchExpressions entry this program cannot read";
        return;
      }
      add(term);
    }
  }
  // An empty selector would match every pod of the namespace (apps/v1 forbids it anyway).
  if (selector.empty()) {
    d.selector_error = "spec.selector is empty or missing";
    return;
  }
  d.pod_selector = std::move(selector);
}

}  // namespace

const DeploymentInfo::Condition* FindCondition(const DeploymentInfo& d, std::string_view type) {
  for (const auto& c : d.conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

Result<DeploymentInfo> ParseDeployment(std::string_view body) {
  using R = Result<DeploymentInfo>;
  auto doc = detail::ParseObject(body);
  if (!doc.ok()) return R::Error("deployment: " + doc.error());
  std::string kind = detail::StringAt(*doc, {"kind"});
  if (!kind.empty() && kind != "Deployment") return R::Error("deployment: kind is " + kind);
  DeploymentInfo d;
  d.name = detail::StringAt(*doc, {"metadata", "name"});
  if (d.name.empty()) return R::Error("deployment: metadata.name missing");
  d.namespace_ = detail::StringAt(*doc, {"metadata", "namespace"});
  d.generation = detail::IntAt(*doc, {"metadata", "generation"}).value_or(0);
  d.paused = detail::BoolAt(*doc, {"spec", "paused"}).value_or(false);
  d.replicas = detail::IntAt(*doc, {"spec", "replicas"}).value_or(1);
  d.restarted_at = detail::StringMapAt(
      *doc, {"spec", "template", "metadata", "annotations"})[std::string(kRestartedAtAnnotation)];
  ParseSelector(*doc, d);
  if (const auto* cs = detail::At(*doc, {"spec", "template", "spec", "containers"});
      cs && cs->IsArray()) {
    for (const auto& c : cs->GetArray()) {
      if (c.IsObject()) d.containers.push_back(detail::StringAt(c, {"name"}));
    }
  }
  d.observed_generation = detail::IntAt(*doc, {"status", "observedGeneration"}).value_or(0);
  d.status_replicas = detail::IntAt(*doc, {"status", "replicas"}).value_or(0);
  d.updated_replicas = detail::IntAt(*doc, {"status", "updatedReplicas"}).value_or(0);
  d.available_replicas = detail::IntAt(*doc, {"status", "availableReplicas"}).value_or(0);
  d.ready_replicas = detail::IntAt(*doc, {"status", "readyReplicas"}).value_or(0);
  d.unavailable_replicas = detail::IntAt(*doc, {"status", "unavailableReplicas"}).value_or(0);
  if (const auto* conds = detail::At(*doc, {"status", "conditions"}); conds && conds->IsArray()) {
    for (const auto& c : conds->GetArray()) {
      if (!c.IsObject()) continue;
      d.conditions.push_back({detail::StringAt(c, {"type"}), detail::StringAt(c, {"status"}),
                              detail::StringAt(c, {"reason"}), detail::StringAt(c, {"message"})});
    }
  }
  return d;
}

RolloutState RolloutStatus(const DeploymentInfo& d) {
  const std::string name = "deployment \"" + d.name + "\"";
  if (d.paused) return {RolloutPhase::kPaused, name + " is paused"};
  if (d.generation > d.observed_generation) {
    return {RolloutPhase::kProgressing, "Waiting for deployment spec update to be observed..."};
  }
  const DeploymentInfo::Condition* progressing = FindCondition(d, "Progressing");
  if (progressing && progressing->reason == "ProgressDeadlineExceeded") {
    return {RolloutPhase::kFailed, name + " exceeded its progress deadline"};
  }
  auto n = [](std::int64_t v) { return std::to_string(v); };
  if (d.updated_replicas < d.replicas) {
    return {RolloutPhase::kProgressing,
            "Waiting for " + name + " rollout to finish: " + n(d.updated_replicas) + " out of " +
                n(d.replicas) + " new replicas have been updated..."};
  }
  if (d.status_replicas > d.updated_replicas) {
    return {RolloutPhase::kProgressing, "Waiting for " + name + " rollout to finish: " +
                                            n(d.status_replicas - d.updated_replicas) +
                                            " old replicas are pending termination..."};
  }
  const std::string availability =
      n(d.available_replicas) + " of " + n(d.updated_replicas) + " updated replicas are available";
  if (progressing && progressing->reason == "NewReplicaSetAvailable") {
    if (d.available_replicas < d.updated_replicas) {
      return {RolloutPhase::kComplete, name + " successfully rolled out; since then only " +
                                           availability + " (pods not ready, no rollout)"};
    }
    return {RolloutPhase::kComplete, name + " successfully rolled out"};
  }
  if (d.available_replicas < d.updated_replicas) {
    return {RolloutPhase::kProgressing,
            "Waiting for " + name + " rollout to finish: " + availability + "..."};
  }
  return {RolloutPhase::kComplete, name + " successfully rolled out"};
}

std::string RestartPatchBody(std::string_view restarted_at) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("spec");
  w.StartObject();
  w.Key("template");
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  w.Key("annotations");
  w.StartObject();
  w.Key(kRestartedAtAnnotation.data(),
        static_cast<rapidjson::SizeType>(kRestartedAtAnnotation.size()));
  w.String(restarted_at.data(), static_cast<rapidjson::SizeType>(restarted_at.size()));
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace fhc::kube
