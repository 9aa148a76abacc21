#pragma once
// Strict parser of Alertmanager webhook bodies (payload version "4").
#include <string_view>

#include "common/core/result.h"
#include "remediator/webhook/notification.h"

namespace fhc::remediator {

// Deepest JSON nesting accepted. A real body nests 4 levels (body > alerts > alert > labels).
inline constexpr int kMaxWebhookDepth = 32;

// Parses and validates a webhook body. Required: a JSON object with "version" == "4", "status"
// ("firing"|"resolved") and "alerts" (array of objects, each with "status" and "labels"). Every
// other known field is optional, but when present must have its documented type (strings,
// objects of strings, integer truncatedAlerts, RFC 3339 times); unknown fields are ignored.
// On failure the error is one short sentence naming the field, fit for a 400 response body,
// e.g. "alerts[2].labels.severity: expected a string".
Result<Notification> ParseWebhook(std::string_view body);

}  // namespace fhc::remediator
