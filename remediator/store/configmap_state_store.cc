#include "remediator/store/configmap_state_store.h"

#include <utility>

namespace fhc::remediator {
namespace {

StoredState FromConfigMap(const kube::ConfigMap& cm) {
  StoredState state;
  if (auto it = cm.data.find(kStateKey); it != cm.data.end()) state.state_json = it->second;
  if (state.state_json.empty()) {
    for (const char* key : kLegacyStateKeys) {
      if (auto it = cm.data.find(key); it != cm.data.end()) state.legacy[key] = it->second;
    }
  }
  return state;
}

std::string DescribeStatus(const kube::ApiStatus& status) {
  std::string out(kube::ApiErrorName(status.error));
  if (status.http_status != 0) out += " (HTTP " + std::to_string(status.http_status) + ")";
  if (!status.message.empty()) out += ": " + status.message;
  return out;
}

}  // namespace

ConfigMapStateStore::ConfigMapStateStore(kube::Client& kube, std::string ns, std::string name)
    : ConfigMapStateStore(kube, std::move(ns), std::move(name), Options{}) {}

ConfigMapStateStore::ConfigMapStateStore(kube::Client& kube, std::string ns, std::string name,
                                         Options options)
    : kube_(kube), ns_(std::move(ns)), name_(std::move(name)), options_(std::move(options)) {}

Result<StoredState> ConfigMapStateStore::Read() {
  auto cm = kube_.GetConfigMap(ns_, name_);
  if (cm.error() == kube::ApiError::kNotFound) return StoredState{};
  if (!cm.ok()) {
    return Result<StoredState>::Error("cannot read " + Where() + ": " + DescribeStatus(cm.status));
  }
  return FromConfigMap(*cm);
}

Result<std::string> ConfigMapStateStore::Update(const StateUpdate& update) {
  std::string last_conflict;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    auto current = kube_.GetConfigMap(ns_, name_);
    if (current.error() == kube::ApiError::kNotFound) {
      Result<std::string> next = update(StoredState{});
      if (!next.ok()) return next;
      kube::ConfigMap cm;
      cm.name = name_;
      cm.namespace_ = ns_;
      cm.labels = options_.labels;
      cm.data[kStateKey] = *next;
      auto created = kube_.CreateConfigMap(cm);
      if (created.ok()) return next;
      if (created.error() != kube::ApiError::kAlreadyExists) {
        return Result<std::string>::Error("cannot create " + Where() + ": " +
                                          DescribeStatus(created.status));
      }
      last_conflict = "created by another writer meanwhile";
      continue;  // someone else created it: apply our update on top of theirs
    }
    if (!current.ok()) {
      return Result<std::string>::Error("cannot read " + Where() + ": " +
                                        DescribeStatus(current.status));
    }
    StoredState state = FromConfigMap(*current);
    Result<std::string> next = update(state);
    if (!next.ok()) return next;
    if (current->data.count(kStateKey) != 0 && *next == state.state_json) return next;

    kube::ConfigMap replacement = *current;  // keeps resourceVersion: the write is conditional
    replacement.data[kStateKey] = *next;
    auto replaced = kube_.ReplaceConfigMap(replacement);
    if (replaced.ok()) return next;
    if (replaced.error() != kube::ApiError::kConflict &&
        replaced.error() != kube::ApiError::kNotFound) {
      return Result<std::string>::Error("cannot write " + Where() + ": " +
                                        DescribeStatus(replaced.status));
    }
    last_conflict = DescribeStatus(replaced.status);
  }
  return Result<std::string>::Error(Where() + " kept changing under us (" +
                                    std::to_string(options_.max_attempts) +
                                    " attempts; last: " + last_conflict + ")");
}

Status ConfigMapStateStore::Check() {
  auto cm = kube_.GetConfigMap(ns_, name_);
  if (cm.ok() || cm.error() == kube::ApiError::kNotFound) return OkStatus();
  return Status::Error("cannot read " + Where() + ": " + DescribeStatus(cm.status));
}

}  // namespace fhc::remediator
