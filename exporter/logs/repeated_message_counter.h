#pragma once
// Frigate 0.16+ /api/logs collapses consecutive identical messages into the first one plus
// "<ts>  [LOGGING] Last message repeated N times", where <ts> is the first line's timestamp.
// Counting must reflect what happened, so N repeats of a counted line are N more events. Polls
// see the marker grow ("repeated 3" then "repeated 5" under the same timestamp), so only the
// growth since the last poll is new.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "common/clock/clock.h"

namespace fhc::exporter {

// N of a "[LOGGING] Last message repeated N times" line (with or without the s6 prefix).
std::optional<int64_t> ParseRepeatMarker(std::string_view line);

class RepeatedMessageCounter {
 public:
  // Call for every line in delivery order (before de-duplication). For a marker, returns how
  // many additional occurrences of the line just before it are new; 0 for any other line, for a
  // marker whose repeated line is unknown (it fell outside the fetched range) or already counted.
  int64_t OnLine(std::string_view line, std::optional<WallTime> time);

 private:
  std::optional<WallTime> prev_time_;
  uint64_t prev_hash_ = 0;
  bool have_prev_ = false;
  std::map<std::pair<WallTime, uint64_t>, int64_t> counted_;  // (time, line hash) -> N seen
};

}  // namespace fhc::exporter
