// ClassifyLine and the line-time parsers on arbitrary bytes: the whole input as one line, then
// split at '\n' as a source would deliver it, also through the log monitor (de-duplication,
// collapsed-repeat dating, windows). Must never crash, read out of bounds or loop.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/clock/fake_clock.h"
#include "exporter/logs/line_time.h"
#include "exporter/logs/log_classifier.h"
#include "exporter/logs/log_event.h"
#include "exporter/logs/log_monitor.h"
#include "exporter/logs/repeated_message_counter.h"

namespace {
void One(std::string_view line) {
  auto event = fhc::exporter::ClassifyLine(line);
  if (event) {
    // Names must exist for whatever kind came out; subjects are substrings of the line.
    if (fhc::exporter::EventName(event->kind) == "unknown") __builtin_trap();
    if (event->subject.size() > line.size()) __builtin_trap();
  }
  (void)fhc::exporter::ParseLineTime(line);
  (void)fhc::exporter::ParseRepeatMarker(line);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  One(input);
  fhc::FakeClock clock;  // 2023-11-14: lines of any date come before, after or inside the window
  fhc::exporter::LogMonitor monitor(clock, {}, nullptr);
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    One(input.substr(start, nl - start));
    monitor.OnLine(input.substr(start, nl - start));
    start = nl + 1;
  }
  const auto snapshot = monitor.Snapshot();
  // Counts in the window can never be negative nor exceed what was counted in all.
  uint64_t backlog_total = 0;
  for (auto kind : fhc::exporter::AllLogEventKinds()) {
    if (fhc::exporter::IsRecordingBacklog(kind)) backlog_total += snapshot.totals.at(kind);
  }
  if (snapshot.backlog_total_in_window < 0 ||
      static_cast<uint64_t>(snapshot.backlog_total_in_window) > backlog_total) {
    __builtin_trap();
  }
  return 0;
}
