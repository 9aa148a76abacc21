// ClassifyLine and the line-time parsers on arbitrary bytes: the whole input as one line, then
// split at '\n' as a source would deliver it. Must never crash, read out of bounds or loop.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/logs/line_time.h"
#include "exporter/logs/log_classifier.h"
#include "exporter/logs/log_event.h"
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
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    One(input.substr(start, nl - start));
    start = nl + 1;
  }
  return 0;
}
