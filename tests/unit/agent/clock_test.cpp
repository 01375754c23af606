// The Clock seam: SimulatedClock (`run --simulate-from`) starts where told, jumps to what is slept
// until, and never goes back, from any thread; every clock keeps one wake flag per Waiter, so a wake
// meant for the poll loop shortens neither a retry backoff nor another thread's wait.
#include "agent/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "tests/support/fake_clock.hpp"

namespace bw::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(SimulatedClock, StartsWhereToldAndJumpsToWhatIsSleptUntil) {
  const Time start = from_epoch(1768471200);
  SimulatedClock clock(start);
  Clock::Waiter loop;
  EXPECT_EQ(clock.now(), start);
  EXPECT_TRUE(clock.sleep_until(start + Duration{60}, loop));  // not woken early: it never waits
  EXPECT_EQ(clock.now(), start + Duration{60});
  clock.sleep_until(start, loop);  // the past: time does not go back
  EXPECT_EQ(clock.now(), start + Duration{60});
  clock.sleep_for(milliseconds(1500));  // whole seconds, rounded up
  EXPECT_EQ(clock.now(), start + Duration{62});
  loop.wake();
  EXPECT_FALSE(clock.sleep_until(start + Duration{70}, loop));  // the wake is reported and consumed
  EXPECT_TRUE(clock.sleep_until(start + Duration{80}, loop));
  EXPECT_EQ(clock.now(), start + Duration{80});
}

TEST(SimulatedClock, ConcurrentSleepersOnlyMoveItForward) {
  const Time start = from_epoch(1768471200);
  SimulatedClock clock(start);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&clock, start, t] {
      Clock::Waiter own;
      for (int i = 1; i <= 1000; ++i) {
        const Time before = clock.now();
        clock.sleep_until(start + Duration{i * 4 + t}, own);
        EXPECT_GE(clock.now(), before);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(clock.now(), start + Duration{1000 * 4 + 3});
}

TEST(SimulatedClock, AFollowerWaitsForTheDriverAndNeverMovesTime) {
  const Time start = from_epoch(1768471200);
  SimulatedClock clock(start);
  Clock::Waiter driver, follower;
  bool reached = false;
  std::thread delivery([&] { reached = clock.wait_until(start + Duration{30}, follower); });
  clock.sleep_until(start + Duration{30}, driver);  // the loop's sleep moves time; the follower sees it
  delivery.join();
  EXPECT_TRUE(reached);
  EXPECT_EQ(clock.now(), start + Duration{30});
}

// The bug of issue 12: a SIGHUP woke the one shared flag, sleep_for never cleared it, and every retry
// backoff after it returned at once. These use the real clock for tens of milliseconds: the subject
// is the real clock's waiting itself.
TEST(SystemClock, AWakeOfTheLoopDoesNotShortenARetryBackoff) {
  SystemClock clock;
  Clock::Waiter loop;
  loop.wake();  // SIGHUP during a cycle
  for (int retry = 0; retry < 3; ++retry) {
    const auto before = steady_clock::now();
    clock.sleep_for(milliseconds(30));
    EXPECT_GE(steady_clock::now() - before, milliseconds(30)) << "retry " << retry;
  }
  // The wake is still the loop's: its next sleep ends at once, and only that one.
  EXPECT_FALSE(clock.sleep_until(clock.now() + Duration{60}, loop));
  const auto before = steady_clock::now();
  EXPECT_TRUE(clock.sleep_until(clock.now(), loop));
  EXPECT_LT(steady_clock::now() - before, milliseconds(500));
}

TEST(SystemClock, AWakeEndsOnlyItsOwnWaitersSleep) {
  SystemClock clock;
  Clock::Waiter loop, delivery;
  bool loop_reached = true;
  std::thread poll([&] { loop_reached = clock.sleep_until(clock.now() + Duration{60}, loop); });
  loop.wake();
  poll.join();  // ends now, not in 60 s
  EXPECT_FALSE(loop_reached);
  // The delivery thread's wait was not woken: it runs to its time (the next second, here).
  const Time until = clock.now() + Duration{1};
  EXPECT_TRUE(clock.wait_until(until, delivery));
  EXPECT_GE(clock.now(), until);
}

TEST(FakeClock, WakesBehaveAsOnTheRealClock) {
  const Time start = from_epoch(1768471200);
  FakeClock clock(start);
  Clock::Waiter loop;
  loop.wake();
  clock.sleep_for(milliseconds(2000));  // a backoff is not cut short
  EXPECT_EQ(clock.now(), start + Duration{2});
  EXPECT_FALSE(clock.sleep_until(start + Duration{60}, loop));  // a pending wake: time does not move
  EXPECT_EQ(clock.now(), start + Duration{2});
  EXPECT_TRUE(clock.sleep_until(start + Duration{60}, loop));
  EXPECT_EQ(clock.now(), start + Duration{60});
}

}  // namespace
}  // namespace bw::agent
