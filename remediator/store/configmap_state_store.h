#pragma once
// StateStore on a Kubernetes ConfigMap (STATE_STORE=configmap), key "state.json". The ConfigMap is
// created when absent (a 409 AlreadyExists means another writer was first: re-read); every write
// is a PUT conditional on the resourceVersion that was read, and a 409 Conflict re-reads and
// re-applies the update, a bounded number of times. The old CronJob's keys are handed to the
// updater while state.json is absent and are left in place (a rollback to the CronJob still finds
// them).
#include <map>
#include <string>

#include "common/clock/clock.h"
#include "common/kube/kube_client.h"
#include "remediator/store/state_store.h"

namespace fhc::remediator {

inline constexpr char kStateKey[] = "state.json";
// Present while an unreadable state document is kept and no person has acted on it.
inline constexpr char kUnreadableNoteKey[] = "unreadable-state";

class ConfigMapStateStore final : public StateStore {
 public:
  struct Options {
    int max_attempts = 5;  // read-update-write rounds before giving up on conflicts
    std::map<std::string, std::string> labels = {
        {"app.kubernetes.io/managed-by", "frigate-remediator"}};
    const Clock* clock = &SystemClock::Instance();  // names the copy KeepUnreadable makes
  };

  ConfigMapStateStore(kube::Client& kube, std::string ns, std::string name);
  ConfigMapStateStore(kube::Client& kube, std::string ns, std::string name, Options options);

  Result<std::string> Update(const StateUpdate& update) override;
  Result<StoredState> Read() override;
  // Reachable and readable (an absent ConfigMap is fine: the first write creates it).
  Status Check() override;
  std::string Describe() const override { return "configmap " + ns_ + "/" + name_; }
  // Copies the unreadable document into a new ConfigMap "<name>-unreadable-<unix seconds>"
  // (create: allowed by the chart's Role without naming it) and writes `fresh` and the note (key
  // "unreadable-state") into the state ConfigMap in one conditional PUT.
  Result<std::string> KeepUnreadable(const std::string& unreadable, const std::string& fresh,
                                     const UnreadableNote& note) override;
  // Removing the key "unreadable-state" from the state ConfigMap.
  std::string HowToRelease() const override;

 private:
  std::string Where() const { return "state ConfigMap " + ns_ + "/" + name_; }

  kube::Client& kube_;
  std::string ns_;
  std::string name_;
  Options options_;
};

// The keys the old CronJob kept in its ConfigMap.
inline constexpr const char* kLegacyStateKeys[] = {"consecutive_failures", "last_restart_times",
                                                   "alert_sent_for_incident", "last_alert_time"};

}  // namespace fhc::remediator
