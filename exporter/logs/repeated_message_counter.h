#pragma once
// Frigate 0.16+ /api/logs collapses consecutive identical messages into the first one plus
// "<ts>  [LOGGING] Last message repeated N times", where <ts> is the FIRST line's timestamp
// (frigate/util/services.py process_logs, v0.16.0 to v0.18.0-beta1; 0.14/0.15 do not collapse).
// Counting must reflect what happened, so N repeats of a counted line are N more events. Polls
// see the marker grow ("repeated 3" then "repeated 5" under the same timestamp), so only the
// growth since the last poll is new, and it happened after the poll that saw the smaller count.
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

// Occurrences of a repeated line that no earlier marker accounted for, and the earliest time they
// can have happened: the repeated line's own time when this run was never seen before, else the
// moment the previous, smaller count was seen (every one of them came after that).
struct RepeatGrowth {
  int64_t count = 0;
  WallTime not_before{};
};

class RepeatedMessageCounter {
 public:
  // Call for every line in delivery order (before de-duplication); `now` is when it was read.
  // For a marker, returns the occurrences of the line just before it that are new; count 0 for
  // any other line, for a marker whose repeated line is unknown (it fell outside the fetched
  // range) or already counted.
  RepeatGrowth OnLine(std::string_view line, std::optional<WallTime> time, WallTime now);

 private:
  struct Seen {
    int64_t count = 0;
    WallTime at{};  // when that count was first read
  };
  std::optional<WallTime> prev_time_;
  uint64_t prev_hash_ = 0;
  bool have_prev_ = false;
  std::map<std::pair<WallTime, uint64_t>, Seen> counted_;  // (time, line hash) -> largest N seen
};

}  // namespace fhc::exporter
