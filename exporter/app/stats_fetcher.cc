#include "exporter/app/stats_fetcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace fhc::exporter {

const std::vector<std::string>& StatsFetcher::Causes() {
  static const std::vector<std::string> causes = {"connection", "timeout", "too_large",
                                                  "http_status", "invalid_body"};
  return causes;
}

StatsFetcher::StatsFetcher(http::Client& http, const Clock& clock, StatsFetcherOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {
  for (const auto& c : Causes()) errors_[c] = 0;
}

std::shared_ptr<const StatsFetch> StatsFetcher::Get() {
  std::unique_lock lock(mu_);
  auto fresh = [&] {
    return last_ && std::chrono::duration<double>(clock_.Monotonic() - last_at_).count() <=
                        options_.max_age_seconds;
  };
  if (fresh()) return last_;
  if (in_flight_) {
    // Another scrape is fetching: share its result. The fetch itself is bounded by the timeout.
    done_.wait(lock, [&] { return !in_flight_; });
    if (last_) return last_;
  }
  in_flight_ = true;
  lock.unlock();
  auto result = FetchNow();
  lock.lock();
  last_ = result;
  last_at_ = clock_.Monotonic();
  in_flight_ = false;
  ++requests_;
  if (!result->stats) {
    ++errors_[result->cause];
    // One short line per change of cause, not one per scrape.
    if (result->cause != last_logged_cause_) {
      spdlog::warn("frigate stats unusable ({}): {}", result->cause, result->error);
    }
    last_logged_cause_ = result->cause;
  } else if (!last_logged_cause_.empty()) {
    spdlog::info("frigate stats usable again");
    last_logged_cause_.clear();
  }
  done_.notify_all();
  return result;
}

std::shared_ptr<const StatsFetch> StatsFetcher::FetchNow() {
  auto fetch = std::make_shared<StatsFetch>();
  http::Request req;
  req.url = options_.frigate_url + "/api/stats";
  req.timeout = std::chrono::milliseconds(static_cast<long>(options_.timeout_seconds * 1000));
  req.connect_timeout = std::min(req.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = options_.max_body_bytes;
  req.bearer_token = options_.token;
  // Frigate 0.13+ caches /api/* for 5 s in nginx; ask for a fresh answer.
  req.headers.emplace_back("X-Cache-Bypass", "1");
  req.headers.emplace_back("Accept", "application/json");
  auto start = clock_.Monotonic();
  http::Response resp = http_.Send(req);
  fetch->fetched_at = clock_.Now();
  fetch->duration_seconds = std::chrono::duration<double>(clock_.Monotonic() - start).count();
  if (!resp.ok()) {
    const std::string& e = resp.error;
    fetch->cause =
        e.find("timeout") != std::string::npos || e.find("timed out") != std::string::npos
            ? "timeout"
        : e.find("larger than") != std::string::npos ? "too_large"
                                                     : "connection";
    fetch->error = e;
    return fetch;
  }
  if (resp.status != 200) {
    fetch->cause = "http_status";
    fetch->error = "HTTP " + std::to_string(resp.status) + " from /api/stats";
    return fetch;
  }
  auto parsed = ParseStats(resp.body);
  if (!parsed) {
    fetch->cause = "invalid_body";
    fetch->error = parsed.error();
    return fetch;
  }
  fetch->stats = std::make_shared<const FrigateStats>(std::move(parsed).value());
  return fetch;
}

std::map<std::string, std::uint64_t> StatsFetcher::ErrorCounts() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::uint64_t StatsFetcher::RequestCount() const {
  std::lock_guard lock(mu_);
  return requests_;
}

}  // namespace fhc::exporter
