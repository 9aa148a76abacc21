#pragma once
// The counters behind the frigate_remediator_* families, shared by the webhook handler, the
// restart worker, the outbox mailer and the state keeper. Thread-safe.
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace fhc::remediator {

struct RemediatorCounters {
  std::map<std::string, double> webhooks;                                        // result
  std::map<std::pair<std::string, std::string>, double> decisions;               // outcome, gate
  std::map<std::tuple<std::string, std::string, std::string>, double> restarts;  // ns, dep, result
  std::map<std::string, double> emails;                                          // result
  std::map<std::string, double> state_writes;                                    // result
  double state_unreadable = 0;                  // unreadable state documents kept for a person
  std::map<std::string, double> state_dropped;  // what the state's bounds dropped, by kind
};

class SharedCounters {
 public:
  // Runs `change` on the counters under the lock.
  template <typename F>
  void Update(F&& change) {
    std::lock_guard lock(mu_);
    change(counters_);
  }
  RemediatorCounters Snapshot() const {
    std::lock_guard lock(mu_);
    return counters_;
  }

 private:
  mutable std::mutex mu_;
  RemediatorCounters counters_;
};

}  // namespace fhc::remediator
