#pragma once
// The clock seam: the scheduler, retries, the delivery thread and anything with a timeout read time
// and wait through it, so tests move a fake clock (tests/support/fake_clock.hpp) instead of sleeping.
//
// Each place that waits and can be woken (the poll loop, the delivery thread) has a Waiter of its
// own: a wake is meant for one waiter, so a SIGHUP that wakes the poll loop never cuts short the
// delivery thread's sleep nor a retry backoff (sleep_for cannot be woken at all). A wake that comes
// while its waiter is busy is kept, and the next wait on that waiter ends at once and consumes it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "rules/time.hpp"

namespace bw::agent {

class Clock {
 public:
  // One waiting place's wake flag. wake() may be called from any thread (a signal thread).
  class Waiter {
   public:
    void wake() {
      {
        std::lock_guard lock(mu_);
        woken_ = true;
      }
      cv_.notify_all();
    }

    // Until woken, `done()` or the steady `deadline`; consumes a wake and returns whether there was
    // one. Called by clocks, not by the code that waits (it calls the clock).
    template <class Done, class Deadline>
    bool wait(Done done, Deadline deadline) {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, deadline, [&] { return woken_ || done(); });
      return std::exchange(woken_, false);
    }
    // Lets a waiter that waits for `done()` re-check it (a simulated clock moved).
    void notify() {
      { std::lock_guard lock(mu_); }  // a waiter between its check and its wait sees the change first
      cv_.notify_all();
    }

   private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
  };

  virtual ~Clock() = default;
  virtual Time now() const = 0;
  // The poll loop's sleep: until `t`, or until `waiter` is woken (then false). On a simulated clock
  // the caller drives time: it jumps to `t`.
  virtual bool sleep_until(Time t, Waiter& waiter) = 0;
  // Another thread's wait (the delivery thread): until the clock reaches `t`, or until `waiter` is
  // woken (then false). On a simulated clock it never moves time: it waits for the driver to.
  virtual bool wait_until(Time t, Waiter& waiter) = 0;
  // A pause nothing wakes early (retry backoff).
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

class SystemClock final : public Clock {
 public:
  Time now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  bool sleep_until(Time t, Waiter& waiter) override {
    // A condition variable waits on the steady clock: convert, so a wall-clock step is not a stall.
    const auto left = std::chrono::system_clock::time_point(t) - std::chrono::system_clock::now();
    const auto deadline = std::chrono::steady_clock::now() + std::max(left, std::chrono::system_clock::duration{0});
    return !waiter.wait([] { return false; }, deadline);
  }
  bool wait_until(Time t, Waiter& waiter) override { return sleep_until(t, waiter); }
  void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

// Clocks whose time moves only when a caller says so (simulated, fake): threads in wait_until are
// told of every move, so they wake when the driver reaches their time.
class FollowedClock : public Clock {
 public:
  bool wait_until(Time t, Waiter& waiter) override {
    register_follower(waiter, true);
    // A bounded wait is only a safety net: every move of time notifies the followers.
    bool woken = false;
    while (!woken && now() < t)
      woken = waiter.wait([&] { return now() >= t; }, std::chrono::steady_clock::now() + std::chrono::seconds(1));
    register_follower(waiter, false);
    return !woken;
  }

 protected:
  // Call after every move of time.
  void moved() {
    std::lock_guard lock(followers_mu_);
    for (auto* w : followers_) w->notify();
  }

 private:
  void register_follower(Waiter& waiter, bool add) {
    std::lock_guard lock(followers_mu_);
    if (add) followers_.push_back(&waiter);
    else followers_.erase(std::find(followers_.begin(), followers_.end(), &waiter));
  }
  std::mutex followers_mu_;
  std::vector<Waiter*> followers_;
};

// `run --simulate-from`: time starts at a given instant and jumps to whatever the daemon sleeps
// until, so its cycles follow each other without waiting: hours of polling (real requests, the
// daemon's own counters) in minutes. Readable from any thread.
class SimulatedClock final : public FollowedClock {
 public:
  explicit SimulatedClock(Time start) : now_(start.time_since_epoch().count()) {}
  Time now() const override { return Time{Duration{now_.load()}}; }
  bool sleep_until(Time t, Waiter& waiter) override {
    advance_to(t);
    return !waiter.wait([] { return true; }, std::chrono::steady_clock::now());  // consume a pending wake
  }
  void sleep_for(std::chrono::milliseconds d) override {
    advance_to(now() + std::chrono::ceil<Duration>(d));
  }

 private:
  void advance_to(Time t) {
    auto cur = now_.load();
    while (t.time_since_epoch().count() > cur && !now_.compare_exchange_weak(cur, t.time_since_epoch().count())) {
    }
    moved();
  }
  std::atomic<Duration::rep> now_;
};

}  // namespace bw::agent
