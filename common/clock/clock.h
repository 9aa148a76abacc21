#pragma once
// The one seam for time: production code never calls std::chrono clocks directly, so windows,
// gates and backoff are tested with FakeClock in microseconds.
#include <chrono>

namespace fhc {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;
using Seconds = std::chrono::duration<double>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (for timestamps that leave the process and for comparing with Frigate's).
  virtual WallTime Now() const = 0;
  // Monotonic time (for intervals, ages and timeouts).
  virtual MonoTime Monotonic() const = 0;
};

// The real clocks. Stateless; one shared instance is enough.
class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// Seconds since the Unix epoch, as Frigate and Prometheus write them.
inline double ToUnixSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
inline WallTime FromUnixSeconds(double s) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::duration<double>(s)));
}

}  // namespace fhc
