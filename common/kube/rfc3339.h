#pragma once
// RFC 3339 times as Kubernetes and kubectl write them.
#include <optional>
#include <string>
#include <string_view>

#include "common/clock/clock.h"

namespace fhc::kube {

// "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123456Z", "2024-05-01T12:00:00+02:00"; nullopt
// for anything else (including out-of-range fields).
std::optional<WallTime> ParseRfc3339(std::string_view text);

// Second precision at the given UTC offset, as Go's time.RFC3339 prints it: "Z" for offset 0,
// else "+02:00" / "-05:30". Sub-second parts are dropped (truncated, as Go does).
std::string FormatRfc3339(WallTime t, int utc_offset_seconds);

// FormatRfc3339 at this process's local offset for t (TZ honoured), like kubectl's time.Now().
std::string FormatRfc3339Local(WallTime t);

}  // namespace fhc::kube
