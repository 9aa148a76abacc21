#include "common/kube/pod_list.h"

#include <algorithm>
#include <tuple>

#include "common/kube/object_json.h"
#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

std::optional<WallTime> TimeAt(const rapidjson::Value& v,
                               std::initializer_list<std::string_view> path) {
  std::string text = detail::StringAt(v, path);
  if (text.empty()) return std::nullopt;
  return ParseRfc3339(text);
}

PodInfo ParsePod(const rapidjson::Value& item) {
  PodInfo pod;
  pod.name = detail::StringAt(item, {"metadata", "name"});
  pod.namespace_ = detail::StringAt(item, {"metadata", "namespace"});
  pod.deletion_timestamp = TimeAt(item, {"metadata", "deletionTimestamp"});
  pod.node_name = detail::StringAt(item, {"spec", "nodeName"});
  pod.phase = detail::StringAt(item, {"status", "phase"});
  pod.start_time = TimeAt(item, {"status", "startTime"});
  if (const auto* conds = detail::At(item, {"status", "conditions"}); conds && conds->IsArray()) {
    for (const auto& c : conds->GetArray()) {
      if (detail::StringAt(c, {"type"}) == "Ready") {
        pod.ready = detail::StringAt(c, {"status"}) == "True";
      }
    }
  }
  if (const auto* statuses = detail::At(item, {"status", "containerStatuses"});
      statuses && statuses->IsArray()) {
    for (const auto& cs : statuses->GetArray()) {
      if (!cs.IsObject()) continue;
      PodInfo::Container c;
      c.name = detail::StringAt(cs, {"name"});
      c.started_at = TimeAt(cs, {"state", "running", "startedAt"});
      auto restarts = detail::IntAt(cs, {"restartCount"});
      c.restart_count =
          restarts && *restarts >= 0 && *restarts < (1LL << 31) ? static_cast<int>(*restarts) : 0;
      c.ready = detail::BoolAt(cs, {"ready"}).value_or(false);
      for (const char* state : {"running", "waiting", "terminated"}) {
        if (const auto* st = detail::At(cs, {"state", state}); st && st->IsObject()) {
          c.state = state;
          c.reason = detail::StringAt(*st, {"reason"});
          c.message = detail::StringAt(*st, {"message"});
          break;
        }
      }
      c.last_termination_reason = detail::StringAt(cs, {"lastState", "terminated", "reason"});
      pod.containers.push_back(std::move(c));
    }
  }
  return pod;
}

}  // namespace

Result<std::vector<PodInfo>> ParsePodList(std::string_view body) {
  using R = Result<std::vector<PodInfo>>;
  auto doc = detail::ParseObject(body);
  if (!doc.ok()) return R::Error("pod list: " + doc.error());
  std::string kind = detail::StringAt(*doc, {"kind"});
  if (!kind.empty() && kind != "PodList") return R::Error("pod list: kind is " + kind);
  const auto* items = detail::At(*doc, {"items"});
  std::vector<PodInfo> pods;
  // The API server omits "items" (or writes null) for an empty list in some versions.
  if (items == nullptr || items->IsNull()) return R(std::move(pods));
  if (!items->IsArray()) return R::Error("pod list: items is not an array");
  for (const auto& item : items->GetArray()) {
    if (!item.IsObject()) continue;
    pods.push_back(ParsePod(item));
  }
  return R(std::move(pods));
}

void OrderPods(std::vector<PodInfo>& pods) {
  auto key = [](const PodInfo& p) {
    bool live = p.phase == "Running" && !p.deletion_timestamp.has_value();
    // Negated so later starts sort first; a pod without a start time goes after those with one.
    auto newest_first = p.start_time ? -p.start_time->time_since_epoch().count() : 0;
    return std::make_tuple(!live, !p.start_time.has_value(), newest_first, p.name);
  };
  std::stable_sort(pods.begin(), pods.end(),
                   [&](const PodInfo& a, const PodInfo& b) { return key(a) < key(b); });
}

}  // namespace fhc::kube
