#pragma once
// LOG_SOURCE=docker: follows Frigate's container log through the Docker Engine API
// (GET /containers/{id}/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=...), framed or raw
// as the container's Config.Tty says.
//
// Reconnecting (the daemon ends a followed log when the container stops, so every restart ends
// it; also network and daemon restarts) never counts a line twice: the daemon's own timestamp of
// the last line read is the cursor, the next connection asks for `since` that exact nanosecond
// (inclusive), and lines at the cursor already seen are told apart by a hash of their text. Lines
// older than the cursor are dropped. A restarted container keeps its log, so the cursor carries
// over; a new container (another ID: `docker compose up` recreated it) is read from its start.
// The caller's LineDeduplicator still sees every line, as for the other sources.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/clock/clock.h"
#include "common/core/result.h"
#include "common/docker/docker_client.h"
#include "exporter/logs/docker_log_stream.h"
#include "exporter/logs/log_source.h"

namespace fhc::exporter {

// The two Engine API calls this source needs; a seam so tests script containers and bodies.
class ContainerLogApi {
 public:
  virtual ~ContainerLogApi() = default;
  virtual Result<docker::ContainerInfo> Inspect(const std::string& name) = 0;
  virtual http::Response FollowLogs(const std::string& id,
                                    const std::optional<docker::DockerTime>& since,
                                    const http::ChunkHandler& on_chunk,
                                    const std::atomic<bool>* cancel) = 0;
};

class DockerContainerLogApi final : public ContainerLogApi {
 public:
  // label: find the container by this label (DOCKER_CONTAINER_LABEL) on every look-up.
  explicit DockerContainerLogApi(docker::Client& client, std::string label = "")
      : client_(client), label_(std::move(label)) {}
  Result<docker::ContainerInfo> Inspect(const std::string& name) override {
    auto id = client_.Resolve(name, label_);
    if (!id) return Result<docker::ContainerInfo>::Error(id.error());
    return client_.Inspect(*id);
  }
  http::Response FollowLogs(const std::string& id, const std::optional<docker::DockerTime>& since,
                            const http::ChunkHandler& on_chunk,
                            const std::atomic<bool>* cancel) override {
    return client_.FollowLogs(id, since, on_chunk, cancel);
  }

 private:
  docker::Client& client_;
  std::string label_;
};

class DockerLogSource final : public LogSource {
 public:
  struct Options {
    std::string container = "frigate";           // DOCKER_CONTAINER
    std::chrono::seconds initial_since{6 * 60};  // first connect: the log window and a bit
    std::chrono::milliseconds backoff_initial{1'000};
    std::chrono::milliseconds backoff_max{60'000};
  };
  DockerLogSource(Options options, ContainerLogApi& api, const Clock& clock,
                  Sleeper sleeper = RealSleeper());

  void Run(const LineHandler& on_line, const std::atomic<bool>& stop) override;
  bool up() const override { return up_.load(); }

  // `since` for the next connection to container `id` (nullopt = its whole log). For tests.
  std::optional<docker::DockerTime> SinceFor(const std::string& id) const;
  // Lines dropped as already read (reconnect overlap). For tests and the debug log.
  uint64_t overlap_dropped() const { return overlap_dropped_; }
  uint64_t malformed_bodies() const { return malformed_bodies_; }

 private:
  // Delivers a decoded line unless the cursor says it was read already.
  void Accept(const DockerLogLine& line, const LineHandler& on_line);

  Options options_;
  ContainerLogApi& api_;
  const Clock& clock_;
  Sleeper sleeper_;
  std::atomic<bool> up_{false};
  std::string last_id_;                            // container followed last ("" before the first)
  std::optional<docker::DockerTime> cursor_;       // daemon time of the newest line read
  std::optional<docker::DockerTime> first_since_;  // what the first connection asked for
  std::unordered_set<uint64_t> at_cursor_;         // hashes of lines read at exactly cursor_
  DockerLogStream stream_;
  uint64_t overlap_dropped_ = 0;
  uint64_t malformed_bodies_ = 0;
  std::string last_error_;  // logged once per change, not per retry
};

}  // namespace fhc::exporter
