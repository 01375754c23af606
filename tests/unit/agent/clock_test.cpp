// SimulatedClock (`run --simulate-from`): time starts where told, jumps to what is slept until, and
// never goes back, from any thread.
#include "agent/clock.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace bw::agent {
namespace {

TEST(SimulatedClock, StartsWhereToldAndJumpsToWhatIsSleptUntil) {
  const Time start = from_epoch(1768471200);
  SimulatedClock clock(start);
  EXPECT_EQ(clock.now(), start);
  EXPECT_TRUE(clock.sleep_until(start + Duration{60}));  // not woken early: it never waits
  EXPECT_EQ(clock.now(), start + Duration{60});
  clock.sleep_until(start);  // the past: time does not go back
  EXPECT_EQ(clock.now(), start + Duration{60});
  clock.sleep_for(std::chrono::milliseconds(1500));  // whole seconds, rounded up
  EXPECT_EQ(clock.now(), start + Duration{62});
  clock.wake();
  EXPECT_EQ(clock.now(), start + Duration{62});
}

TEST(SimulatedClock, ConcurrentSleepersOnlyMoveItForward) {
  const Time start = from_epoch(1768471200);
  SimulatedClock clock(start);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&clock, start, t] {
      for (int i = 1; i <= 1000; ++i) {
        const Time before = clock.now();
        clock.sleep_until(start + Duration{i * 4 + t});
        EXPECT_GE(clock.now(), before);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(clock.now(), start + Duration{1000 * 4 + 3});
}

}  // namespace
}  // namespace bw::agent
