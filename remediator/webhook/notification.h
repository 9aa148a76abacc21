#pragma once
// An Alertmanager webhook notification (payload version "4"), as the remediator keeps it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock/clock.h"

namespace fhc::remediator {

using Labels = std::map<std::string, std::string>;

enum class AlertStatus { kFiring, kResolved };
const char* AlertStatusName(AlertStatus status);  // "firing" | "resolved"

struct Alert {
  AlertStatus status = AlertStatus::kFiring;
  Labels labels;
  Labels annotations;
  // Absent when Alertmanager sent the zero time (0001-01-01T00:00:00Z): for a firing alert
  // endsAt is always the zero time.
  std::optional<WallTime> starts_at;
  std::optional<WallTime> ends_at;
  std::string generator_url;
  // Alertmanager's 16-hex label-set hash. When a sender leaves it out, the parser derives a
  // stable one from the labels so deduplication still works.
  std::string fingerprint;

  // The value of a label, "" when absent.
  const std::string& Label(const std::string& name) const;
  const std::string& Name() const { return Label("alertname"); }
};

struct Notification {
  std::string version;  // always "4" after parsing
  std::string receiver;
  AlertStatus status = AlertStatus::kFiring;
  std::string group_key;
  std::int64_t truncated_alerts = 0;
  std::string external_url;  // Alertmanager's own URL
  // Alertmanager >= 0.32 only ("first notification", "repeat interval elapsed", ...); "" before.
  std::string notification_reason;
  Labels group_labels;
  Labels common_labels;
  Labels common_annotations;
  std::vector<Alert> alerts;
};

}  // namespace fhc::remediator
