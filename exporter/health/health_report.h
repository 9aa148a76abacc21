#pragma once
// The verdict as people and programs read it: JSON for GET /health, text for `check`.
#include <optional>
#include <string>

#include "exporter/health/health_evaluator.h"

namespace fhc::exporter {

struct HealthReport {
  const HealthVerdict* verdict = nullptr;
  std::string frigate_url;
  std::string frigate_version;           // "" when unknown
  std::optional<double> frigate_uptime;  // seconds
  std::string stats_error;               // "" when the stats were usable
  std::string log_source;                // frigate-api | kubernetes | file | none
  bool log_source_up = false;
  int log_window_minutes = 5;
  double checked_at_unix = 0;
  std::string exporter_version;
  // Frigate's /api/config as the verdict used it: usable or not, how old, the last error.
  bool config_usable = false;
  std::optional<double> config_age_seconds;
  std::string config_error;
};

// {"status":"healthy"|"unhealthy","healthy":bool,"failing":[...],"reasons":{name:{"failing":bool,
//  "detail":"..."}},"cameras_left_out":{name:why},"detectors":{name:{"type","inference_ms",
//  "limit_ms","baseline_ms","failing","rule"}},"frigate":{...,"config":{"usable","age_seconds",
//  "error"}},"log_source":{...},"checked_at":"RFC3339","exporter_version"}
std::string HealthJson(const HealthReport& report);
// A few readable lines: the verdict, then one line per reason (failing ones marked).
std::string HealthText(const HealthReport& report);

}  // namespace fhc::exporter
