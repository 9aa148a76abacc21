#include "exporter/logs/line_deduplicator.h"

#include <functional>
#include <string>

namespace fhc::exporter {

bool LineDeduplicator::Accept(std::string_view line, std::optional<WallTime> time) {
  // Cheapest test first: whole-file re-reads are mostly lines far below the watermark.
  if (time && watermark_ && *time < *watermark_ - options_.tolerance) return false;
  const uint64_t hash = std::hash<std::string_view>{}(line);
  if (!time) {
    if (untimed_.count(hash) != 0) return false;
    untimed_.insert(hash);
    untimed_order_.push_back(hash);
    if (untimed_order_.size() > options_.max_untimed_hashes) {
      untimed_.erase(untimed_order_.front());
      untimed_order_.pop_front();
    }
    return true;
  }
  // Two lines with equal text also have equal times, so the text hash alone identifies a line.
  if (timed_.count(hash) != 0) return false;
  timed_.insert(hash);
  timed_order_.push_back({*time, hash});
  if (!watermark_ || *time > *watermark_) watermark_ = *time;
  PruneTimed();
  return true;
}

void LineDeduplicator::PruneTimed() {
  const WallTime oldest_kept = *watermark_ - options_.tolerance;
  // Entries leave in arrival order; a late-arriving older line stays until those before it go,
  // which only keeps a hash a little longer than needed (never drops a needed one early, since
  // lines older than oldest_kept are refused by the watermark anyway).
  while (!timed_order_.empty() && (timed_order_.front().time < oldest_kept ||
                                   timed_order_.size() > options_.max_timed_hashes)) {
    auto it = timed_.find(timed_order_.front().hash);
    if (it != timed_.end()) timed_.erase(it);
    timed_order_.pop_front();
  }
}

}  // namespace fhc::exporter
