#pragma once
// Where a Frigate log line sits in time. Two layouts carry a time:
//   s6-log prefix (0.12+):  "2023-09-11 06:26:15.749417159  <rest>"   (UTC, nanoseconds)
//   Python formatter:       "[2023-09-11 06:26:15] logger LEVEL: msg" (container local time,
//                           second precision; we treat it as UTC because the line says no zone)
#include <cstddef>
#include <optional>
#include <string_view>

#include "common/clock/clock.h"

namespace fhc::exporter {

// Length of the s6 prefix including its two trailing spaces ("YYYY-MM-DD HH:MM:SS.nnnnnnnnn  ").
inline constexpr std::size_t kS6PrefixLength = 31;

// True when the line starts with a well-formed s6 prefix. Cheap: fixed-position checks only.
bool HasS6Prefix(std::string_view line);

// Time of the s6 prefix, or nullopt when there is none or it does not denote a real date.
std::optional<WallTime> ParseS6Time(std::string_view line);

// Time of a "[YYYY-MM-DD HH:MM:SS]" at the start of `text`, read as UTC.
std::optional<WallTime> ParseBracketTime(std::string_view text);

// The line's own time: the s6 prefix when present, else a bracket date at the start of the line
// (the layout of images up to 0.11), else nullopt.
std::optional<WallTime> ParseLineTime(std::string_view line);

}  // namespace fhc::exporter
