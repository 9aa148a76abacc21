#pragma once
// Where log lines come from (LOG_SOURCE): a file, Frigate's /api/logs, or the Kubernetes pod log.
// I/O lives in the implementations; everything after the line (de-duplication, classification,
// windows) is shared and pure.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

namespace fhc::exporter {

using LineHandler = std::function<void(std::string_view line)>;

// Waits `d` or until *stop is true, whichever comes first. Tests inject one that records delays.
using Sleeper = std::function<void(std::chrono::milliseconds d, const std::atomic<bool>& stop)>;
Sleeper RealSleeper();

class LogSource {
 public:
  virtual ~LogSource() = default;
  // Delivers complete lines (no '\n') in log order until `stop` becomes true; reconnects on its
  // own with capped exponential backoff. Lines may repeat across reconnects: the caller
  // de-duplicates. Returns soon (well under a second) after `stop` is set.
  virtual void Run(const LineHandler& on_line, const std::atomic<bool>& stop) = 0;
  // True while the last attempt to read the log succeeded.
  virtual bool up() const = 0;
};

// Delay doubling from `initial` up to `max`; Reset() after a success.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(max), next_(initial) {}
  std::chrono::milliseconds Next() {
    const auto d = next_;
    next_ = std::min(max_, next_ * 2);
    return d;
  }
  void Reset() { next_ = initial_; }

 private:
  std::chrono::milliseconds initial_, max_, next_;
};

}  // namespace fhc::exporter
