#pragma once
// LOG_SOURCE=frigate-api: polls GET {FRIGATE_URL}/api/logs/frigate.
//
// Incremental on 0.14+: after a first full read, each poll asks for the tail only
// (`?start=-<tail_lines>`, a Python slice, so negative works). 0.12-0.13 ignore the query and send
// the whole file each time. Either way lines repeat between polls and after Frigate's log
// rotates; the de-duplicator (by s6 timestamp and line hash) drops what was seen. When a tail
// does not reach back to the newest line already delivered (more new lines than the tail holds),
// the whole log is fetched at once so nothing in between is lost.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "exporter/logs/log_source.h"

namespace fhc::exporter {

class FrigateApiLogSource final : public LogSource {
 public:
  struct Options {
    std::string base_url = "http://127.0.0.1:5000";  // FRIGATE_URL
    std::string bearer_token;                        // FRIGATE_TOKEN
    std::chrono::milliseconds interval{10'000};
    std::chrono::milliseconds timeout{10'000};  // API_TIMEOUT_SECONDS
    int tail_lines = 500;
    std::chrono::milliseconds backoff_initial{1'000};
    std::chrono::milliseconds backoff_max{60'000};
  };
  FrigateApiLogSource(Options options, http::Client& http, Sleeper sleeper = RealSleeper());

  void Run(const LineHandler& on_line, const std::atomic<bool>& stop) override;
  bool up() const override { return up_.load(); }

  // Last failure, for the exporter's own log ("" when up).
  std::string last_error() const;

 private:
  // One poll; false (with last_error set) on failure.
  bool Poll(const LineHandler& on_line);
  bool Fetch(bool tail_only, const LineHandler& on_line, bool& reached_known);

  Options options_;
  http::Client& http_;
  Sleeper sleeper_;
  std::atomic<bool> up_{false};
  bool have_read_once_ = false;
  std::optional<WallTime> newest_delivered_;
  mutable std::mutex error_mu_;
  std::string last_error_;
};

}  // namespace fhc::exporter
