#include "exporter/logs/log_source.h"

#include <thread>

namespace fhc::exporter {

Sleeper RealSleeper() {
  return [](std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    // Short steps so that shutdown never waits for a long backoff.
    constexpr std::chrono::milliseconds kStep{50};
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          kStep, until - std::chrono::steady_clock::now()));
    }
  };
}

}  // namespace fhc::exporter
