#pragma once
// Fetches Frigate's /api/stats for scrapes: concurrent callers share one request in flight, and a
// result is reused while younger than max_age. A caller never waits longer than the request's
// own timeout. Failures are classified by cause, counted, and logged once per change of cause.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "exporter/stats/frigate_stats.h"

namespace fhc::exporter {

struct StatsFetch {
  std::shared_ptr<const FrigateStats> stats;  // null when the stats are unusable
  std::string cause;  // when null: connection|timeout|too_large|http_status|invalid_body
  std::string error;  // when null: one short line
  WallTime fetched_at{};
  double duration_seconds = 0;
};

struct StatsFetcherOptions {
  std::string frigate_url;  // e.g. http://127.0.0.1:5000
  std::string token;        // bearer for Frigate's authenticated port, or ""
  double timeout_seconds = 10;
  double max_age_seconds = 1;
  std::size_t max_body_bytes = 8 * 1024 * 1024;  // a real 100-camera body is ~200 kB
};

class StatsFetcher {
 public:
  StatsFetcher(http::Client& http, const Clock& clock, StatsFetcherOptions options);
  // The newest fetch, fetching first when there is none younger than max_age. Never null.
  std::shared_ptr<const StatsFetch> Get();
  // Failed fetches by cause since start (frigate_exporter_stats_errors_total{cause}).
  std::map<std::string, std::uint64_t> ErrorCounts() const;
  std::uint64_t RequestCount() const;

  // The causes, for pre-declaring counter series at 0.
  static const std::vector<std::string>& Causes();

 private:
  std::shared_ptr<const StatsFetch> FetchNow();

  http::Client& http_;
  const Clock& clock_;
  StatsFetcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  bool in_flight_ = false;
  std::shared_ptr<const StatsFetch> last_;
  MonoTime last_at_{};
  std::map<std::string, std::uint64_t> errors_;
  std::uint64_t requests_ = 0;
  std::string last_logged_cause_;
};

}  // namespace fhc::exporter
