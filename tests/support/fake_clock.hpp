#pragma once
// The test double of the Clock seam: time moves only when told to, and the poll loop's sleep advances
// it instantly, so tests of anything that waits never sleep. Wakes behave as on the real clock: a
// pending wake ends the next sleep of its waiter at once (time does not move) and is consumed;
// another thread's wait_until ends when the test (or the loop's sleep) moves time to it.
#include <atomic>
#include <chrono>

#include "agent/clock.hpp"

namespace bw::agent {

class FakeClock final : public FollowedClock {
 public:
  explicit FakeClock(Time start) : now_(start.time_since_epoch().count()) {}
  Time now() const override { return Time{Duration{now_.load()}}; }
  bool sleep_until(Time t, Waiter& waiter) override {
    if (waiter.wait([] { return true; }, std::chrono::steady_clock::now())) return false;
    if (t > now()) set(t);
    return true;
  }
  void sleep_for(std::chrono::milliseconds d) override {
    slept_ms_ += d.count();
    set(now() + std::chrono::duration_cast<Duration>(d));
  }
  void advance(Duration d) { set(now() + d); }
  std::chrono::milliseconds total_slept() const { return std::chrono::milliseconds(slept_ms_.load()); }

 private:
  void set(Time t) {
    now_ = t.time_since_epoch().count();
    moved();
  }
  std::atomic<Duration::rep> now_;
  std::atomic<std::chrono::milliseconds::rep> slept_ms_{0};
};

}  // namespace bw::agent
