#include "exporter/logs/event_window.h"

#include <algorithm>

namespace fhc::exporter {

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
  int n = 0;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->time > start; ++it) {
    if (it->kind == kind) n += it->count;
  }
  return n;
}

std::map<std::string, int> EventWindow::CountBySubject(LogEventKind kind) const {
  const WallTime start = WindowStart();
  std::map<std::string, int> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && it->time > start; ++it) {
    if (it->kind == kind) out[it->subject] += it->count;
  }
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
