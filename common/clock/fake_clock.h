#pragma once
// A clock tests move by hand. Thread-safe.
#include <atomic>
#include <mutex>

#include "common/clock/clock.h"

namespace fhc {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = FromUnixSeconds(1'700'000'000.0)) : wall_(start) {}
  WallTime Now() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  MonoTime Monotonic() const override {
    std::lock_guard lock(mu_);
    return mono_;
  }
  template <typename D>
  void Advance(D d) {
    std::lock_guard lock(mu_);
    wall_ += std::chrono::duration_cast<WallTime::duration>(d);
    mono_ += std::chrono::duration_cast<MonoTime::duration>(d);
  }
  void SetWall(WallTime t) {
    std::lock_guard lock(mu_);
    wall_ = t;
  }

 private:
  mutable std::mutex mu_;
  WallTime wall_;
  MonoTime mono_{};
};

}  // namespace fhc
