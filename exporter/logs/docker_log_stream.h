#pragma once
// Decodes the body of the Docker Engine API's `GET /containers/{id}/logs?timestamps=1` into lines.
//
// Without a TTY the body is multiplexed (moby pkg/stdcopy): frames of an 8-byte header
// [stream type (0 stdin, 1 stdout, 2 stderr, 3 system error), 0, 0, 0, payload length as a
// big-endian uint32] and the payload. With a TTY (Config.Tty) it is the raw bytes of one stream.
// Either way every line starts with the daemon's timestamp (RFC 3339, nine fraction digits) and a
// space; it is parsed off and given apart. Frames may split anywhere across chunks; stdout and
// stderr are split into lines separately (a frame of one may arrive inside a line of the other).
// Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/docker/docker_time.h"
#include "exporter/logs/line_splitter.h"

namespace fhc::exporter {

struct DockerLogLine {
  int stream = 1;                          // 1 stdout, 2 stderr (1 for a TTY's raw stream)
  std::optional<docker::DockerTime> time;  // nullopt when the line has no daemon timestamp
  std::string_view text;                   // the line without the timestamp and without "\n"
};

class DockerLogStream {
 public:
  using Handler = std::function<void(const DockerLogLine&)>;
  explicit DockerLogStream(bool tty = false) : tty_(tty) {}

  // Consumes a chunk. False when a frame header is malformed (non-zero padding or an unknown
  // stream type): the rest of the body cannot be framed, the caller drops the connection.
  // Stream type 3 (the daemon's own error, sent in band) is not a log line: it goes to
  // system_error() and is not delivered.
  bool Feed(std::string_view chunk, const Handler& on_line);
  // Delivers pending partial lines (the body ended cleanly).
  void Flush(const Handler& on_line);
  // Starts a new body (after a reconnect); `tty` as the container says now.
  void Reset(bool tty);

  const std::string& system_error() const { return system_error_; }
  bool failed() const { return failed_; }

 private:
  void Deliver(int stream, std::string_view payload, const Handler& on_line);
  static void EmitLine(int stream, std::string_view line, const Handler& on_line);

  bool tty_;
  bool failed_ = false;
  std::string header_;       // bytes of an incomplete frame header
  int frame_stream_ = 0;     // stream of the frame being read
  uint32_t frame_left_ = 0;  // payload bytes of it still to come
  LineSplitter out_, err_;
  std::string system_error_;
};

}  // namespace fhc::exporter
