#include "exporter/logs/line_splitter.h"

#include <cstring>

namespace fhc::exporter {

void LineSplitter::Feed(std::string_view chunk,
                        const std::function<void(std::string_view)>& on_line) {
  while (!chunk.empty()) {
    const char* nl = static_cast<const char*>(std::memchr(chunk.data(), '\n', chunk.size()));
    if (nl == nullptr) {
      partial_.append(chunk);
      while (partial_.size() >= max_) {
        on_line(std::string_view(partial_).substr(0, max_));
        partial_.erase(0, max_);
      }
      return;
    }
    const std::size_t len = static_cast<std::size_t>(nl - chunk.data());
    if (partial_.empty()) {
      on_line(chunk.substr(0, len));  // common case: no copy
    } else {
      partial_.append(chunk.substr(0, len));
      on_line(partial_);
      partial_.clear();
    }
    chunk.remove_prefix(len + 1);
  }
}

void LineSplitter::Flush(const std::function<void(std::string_view)>& on_line) {
  if (partial_.empty()) return;
  on_line(partial_);
  partial_.clear();
}

}  // namespace fhc::exporter
