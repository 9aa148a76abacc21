#pragma once
// Makes sure a line is counted once, however often a source delivers it (reconnect overlap,
// re-read of a file, `?start=-500` polls that return lines already seen).
//
// Lines with a time (s6 prefix or bracket date): Frigate's log is written by one writer in time
// order, so everything older than the newest time seen (the watermark) minus a small tolerance
// has been seen; it is dropped. Lines inside the tolerance are told apart by a hash of their full
// text, kept for as long as they are inside it. The same message at another time is another line
// (its prefix differs), so it counts again.
// Lines without a time (tracebacks, ffmpeg output): a bounded set of the most recent hashes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/clock/clock.h"

namespace fhc::exporter {

class LineDeduplicator {
 public:
  struct Options {
    // Lines this much older than the newest seen are still accepted if their text is new
    // (absorbs a small backwards clock step and second-precision bracket dates).
    std::chrono::milliseconds tolerance{2'000};
    std::size_t max_timed_hashes = 200'000;  // bound for pathological bursts inside tolerance
    std::size_t max_untimed_hashes = 4'096;
  };
  LineDeduplicator() : LineDeduplicator(Options{}) {}
  explicit LineDeduplicator(Options options) : options_(options) {}

  // True when the line is new and must be processed; `time` is the line's own time if any.
  bool Accept(std::string_view line, std::optional<WallTime> time);

  std::optional<WallTime> watermark() const { return watermark_; }

 private:
  struct Timed {
    WallTime time;
    uint64_t hash;
  };
  void PruneTimed();

  Options options_;
  std::optional<WallTime> watermark_;
  std::deque<Timed> timed_order_;  // in arrival order (times nearly ascending)
  std::unordered_multiset<uint64_t> timed_;
  std::deque<uint64_t> untimed_order_;
  std::unordered_set<uint64_t> untimed_;
};

}  // namespace fhc::exporter
