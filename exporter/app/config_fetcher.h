#pragma once
// Keeps Frigate's /api/config at hand for the verdict (which cameras are off, detector types).
// The body is large (tens to hundreds of kB) and changes rarely (a restart, or a camera switched
// on/off at runtime in 0.16+), so it is read in the background every max_age_seconds, never on a
// scrape's path; a failed read is retried after retry_seconds and the last usable config is kept
// meanwhile (Current() says how old it is and why the last read failed).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock/clock.h"
#include "common/http/http_client.h"
#include "exporter/stats/frigate_config.h"

namespace fhc::exporter {

struct ConfigState {
  std::shared_ptr<const FrigateConfigFacts> facts;  // null until one read succeeded
  std::optional<WallTime> read_at;                  // when `facts` was read
  std::string error;  // the last attempt's error, "" when it succeeded
};

struct ConfigFetcherOptions {
  std::string frigate_url;
  std::string token;
  double timeout_seconds = 10;
  double max_age_seconds = 60;  // CONFIG_MAX_AGE_SECONDS
  double retry_seconds = 10;    // after a failed read (at most max_age_seconds)
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

class ConfigFetcher {
 public:
  ConfigFetcher(http::Client& http, const Clock& clock, ConfigFetcherOptions options);
  ~ConfigFetcher();

  // Never blocks on the network.
  ConfigState Current() const;
  // Reads /api/config now (blocking, bounded by the timeout); keeps the last good on failure.
  void RefreshNow();
  // Reads when due: no config yet, the last good one older than max_age, or the last failure
  // older than the retry time. Returns whether it read.
  bool RefreshIfDue();
  // A background thread calling RefreshIfDue about every second, until Stop().
  void Start();
  void Stop();

 private:
  http::Client& http_;
  const Clock& clock_;
  ConfigFetcherOptions options_;
  mutable std::mutex mu_;
  ConfigState state_;
  std::optional<MonoTime> last_ok_at_;
  std::optional<MonoTime> last_attempt_at_;
  std::string last_logged_error_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fhc::exporter
