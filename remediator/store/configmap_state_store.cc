#include "remediator/store/configmap_state_store.h"

#include <utility>

namespace fhc::remediator {
namespace {

StoredState FromConfigMap(const kube::ConfigMap& cm) {
  StoredState state;
  if (auto it = cm.data.find(kStateKey); it != cm.data.end()) state.state_json = it->second;
  if (auto it = cm.data.find(kUnreadableNoteKey); it != cm.data.end()) {
    state.unreadable_note = it->second.empty() ? "(empty note)" : it->second;
  }
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

Result<std::string> ConfigMapStateStore::KeepUnreadable(const std::string& unreadable,
                                                        const std::string& fresh,
                                                        const UnreadableNote& note) {
  using R = Result<std::string>;
  auto current = kube_.GetConfigMap(ns_, name_);
  if (!current.ok())
    return R::Error("cannot read " + Where() + ": " + DescribeStatus(current.status));
  auto it = current->data.find(kStateKey);
  if (it == current->data.end() || it->second != unreadable) {
    return R::Error(Where() + " changed meanwhile");
  }
  const auto seconds = static_cast<long long>(ToUnixSeconds(options_.clock->Now()));
  std::string kept;
  for (int n = 0; n < 5 && kept.empty(); ++n) {
    kube::ConfigMap copy;
    copy.name =
        name_ + "-unreadable-" + std::to_string(seconds) + (n ? "-" + std::to_string(n) : "");
    copy.namespace_ = ns_;
    copy.labels = options_.labels;
    copy.data[kStateKey] = unreadable;
    auto created = kube_.CreateConfigMap(copy);
    if (created.ok()) {
      kept = copy.name;
    } else if (created.error() != kube::ApiError::kAlreadyExists) {
      return R::Error("cannot keep the unreadable state in configmap " + ns_ + "/" + copy.name +
                      ": " + DescribeStatus(created.status));
    }
  }
  if (kept.empty()) return R::Error("cannot find a free name for the unreadable state's copy");
  kube::ConfigMap replacement = *current;  // conditional on the resourceVersion read above
  replacement.data[kStateKey] = fresh;
  replacement.data[kUnreadableNoteKey] = note("configmap " + ns_ + "/" + kept);
  auto replaced = kube_.ReplaceConfigMap(replacement);
  if (!replaced.ok()) {
    return R::Error("kept the unreadable state in configmap " + ns_ + "/" + kept +
                    " but cannot replace it in " + Where() + ": " +
                    DescribeStatus(replaced.status));
  }
  return "configmap " + ns_ + "/" + kept;
}

std::string ConfigMapStateStore::HowToRelease() const {
  return "kubectl -n " + ns_ + " patch configmap " + name_ +
         " --type=json -p='[{\"op\":\"remove\",\"path\":\"/data/" + kUnreadableNoteKey + "\"}]'";
}

}  // namespace fhc::remediator
