#pragma once
// RESTART_ACTION=frigate-api: asks Frigate (0.13+) to restart itself with POST /api/restart and
// relies on its supervisor (Docker restart policy, HA, s6) to start it again. Frigate's own uptime
// is the evidence: a process that answers /api/version and reports an uptime shorter than the
// time since our request is the restarted one, which also proves the old one went down.
#include <chrono>
#include <string>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "remediator/actions/restart_action.h"

namespace fhc::remediator {

class FrigateApiRestartAction final : public RestartAction {
 public:
  struct Options {
    std::chrono::milliseconds timeout{10'000};  // per request (API_TIMEOUT_SECONDS)
    std::string ca_file;                        // for an https FRIGATE_URL
  };

  // frigate_url: "http://127.0.0.1:5000" (trailing '/' allowed); token: bearer for port 8971,
  // empty for the unauthenticated port 5000.
  FrigateApiRestartAction(http::Client& http, std::string frigate_url, std::string token,
                          const Clock& clock);
  FrigateApiRestartAction(http::Client& http, std::string frigate_url, std::string token,
                          const Clock& clock, Options options);

  std::string name() const override { return "frigate-api"; }
  bool uses_kubernetes() const override { return false; }
  Result<RestartReceipt> Restart(const Target& target, WallTime now) override;
  // In progress while /api/version does not answer or Frigate still reports the old uptime;
  // recovered once it answers and service.uptime fits inside the time since the request.
  Result<RecoveryStatus> CheckRecovery(const Target& target,
                                       const RestartReceipt& receipt) override;
  // frigate_started_at = now - service.uptime (source "frigate-uptime"); Kubernetes facts absent.
  Result<TargetFacts> GatherFacts(const Target& target) override;
  // True when Frigate's uptime is shorter than the time since the intent.
  Result<bool> RestartHappened(const Target& target, const std::string& intent_timestamp) override;

 private:
  http::Request MakeRequest(const std::string& method, const std::string& path) const;
  // service.uptime in seconds from /api/stats.
  Result<double> Uptime();

  http::Client& http_;
  std::string url_;
  std::string token_;
  const Clock& clock_;
  Options options_;
};

}  // namespace fhc::remediator
