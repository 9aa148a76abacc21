#include "exporter/logs/frigate_api_log_source.h"

#include "exporter/logs/line_time.h"
#include "exporter/logs/logs_api_response.h"

namespace fhc::exporter {

FrigateApiLogSource::FrigateApiLogSource(Options options, http::Client& http, Sleeper sleeper)
    : options_(std::move(options)), http_(http), sleeper_(std::move(sleeper)) {}

std::string FrigateApiLogSource::last_error() const {
  std::lock_guard lock(error_mu_);
  return last_error_;
}

bool FrigateApiLogSource::Fetch(bool tail_only, const LineHandler& on_line, bool& reached_known) {
  http::Request req;
  req.url = options_.base_url;
  while (!req.url.empty() && req.url.back() == '/') req.url.pop_back();
  req.url += "/api/logs/frigate";
  if (tail_only) req.url += "?start=-" + std::to_string(options_.tail_lines);
  req.timeout = options_.timeout;
  req.bearer_token = options_.bearer_token;
  const http::Response resp = http_.Send(req);
  std::string error;
  if (!resp.ok()) {
    error = resp.error;
  } else if (resp.status != 200) {
    error = "HTTP " + std::to_string(resp.status) + " from /api/logs/frigate";
    if (resp.status == 404) error += " (Frigate older than 0.12 has no logs endpoint)";
  }
  if (error.empty()) {
    auto page = ParseLogsApiPage(resp.body, resp.Header("content-type"));
    if (!page) {
      error = page.error();
    } else {
      reached_known = !newest_delivered_.has_value();
      for (const auto& line : page->lines) {
        const auto t = ParseS6Time(line);
        if (t && newest_delivered_ && *t <= *newest_delivered_) reached_known = true;
        if (t && (!newest_delivered_ || *t > *newest_delivered_)) newest_delivered_ = t;
        on_line(line);
      }
      // A tail that holds the whole file reaches everything there is.
      if (page->total_lines && static_cast<std::size_t>(*page->total_lines) <= page->lines.size()) {
        reached_known = true;
      }
    }
  }
  std::lock_guard lock(error_mu_);
  last_error_ = error;
  return error.empty();
}

bool FrigateApiLogSource::Poll(const LineHandler& on_line) {
  bool reached_known = false;
  if (!Fetch(have_read_once_, on_line, reached_known)) return false;
  if (have_read_once_ && !reached_known) {
    // The tail began after the newest line we had: fetch everything once to close the gap.
    if (!Fetch(false, on_line, reached_known)) return false;
  }
  have_read_once_ = true;
  return true;
}

void FrigateApiLogSource::Run(const LineHandler& on_line, const std::atomic<bool>& stop) {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  while (!stop.load()) {
    if (Poll(on_line)) {
      up_ = true;
      backoff.Reset();
      sleeper_(options_.interval, stop);
    } else {
      up_ = false;
      sleeper_(backoff.Next(), stop);
    }
  }
}

}  // namespace fhc::exporter
