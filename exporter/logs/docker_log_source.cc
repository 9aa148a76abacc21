#include "exporter/logs/docker_log_source.h"

#include <spdlog/spdlog.h>

#include <functional>

namespace fhc::exporter {

DockerLogSource::DockerLogSource(Options options, ContainerLogApi& api, const Clock& clock,
                                 Sleeper sleeper)
    : options_(std::move(options)), api_(api), clock_(clock), sleeper_(std::move(sleeper)) {}

std::optional<docker::DockerTime> DockerLogSource::SinceFor(const std::string& id) const {
  if (last_id_.empty()) return docker::FromWallTime(clock_.Now() - options_.initial_since);
  if (id != last_id_) return std::nullopt;  // a new container: all of its log is new to us
  if (cursor_) return cursor_;
  return first_since_;  // followed before but nothing read yet: ask for the same window again
}

void DockerLogSource::Accept(const DockerLogLine& line, const LineHandler& on_line) {
  if (line.time) {
    const uint64_t h =
        std::hash<std::string_view>{}(line.text) * 3 + static_cast<uint64_t>(line.stream);
    if (cursor_ && *line.time < *cursor_) {
      ++overlap_dropped_;
      return;
    }
    if (cursor_ && *line.time == *cursor_) {
      if (!at_cursor_.insert(h).second) {
        ++overlap_dropped_;
        return;
      }
    } else {
      cursor_ = line.time;
      at_cursor_.clear();
      at_cursor_.insert(h);
    }
  }
  on_line(line.text);
}

void DockerLogSource::Run(const LineHandler& on_line, const std::atomic<bool>& stop) {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  const auto note_error = [&](const std::string& e) {
    if (e != last_error_) spdlog::warn("docker log source: {}", e);
    last_error_ = e;
  };
  while (!stop.load()) {
    auto info = api_.Inspect(options_.container);
    if (!info) {
      up_ = false;
      note_error(info.error());
      sleeper_(backoff.Next(), stop);
      continue;
    }
    const auto since = SinceFor(info->id);
    if (last_id_.empty()) first_since_ = since;
    if (info->id != last_id_) {
      if (!last_id_.empty()) spdlog::info("docker log source: container is new: {}", info->id);
      cursor_.reset();
      at_cursor_.clear();
    }
    last_id_ = info->id;
    stream_.Reset(info->tty);
    bool got_data = false;
    bool malformed = false;
    const auto deliver = [&](const DockerLogLine& l) { Accept(l, on_line); };
    const http::Response resp = api_.FollowLogs(
        info->id, since,
        [&](std::string_view chunk) {
          got_data = true;
          up_ = true;  // also for the empty chunk that says the stream is open
          if (!stream_.Feed(chunk, deliver)) {
            malformed = true;
            return false;
          }
          return !stop.load();
        },
        &stop);
    if (malformed) {
      ++malformed_bodies_;
      up_ = false;
      note_error("log body is not framed as the container's Tty=" +
                 std::string(info->tty ? "true" : "false") + " says; reconnecting");
      sleeper_(backoff.Next(), stop);
      continue;
    }
    const bool clean_end = resp.ok() && resp.status == 200;
    if (clean_end) {
      // The daemon ends a followed log when the container stops: its last line is complete.
      stream_.Flush(deliver);
      up_ = true;
      last_error_.clear();
    } else if (!stop.load()) {
      note_error("logs of " + options_.container + ": " +
                 (resp.ok() ? std::to_string(resp.status) + " " + docker::ErrorMessage(resp.body)
                            : resp.error));
    }
    if (!stream_.system_error().empty()) note_error("daemon: " + stream_.system_error());
    if (clean_end || got_data) {
      backoff.Reset();
      // Reconnect soon, but not in a tight loop while the container stays stopped.
      sleeper_(options_.backoff_initial, stop);
    } else {
      up_ = false;
      sleeper_(backoff.Next(), stop);
    }
  }
}

}  // namespace fhc::exporter
