// DockerLogStream on arbitrary bodies, multiplexed and TTY, fed in two arbitrary pieces: never
// crashes, never delivers a line containing '\n', and gives the same lines however it is cut.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/logs/docker_log_stream.h"

namespace {

std::vector<std::string> Lines(std::string_view body, bool tty, std::size_t cut) {
  fhc::exporter::DockerLogStream s(tty);
  std::vector<std::string> out;
  const auto h = [&](const fhc::exporter::DockerLogLine& l) {
    if (l.text.find('\n') != std::string_view::npos) __builtin_trap();
    if (l.stream != 1 && l.stream != 2) __builtin_trap();
    out.emplace_back(std::to_string(l.stream) + (l.time ? l.time->SinceParameter() : "-") + "|" +
                     std::string(l.text));
  };
  if (s.Feed(body.substr(0, cut), h) && s.Feed(body.substr(cut), h)) s.Flush(h);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::size_t cut = data[0] % size;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (bool tty : {false, true}) {
    const auto whole = Lines(body, tty, body.size());
    if (Lines(body, tty, std::min(cut, body.size())) != whole) __builtin_trap();
  }
  return 0;
}
