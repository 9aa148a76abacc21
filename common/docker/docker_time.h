#pragma once
// Times as the Docker Engine writes them: RFC 3339 with up to nine fraction digits
// ("2024-05-01T10:00:00.123456789Z" in log timestamps, trailing zeros dropped in State.StartedAt,
// "0001-01-01T00:00:00Z" for never), and the "<seconds>.<nanoseconds>" form the logs endpoint's
// `since` takes (moby api/types/time/timestamp.go).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock/clock.h"

namespace fhc::docker {

struct DockerTime {
  int64_t seconds = 0;  // since the Unix epoch
  int32_t nanos = 0;    // 0..999'999'999
  auto operator<=>(const DockerTime&) const = default;
  WallTime ToWallTime() const;
  // "1714557600.123456789": what `since=` takes, exact to the nanosecond.
  std::string SinceParameter() const;
};

// nullopt for anything else, out-of-range fields, and Go's zero time (year 1: "never").
std::optional<DockerTime> ParseDockerTime(std::string_view text);

DockerTime FromWallTime(WallTime t);

}  // namespace fhc::docker
