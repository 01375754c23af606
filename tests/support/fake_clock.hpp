#pragma once
// The test double of the Clock seam: time moves only when told to, and sleeping advances it
// instantly, so tests of anything that waits never sleep.
#include <chrono>

#include "agent/clock.hpp"

namespace bw::agent {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Time start) : now_(start) {}
  Time now() const override { return now_; }
  bool sleep_until(Time t) override {
    if (t > now_) now_ = t;
    return true;
  }
  void sleep_for(std::chrono::milliseconds d) override {
    slept_ += d;
    now_ += std::chrono::duration_cast<Duration>(d);
  }
  void wake() override {}
  void advance(Duration d) { now_ += d; }
  std::chrono::milliseconds total_slept() const { return slept_; }

 private:
  Time now_;
  std::chrono::milliseconds slept_{0};
};

}  // namespace bw::agent
