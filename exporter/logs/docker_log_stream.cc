#include "exporter/logs/docker_log_stream.h"

#include <algorithm>

namespace fhc::exporter {

void DockerLogStream::Reset(bool tty) {
  tty_ = tty;
  failed_ = false;
  header_.clear();
  frame_stream_ = 0;
  frame_left_ = 0;
  out_.Reset();
  err_.Reset();
  system_error_.clear();
}

void DockerLogStream::EmitLine(int stream, std::string_view line, const Handler& on_line) {
  DockerLogLine l;
  l.stream = stream;
  const auto space = line.find(' ');
  if (space != std::string_view::npos) l.time = docker::ParseDockerTime(line.substr(0, space));
  l.text = l.time ? line.substr(space + 1) : line;
  on_line(l);
}

void DockerLogStream::Deliver(int stream, std::string_view payload, const Handler& on_line) {
  if (stream == 3) {
    if (system_error_.size() < 4096) system_error_.append(payload.substr(0, 4096));
    return;
  }
  if (stream == 0) return;  // stdin is never in a log; nothing to count
  LineSplitter& s = stream == 2 ? err_ : out_;
  s.Feed(payload, [&](std::string_view line) { EmitLine(stream, line, on_line); });
}

bool DockerLogStream::Feed(std::string_view chunk, const Handler& on_line) {
  if (failed_) return false;
  if (tty_) {
    Deliver(1, chunk, on_line);
    return true;
  }
  while (!chunk.empty()) {
    if (frame_left_ > 0) {
      const std::size_t n = std::min<std::size_t>(frame_left_, chunk.size());
      Deliver(frame_stream_, chunk.substr(0, n), on_line);
      frame_left_ -= static_cast<uint32_t>(n);
      chunk.remove_prefix(n);
      continue;
    }
    const std::size_t need = 8 - header_.size();
    const std::size_t n = std::min(need, chunk.size());
    header_.append(chunk.substr(0, n));
    chunk.remove_prefix(n);
    if (header_.size() < 8) break;
    const auto b = [&](int i) { return static_cast<unsigned char>(header_[i]); };
    if (b(0) > 3 || b(1) != 0 || b(2) != 0 || b(3) != 0) {
      failed_ = true;
      return false;
    }
    frame_stream_ = b(0);
    frame_left_ = (static_cast<uint32_t>(b(4)) << 24) | (static_cast<uint32_t>(b(5)) << 16) |
                  (static_cast<uint32_t>(b(6)) << 8) | static_cast<uint32_t>(b(7));
    header_.clear();
  }
  return true;
}

void DockerLogStream::Flush(const Handler& on_line) {
  out_.Flush([&](std::string_view line) { EmitLine(1, line, on_line); });
  err_.Flush([&](std::string_view line) { EmitLine(2, line, on_line); });
}

}  // namespace fhc::exporter
