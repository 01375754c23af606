#pragma once
// The clock seam: the scheduler, retries and anything with a timeout read time through it, so
// tests move a fake clock (tests/support/fake_clock.hpp) instead of sleeping.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "rules/time.hpp"

namespace bw::agent {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // Sleeps until `t` or until wake() is called; returns false if woken early.
  virtual bool sleep_until(Time t) = 0;
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
  virtual void wake() = 0;
};

class SystemClock final : public Clock {
 public:
  Time now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  bool sleep_until(Time t) override {
    std::unique_lock lock(mu_);
    const bool woken = cv_.wait_until(lock, std::chrono::system_clock::time_point(t), [&] { return woken_; });
    woken_ = false;
    return !woken;
  }
  void sleep_for(std::chrono::milliseconds d) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d, [&] { return woken_; });
  }
  void wake() override {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

// `run --simulate-from`: time starts at a given instant and jumps to whatever the daemon sleeps
// until, so its cycles follow each other without waiting: hours of polling (real requests, the
// daemon's own counters) in minutes. Readable from any thread.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Time start) : now_(start.time_since_epoch().count()) {}
  Time now() const override { return Time{Duration{now_.load()}}; }
  bool sleep_until(Time t) override {
    advance_to(t);
    return true;
  }
  void sleep_for(std::chrono::milliseconds d) override {
    advance_to(now() + std::chrono::ceil<Duration>(d));
  }
  void wake() override {}

 private:
  void advance_to(Time t) {
    auto cur = now_.load();
    while (t.time_since_epoch().count() > cur && !now_.compare_exchange_weak(cur, t.time_since_epoch().count())) {
    }
  }
  std::atomic<Duration::rep> now_;
};

}  // namespace bw::agent
