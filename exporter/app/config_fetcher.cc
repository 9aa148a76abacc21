#include "exporter/app/config_fetcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace fhc::exporter {
namespace {

double SecondsBetween(MonoTime from, MonoTime to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

ConfigFetcher::ConfigFetcher(http::Client& http, const Clock& clock, ConfigFetcherOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

ConfigFetcher::~ConfigFetcher() { Stop(); }

ConfigState ConfigFetcher::Current() const {
  std::lock_guard lock(mu_);
  return state_;
}

void ConfigFetcher::RefreshNow() {
  http::Request req;
  req.url = options_.frigate_url + "/api/config";
  req.timeout = std::chrono::milliseconds(static_cast<long>(options_.timeout_seconds * 1000));
  req.connect_timeout = std::min(req.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = options_.max_body_bytes;
  req.bearer_token = options_.token;
  req.headers.emplace_back("Accept", "application/json");
  http::Response resp = http_.Send(req);
  std::string error;
  std::shared_ptr<const FrigateConfigFacts> facts;
  if (!resp.ok()) {
    error = resp.error;
  } else if (resp.status != 200) {
    error = "HTTP " + std::to_string(resp.status) + " from /api/config";
  } else if (auto parsed = ParseFrigateConfig(resp.body); !parsed) {
    error = parsed.error();
  } else {
    facts = std::make_shared<const FrigateConfigFacts>(std::move(parsed).value());
  }
  std::lock_guard lock(mu_);
  last_attempt_at_ = clock_.Monotonic();
  state_.error = error;
  if (facts) {
    state_.facts = std::move(facts);
    state_.read_at = clock_.Now();
    last_ok_at_ = last_attempt_at_;
  }
  if (error != last_logged_error_) {
    if (error.empty()) {
      spdlog::info("frigate config readable again");
    } else {
      spdlog::warn("frigate config unusable (the verdict keeps {}): {}",
                   state_.facts ? "the last one read" : "no camera states or detector types",
                   error);
    }
    last_logged_error_ = error;
  }
}

bool ConfigFetcher::RefreshIfDue() {
  {
    std::lock_guard lock(mu_);
    const MonoTime now = clock_.Monotonic();
    const double retry = std::min(options_.retry_seconds, options_.max_age_seconds);
    bool due = true;
    if (last_attempt_at_ && !state_.error.empty()) {
      due = SecondsBetween(*last_attempt_at_, now) >= retry;
    } else if (last_ok_at_) {
      due = SecondsBetween(*last_ok_at_, now) >= options_.max_age_seconds;
    }
    if (!due) return false;
  }
  RefreshNow();
  return true;
}

void ConfigFetcher::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      RefreshIfDue();
      lock.lock();
      stop_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  });
}

void ConfigFetcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fhc::exporter
