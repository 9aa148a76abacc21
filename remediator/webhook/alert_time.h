#pragma once
// Alertmanager's timestamps: RFC 3339 with optional fraction, Go's zero time meaning "not set".
#include <optional>
#include <string_view>

#include "common/clock/clock.h"
#include "common/core/result.h"

namespace fhc::remediator {

// "2026-11-28T06:40:44.425Z" -> that time; "0001-01-01T00:00:00Z" (Go's zero time, at any
// offset spelling) -> nullopt ("none"). Years outside 1900-2200 other than the zero time, and
// anything that is not RFC 3339, are errors (they cannot be represented without overflow).
Result<std::optional<WallTime>> ParseAlertTime(std::string_view text);

}  // namespace fhc::remediator
