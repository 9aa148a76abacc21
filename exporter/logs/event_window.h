#pragma once
// Log events of the last N minutes, placed by their own timestamps (not by when we read them),
// so a re-read or a late poll puts an event where it happened.
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "common/clock/clock.h"
#include "exporter/logs/log_event.h"

namespace fhc::exporter {

class EventWindow {
 public:
  // max_events bounds memory if a log floods us; the oldest are forgotten first.
  EventWindow(const Clock& clock, std::chrono::seconds length, std::size_t max_events = 100'000)
      : clock_(clock), length_(length), max_events_(max_events) {}

  // Records an event at its own time; events without one happened "now". A time in the future
  // (clock skew, or a bracket date that was local time east of UTC) is clamped to now so it
  // cannot stay in the window for longer than the window itself.
  void Add(LogEventKind kind, const std::string& subject, std::optional<WallTime> time,
           int count = 1);

  // Events of `kind` with time in (now - length, now].
  int Count(LogEventKind kind) const;
  // Events of `kind` in the window, per subject ("" for lines that name none).
  std::map<std::string, int> CountBySubject(LogEventKind kind) const;

  // Forgets events that left the window.
  void Prune();

  // Forgets events that happened before `time`: the lines of a Frigate that has since restarted
  // say nothing about the new one (the CronJob read only the new pod's log).
  void ForgetBefore(WallTime time);

  std::chrono::seconds length() const { return length_; }

 private:
  struct Entry {
    WallTime time;
    LogEventKind kind;
    std::string subject;
    int count;
  };
  WallTime WindowStart() const { return clock_.Now() - length_; }

  const Clock& clock_;
  std::chrono::seconds length_;
  std::size_t max_events_;
  std::deque<Entry> entries_;  // sorted by time
};

}  // namespace fhc::exporter
