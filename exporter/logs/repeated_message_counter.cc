#include "exporter/logs/repeated_message_counter.h"

#include <algorithm>
#include <functional>

#include "exporter/logs/line_time.h"

namespace fhc::exporter {
namespace {
constexpr std::string_view kMarker = "[LOGGING] Last message repeated ";
constexpr std::size_t kMaxRemembered = 1024;
}  // namespace

std::optional<int64_t> ParseRepeatMarker(std::string_view line) {
  if (HasS6Prefix(line)) line.remove_prefix(kS6PrefixLength);
  if (line.substr(0, kMarker.size()) != kMarker) return std::nullopt;
  line.remove_prefix(kMarker.size());
  int64_t n = 0;
  std::size_t i = 0;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
    if (n > 1'000'000'000) return std::nullopt;
    n = n * 10 + (line[i] - '0');
  }
  if (i == 0 || line.substr(i, 6) != " times") return std::nullopt;
  return n;
}

RepeatGrowth RepeatedMessageCounter::OnLine(std::string_view line, std::optional<WallTime> time,
                                            WallTime now) {
  auto n = ParseRepeatMarker(line);
  if (!n) {
    have_prev_ = true;
    prev_time_ = time;
    prev_hash_ = std::hash<std::string_view>{}(line);
    return {};
  }
  // The marker carries the repeated line's own timestamp; anything else means the line before
  // it in this delivery is not the one repeated.
  if (!have_prev_ || !time || !prev_time_ || *prev_time_ != *time) return {};
  auto [it, first_sight] = counted_.try_emplace({*time, prev_hash_});
  Seen& seen = it->second;
  RepeatGrowth growth;
  if (*n > seen.count) {
    growth.count = *n - seen.count;
    growth.not_before = first_sight ? *time : std::max(*time, seen.at);
    seen.count = *n;
    seen.at = now;
  }
  while (counted_.size() > kMaxRemembered) counted_.erase(counted_.begin());
  return growth;
}

}  // namespace fhc::exporter
