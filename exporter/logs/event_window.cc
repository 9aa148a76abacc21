#include "exporter/logs/event_window.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace fhc::exporter {
namespace {
// A hostile log can claim a billion repeats per marker: sums saturate instead of overflowing.
int Clamp(int64_t n) {
  return static_cast<int>(std::min<int64_t>(n, std::numeric_limits<int>::max()));
}
}  // namespace

void EventWindow::Add(LogEventKind kind, const std::string& subject, std::optional<WallTime> time,
                      int count) {
  const WallTime now = clock_.Now();
  WallTime t = time.value_or(now);
  if (t > now) t = now;
  if (t <= now - length_) return;  // already outside: nothing to remember
  // Lines arrive nearly in order, so the insertion point is almost always the end.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), t,
                             [](WallTime v, const Entry& e) { return v < e.time; });
  entries_.insert(it, Entry{t, kind, subject, count});
  while (entries_.size() > max_events_) entries_.pop_front();
}

int EventWindow::Count(LogEventKind kind) const {
  const WallTime start = WindowStart();
  int64_t n = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->time > start; ++it) {
    if (it->kind == kind) n += it->count;
  }
  return Clamp(n);
}

std::map<std::string, int> EventWindow::CountBySubject(LogEventKind kind) const {
  const WallTime start = WindowStart();
  std::map<std::string, int64_t> sums;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->time > start; ++it) {
    if (it->kind == kind) sums[it->subject] += it->count;
  }
  std::map<std::string, int> out;
  for (const auto& [subject, n] : sums) out[subject] = Clamp(n);
  return out;
}

void EventWindow::ForgetBefore(WallTime time) {
  while (!entries_.empty() && entries_.front().time < time) entries_.pop_front();
}

void EventWindow::Prune() {
  const WallTime start = WindowStart();
  while (!entries_.empty() && entries_.front().time <= start) entries_.pop_front();
}

}  // namespace fhc::exporter
