#pragma once
// Turns a byte stream that arrives in arbitrary chunks into complete lines.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace fhc::exporter {

class LineSplitter {
 public:
  // A partial line longer than max_line_bytes is cut there and delivered as a line of its own
  // (bounded memory for a stream that never sends '\n').
  explicit LineSplitter(std::size_t max_line_bytes = 64 * 1024) : max_(max_line_bytes) {}

  // Delivers every line completed by `chunk`, without its "\n" (a trailing "\r" is kept: the
  // classifier ignores it). The rest waits for the next chunk.
  void Feed(std::string_view chunk, const std::function<void(std::string_view)>& on_line);

  // Delivers the pending partial line, if any (at the end of a stream that ended cleanly).
  void Flush(const std::function<void(std::string_view)>& on_line);

  // Drops the pending partial line (the stream broke: its rest will never come).
  void Reset() { partial_.clear(); }

  std::size_t pending() const { return partial_.size(); }

 private:
  std::size_t max_;
  std::string partial_;
};

}  // namespace fhc::exporter
