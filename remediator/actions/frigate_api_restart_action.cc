#include "remediator/actions/frigate_api_restart_action.h"

#include <cmath>
#include <utility>

#include "common/json/json.h"
#include "common/kube/rfc3339.h"

namespace fhc::remediator {
namespace {

// Frigate reports whole seconds; allow for that rounding when comparing with our own clock.
constexpr double kUptimeSlackSeconds = 2.0;

std::string Short(std::string text) {
  constexpr std::size_t kMax = 200;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// Frigate answers {"success": bool, "message": "..."} or FastAPI's {"detail": "..."}.
std::string MessageOf(const http::Response& r) {
  auto doc = json::Parse(r.body);
  if (doc.ok() && doc->IsObject()) {
    if (auto m = json::String(*doc, "message")) return Short(*m);
    if (auto d = json::String(*doc, "detail")) return Short(*d);
  }
  return Short(r.body);
}

}  // namespace

FrigateApiRestartAction::FrigateApiRestartAction(http::Client& http, std::string frigate_url,
                                                 std::string token, const Clock& clock)
    : FrigateApiRestartAction(http, std::move(frigate_url), std::move(token), clock, Options{}) {}

FrigateApiRestartAction::FrigateApiRestartAction(http::Client& http, std::string frigate_url,
                                                 std::string token, const Clock& clock,
                                                 Options options)
    : http_(http),
      url_(std::move(frigate_url)),
      token_(std::move(token)),
      clock_(clock),
      options_(std::move(options)) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

http::Request FrigateApiRestartAction::MakeRequest(const std::string& method,
                                                   const std::string& path) const {
  http::Request r;
  r.method = method;
  r.url = url_ + path;
  r.timeout = options_.timeout;
  r.bearer_token = token_;
  r.ca_file = options_.ca_file;
  // No Origin header: Frigate's CSRF check applies to browser requests only.
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

Result<double> FrigateApiRestartAction::Uptime() {
  http::Response r = http_.Send(MakeRequest("GET", "/api/stats"));
  if (!r.ok()) return Result<double>::Error("GET /api/stats: " + r.error);
  if (r.status != 200) {
    return Result<double>::Error("GET /api/stats: HTTP " + std::to_string(r.status));
  }
  auto doc = json::Parse(r.body);
  if (!doc.ok()) return Result<double>::Error("GET /api/stats: " + doc.error());
  const rapidjson::Value* service = doc->IsObject() ? json::Member(*doc, "service") : nullptr;
  auto uptime = service ? json::Number(*service, "uptime") : std::nullopt;
  if (!uptime || !std::isfinite(*uptime) || *uptime < 0) {
    return Result<double>::Error("GET /api/stats: no service.uptime");
  }
  return *uptime;
}

Result<RestartReceipt> FrigateApiRestartAction::Restart(const Target& target, WallTime now) {
  http::Request request = MakeRequest("POST", "/api/restart");
  http::Response r = http_.Send(request);
  if (!r.ok()) {
    // Frigate may have died before answering: whether it restarts is unknown, not refused.
    return Result<RestartReceipt>::Error("POST " + url_ + "/api/restart: " + r.error +
                                         " (restart may or may not have started)");
  }
  if (r.status == 404 || r.status == 405) {
    return Result<RestartReceipt>::Error("Frigate at " + url_ +
                                         " has no POST /api/restart (needs Frigate 0.13+; HTTP " +
                                         std::to_string(r.status) + ")");
  }
  if (r.status != 200) {
    return Result<RestartReceipt>::Error("Frigate refused the restart (HTTP " +
                                         std::to_string(r.status) + "): " + MessageOf(r));
  }
  RestartReceipt receipt;
  receipt.action = name();
  receipt.intent_timestamp = IntentTimestamp(now);
  receipt.requested_at = now;
  receipt.detail = "POST " + url_ + "/api/restart for " + target.Key() + ": " + MessageOf(r);
  return receipt;
}

Result<RecoveryStatus> FrigateApiRestartAction::CheckRecovery(const Target&,
                                                              const RestartReceipt& receipt) {
  http::Response version = http_.Send(MakeRequest("GET", "/api/version"));
  if (!version.ok() || version.status != 200) {
    return RecoveryStatus{
        RecoveryState::kInProgress,
        "Frigate API not answering yet (" +
            (version.ok() ? "HTTP " + std::to_string(version.status) : version.error) + ")"};
  }
  auto uptime = Uptime();
  if (!uptime.ok()) {
    return RecoveryStatus{
        RecoveryState::kInProgress,
        "Frigate " + Short(version.body) + " answers, stats not yet: " + uptime.error()};
  }
  double since_request = ToUnixSeconds(clock_.Now()) - ToUnixSeconds(receipt.requested_at);
  if (*uptime <= since_request + kUptimeSlackSeconds) {
    return RecoveryStatus{RecoveryState::kRecovered,
                          "Frigate " + Short(version.body) + " is back, uptime " +
                              std::to_string(static_cast<long long>(*uptime)) + " s"};
  }
  return RecoveryStatus{RecoveryState::kInProgress,
                        "Frigate still reports uptime " +
                            std::to_string(static_cast<long long>(*uptime)) +
                            " s: the old process has not exited yet"};
}

Result<TargetFacts> FrigateApiRestartAction::GatherFacts(const Target&) {
  TargetFacts facts;
  facts.kubernetes = false;
  auto uptime = Uptime();
  if (!uptime.ok()) {
    facts.frigate_started_at_error = uptime.error();
    return facts;
  }
  facts.frigate_started_at = clock_.Now() - std::chrono::duration_cast<WallTime::duration>(
                                                std::chrono::duration<double>(*uptime));
  facts.frigate_started_at_source = "frigate-uptime";
  return facts;
}

Result<bool> FrigateApiRestartAction::RestartHappened(const Target&,
                                                      const std::string& intent_timestamp) {
  auto intent = kube::ParseRfc3339(intent_timestamp);
  if (!intent) {
    return Result<bool>::Error("intent timestamp \"" + Short(intent_timestamp) +
                               "\" is not RFC 3339");
  }
  auto uptime = Uptime();
  if (!uptime.ok())
    return Result<bool>::Error("cannot tell whether Frigate restarted: " + uptime.error());
  double since_intent = ToUnixSeconds(clock_.Now()) - ToUnixSeconds(*intent);
  return *uptime < since_intent;
}

}  // namespace fhc::remediator
