// When cycles run: next_cycle / next_cycle_after_failure, checked point by point.
#include "agent/cycle/scheduler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kHour;
using testing::kMinute;
using testing::RuleBuilder;

constexpr Duration k5m{300};

config::Rule composite(std::string name) {
  config::Rule r;
  r.name = std::move(name);
  r.file = "rules/test.yaml";
  r.line = 1;
  r.spec = CompositeSpec{{"a", "b"}, {}, false};
  return r;
}

// ---- next_cycle, point by point ----

struct Case {
  const char* now;
  const char* next;
};

TEST(NextCycle, OneMinuteRuleRunsAtTheNextBoundaryPlusDelay) {
  // delay 90s: a 1m period ending at hh:mm:00 is trusted at hh:mm+1:30.
  const auto cfg = testing::make_config({RuleBuilder("r").period(kMinute)}, Duration{90});
  const Case cases[] = {
      {"2026-11-22T06:05:00Z", "2026-11-22T06:05:30Z"},
      {"2026-11-22T06:05:10Z", "2026-11-22T06:05:30Z"},
      {"2026-11-22T06:05:29Z", "2026-11-22T06:05:30Z"},
      // Exactly at a boundary + delay: that boundary is the cycle running now (or the caller's
      // first cycle); the next one is a whole period later, never `now` again.
      {"2026-11-22T06:05:30Z", "2026-11-22T06:06:30Z"},
      {"2026-11-22T06:05:31Z", "2026-11-22T06:06:30Z"},
      {"2026-11-22T06:05:59Z", "2026-11-22T06:06:30Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(next_cycle(cfg, at(c.now)), at(c.next)) << "now " << c.now;
}

TEST(NextCycle, DelayZeroRunsRightAtTheBoundary) {
  const auto cfg = testing::make_config({RuleBuilder("r").period(k5m)}, Duration{0});
  EXPECT_EQ(next_cycle(cfg, at("2026-11-22T06:05:00Z")), at("2026-11-22T06:10:00Z"));
  EXPECT_EQ(next_cycle(cfg, at("2026-11-22T06:09:59Z")), at("2026-11-22T06:10:00Z"));
  EXPECT_EQ(next_cycle(cfg, at("2026-11-22T06:10:00Z")), at("2026-11-22T06:15:00Z"));
}

TEST(NextCycle, DelayLongerThanThePeriod) {
  // 1m periods trusted 5m after they end: the boundaries + delay are still one a minute.
  const auto cfg = testing::make_config({RuleBuilder("r").period(kMinute)}, Duration{330});
  EXPECT_EQ(next_cycle(cfg, at("2026-11-22T06:05:00Z")), at("2026-11-22T06:05:30Z"));
  EXPECT_EQ(next_cycle(cfg, at("2026-11-22T06:05:30Z")), at("2026-11-22T06:06:30Z"));
}

TEST(NextCycle, EarliestBoundaryOverEveryRuleWins) {
  const auto five = RuleBuilder("five").period(k5m).build();
  const auto one = RuleBuilder("one").period(kMinute).build();
  const auto hour = RuleBuilder("hour").period(kHour).build();
  const Time now = at("2026-11-22T06:05:00Z");
  // Each alone (delay 2m): the 06:05 boundary of the 5m rule is trusted at 06:07.
  EXPECT_EQ(next_cycle(testing::make_config({five}), now), at("2026-11-22T06:07:00Z"));
  EXPECT_EQ(next_cycle(testing::make_config({hour}), now), at("2026-11-22T07:02:00Z"));
  EXPECT_EQ(next_cycle(testing::make_config({one}), now), at("2026-11-22T06:06:00Z"));
  // Together, in either order: the 1m rule's boundary comes first.
  EXPECT_EQ(next_cycle(testing::make_config({five, one}), now), at("2026-11-22T06:06:00Z"));
  EXPECT_EQ(next_cycle(testing::make_config({one, five}), now), at("2026-11-22T06:06:00Z"));
  // 5m and 1h: the 5m boundary wins over the hour's.
  EXPECT_EQ(next_cycle(testing::make_config({hour, five}), now), at("2026-11-22T06:07:00Z"));
  // Right after the 06:06 cycle the 1m rule asks for 06:07, which is also the 5m rule's time.
  EXPECT_EQ(next_cycle(testing::make_config({five, one}), at("2026-11-22T06:06:00Z")), at("2026-11-22T06:07:00Z"));
}

TEST(NextCycle, AlwaysStrictlyInTheFutureAndAtMostOneShortestPeriodAway) {
  // Every second of an hour, for 1m + 5m rules and several delays: the answer is after now, is a
  // boundary + delay of one of the periods, and never skips a boundary of the shortest period.
  for (const Duration delay : {Duration{0}, Duration{45}, Duration{120}, Duration{330}}) {
    const auto cfg =
        testing::make_config({RuleBuilder("five").period(k5m), RuleBuilder("one").period(kMinute)}, delay);
    const Time start = at("2026-11-22T06:00:00Z");
    for (Time now = start; now < start + kHour; now += Duration{1}) {
      const Time next = next_cycle(cfg, now);
      ASSERT_GT(next, now) << format_rfc3339(now) << " delay " << delay.count();
      ASSERT_LE(next, now + kMinute) << format_rfc3339(now) << " delay " << delay.count();
      ASSERT_EQ(period_floor(next - delay, kMinute), next - delay) << format_rfc3339(now);
    }
  }
}

TEST(NextCycle, NoRuleWithAMetricMeansOncePerMinute) {
  const Time now = at("2026-11-22T06:05:17Z");
  EXPECT_EQ(next_cycle(testing::make_config({}), now), now + Duration{60});
  EXPECT_EQ(next_cycle(testing::make_config({composite("both")}), now), now + Duration{60});
  EXPECT_EQ(next_cycle_after_failure(testing::make_config({composite("both")}), now), now + Duration{30});
  // A composite rule beside a metric rule does not change the metric rule's schedule.
  const auto mixed = testing::make_config({composite("both"), RuleBuilder("hour").period(kHour)});
  EXPECT_EQ(next_cycle(mixed, now), at("2026-11-22T07:02:00Z"));
}

// ---- after a failed cycle ----

TEST(NextCycleAfterFailure, RetriesWithinThirtySecondsButNeverLaterThanTheSchedule) {
  const auto hourly = testing::make_config({RuleBuilder("r").period(kHour)});
  const auto minutely = testing::make_config({RuleBuilder("r").period(kMinute)});
  const Time now = at("2026-11-22T06:05:00Z");
  // A long period: do not wait an hour to retry a transient error.
  EXPECT_EQ(next_cycle(hourly, now), at("2026-11-22T07:02:00Z"));
  EXPECT_EQ(next_cycle_after_failure(hourly, now), now + Duration{30});
  // The usual schedule is sooner than 30 s: keep it.
  EXPECT_EQ(next_cycle_after_failure(minutely, at("2026-11-22T06:05:50Z")), at("2026-11-22T06:06:00Z"));
  EXPECT_EQ(next_cycle_after_failure(minutely, at("2026-11-22T06:05:30Z")), at("2026-11-22T06:06:00Z"));
  EXPECT_EQ(next_cycle_after_failure(minutely, at("2026-11-22T06:05:29Z")), at("2026-11-22T06:05:59Z"));
  // The caller's own retry_after.
  EXPECT_EQ(next_cycle_after_failure(hourly, now, Duration{5}), now + Duration{5});
  // Property: after now, at most 30 s away, never after the normal schedule.
  for (Time t = now; t < now + kHour; t += Duration{7}) {
    for (const auto* cfg : {&hourly, &minutely}) {
      const Time retry = next_cycle_after_failure(*cfg, t);
      ASSERT_GT(retry, t) << format_rfc3339(t);
      ASSERT_LE(retry, t + Duration{30}) << format_rfc3339(t);
      ASSERT_LE(retry, next_cycle(*cfg, t)) << format_rfc3339(t);
    }
  }
}

// The loop that calls these, on a fake clock: tests/unit/agent/cli/daemon_loop_test.cpp.

}  // namespace
}  // namespace bw::agent
