#include "rules/aggregate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace bw {
namespace {

std::optional<double> agg(const char* stat, std::vector<double> values) { return aggregate(stat, values); }

std::vector<double> one_to(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1.0);
  std::reverse(v.begin(), v.end());  // unsorted on purpose
  return v;
}

TEST(Aggregate, BasicStatistics) {
  const std::vector<double> v = {4, 1, 7, 2, 6};
  EXPECT_EQ(agg("Sum", v), 20.0);
  EXPECT_EQ(agg("Average", v), 4.0);
  EXPECT_EQ(agg("Minimum", v), 1.0);
  EXPECT_EQ(agg("Maximum", v), 7.0);
  EXPECT_EQ(agg("SampleCount", v), 5.0);
  EXPECT_EQ(agg("Average", {1, 2}), 1.5);
  EXPECT_EQ(agg("Sum", {-3, 3}), 0.0);
}

struct PercentileCase {
  const char* stat;
  std::vector<double> values;
  double expected;
};

TEST(Aggregate, NearestRankPercentiles) {
  const PercentileCase rows[] = {
      // The textbook nearest-rank sample: ranks ceil(p/100 x 5).
      {"p5", {15, 20, 35, 40, 50}, 15},
      {"p30", {15, 20, 35, 40, 50}, 20},
      {"p40", {15, 20, 35, 40, 50}, 20},
      {"p50", {50, 40, 35, 20, 15}, 35},
      {"p100", {15, 20, 35, 40, 50}, 50},
      // 1..10: p90 is rank 9 exactly (integer arithmetic, no 9.000000001 -> rank 10).
      {"p10", one_to(10), 1},
      {"p50", one_to(10), 5},
      {"p90", one_to(10), 9},
      {"p90.1", one_to(10), 10},
      {"p99", one_to(10), 10},
      // 1..100
      {"p0", one_to(100), 1},
      {"p0.5", one_to(100), 1},
      {"p1.5", one_to(100), 2},
      {"p50", one_to(100), 50},
      {"p90", one_to(100), 90},
      {"p99", one_to(100), 99},
      {"p99.5", one_to(100), 100},
      {"p99.9", one_to(100), 100},
      {"p99.99", one_to(100), 100},
      // Small samples: every percentile is an observed value.
      {"p50", {7}, 7},
      {"p99", {7}, 7},
      {"p50", {1, 2}, 1},
      {"p51", {1, 2}, 2},
      {"p99", {3, 1, 2}, 3},
      {"p33", {3, 1, 2}, 1},
      {"p34", {3, 1, 2}, 2},
  };
  for (const auto& r : rows) {
    auto values = r.values;
    EXPECT_EQ(aggregate(r.stat, values), r.expected) << r.stat << " of " << r.values.size() << " values";
  }
}

TEST(Aggregate, UnknownStatisticsAndNoValues) {
  for (const char* bad : {"", "avg", "average", "Average ", "P99", "p", "p.5", "p-1", "p101", "p100.01", "p99.999",
                          "p99.", "p9x", "p1000", "tm99", "IQM"}) {
    EXPECT_FALSE(is_statistic(bad)) << '"' << bad << '"';
    EXPECT_FALSE(agg(bad, {1, 2, 3})) << '"' << bad << '"';
  }
  for (const char* good : {"Average", "Sum", "Minimum", "Maximum", "SampleCount", "p0", "p50", "p99.9", "p99.99",
                           "p100", "p100.0", "p05"}) {
    EXPECT_TRUE(is_statistic(good)) << good;
    EXPECT_FALSE(agg(good, {})) << good;
  }
}

// ---- aggregate_series ----

const Time kBase = from_epoch(1'795'305'600);  // 2026-11-22T00:00:00Z, a multiple of every period used here
constexpr Duration kMinute{60};

Datapoint raw(int second, double v) { return Datapoint{kBase + Duration{second}, v}; }

TEST(AggregateSeries, BucketsIntoEpochAlignedPeriods) {
  const std::vector<Datapoint> points = {raw(130, 5), raw(0, 1), raw(59, 2), raw(60, 10), raw(179, 7), raw(61, 20)};
  EXPECT_EQ(aggregate_series(points, kMinute, "Sum", kBase, kBase + Duration{300}),
            (std::vector<Datapoint>{{kBase, 3}, {kBase + kMinute, 30}, {kBase + 2 * kMinute, 12}}));
  EXPECT_EQ(aggregate_series(points, kMinute, "SampleCount", kBase, kBase + Duration{300}),
            (std::vector<Datapoint>{{kBase, 2}, {kBase + kMinute, 2}, {kBase + 2 * kMinute, 2}}));
  EXPECT_EQ(aggregate_series(points, kMinute, "Maximum", kBase, kBase + Duration{300}),
            (std::vector<Datapoint>{{kBase, 2}, {kBase + kMinute, 20}, {kBase + 2 * kMinute, 7}}));
  // Five minutes: everything falls into one period.
  EXPECT_EQ(aggregate_series(points, Duration{300}, "Average", kBase, kBase + Duration{300}),
            (std::vector<Datapoint>{{kBase, 45.0 / 6}}));
}

TEST(AggregateSeries, RangeIsHalfOpen) {
  const std::vector<Datapoint> points = {raw(-1, 100), raw(0, 1), raw(119, 2), raw(120, 3)};
  EXPECT_EQ(aggregate_series(points, kMinute, "Sum", kBase, kBase + 2 * kMinute),
            (std::vector<Datapoint>{{kBase, 1}, {kBase + kMinute, 2}}));
}

TEST(AggregateSeries, UnalignedBounds) {
  const std::vector<Datapoint> points = {raw(10, 1), raw(50, 2), raw(70, 3), raw(130, 4), raw(170, 5)};
  // A start inside a period drops that partial period rather than stamping it before `start`.
  EXPECT_EQ(aggregate_series(points, kMinute, "Sum", kBase + Duration{30}, kBase + Duration{180}),
            (std::vector<Datapoint>{{kBase + kMinute, 3}, {kBase + 2 * kMinute, 9}}));
  // An end inside a period keeps what has arrived, like CloudWatch's current period.
  EXPECT_EQ(aggregate_series(points, kMinute, "Sum", kBase, kBase + Duration{150}),
            (std::vector<Datapoint>{{kBase, 3}, {kBase + kMinute, 3}, {kBase + 2 * kMinute, 4}}));
}

TEST(AggregateSeries, PercentilePerPeriodAndNegativeEpochs) {
  std::vector<Datapoint> points;
  for (int i = 1; i <= 10; ++i) points.push_back(raw(i, i));
  for (int i = 1; i <= 4; ++i) points.push_back(raw(60 + i, 10.0 * i));
  EXPECT_EQ(aggregate_series(points, kMinute, "p90", kBase, kBase + 2 * kMinute),
            (std::vector<Datapoint>{{kBase, 9}, {kBase + kMinute, 40}}));
  EXPECT_EQ(aggregate_series(points, kMinute, "p50", kBase, kBase + 2 * kMinute),
            (std::vector<Datapoint>{{kBase, 5}, {kBase + kMinute, 20}}));
  // Before 1970 periods still align down, not toward zero.
  const std::vector<Datapoint> old = {{from_epoch(-30), 1}, {from_epoch(-90), 2}};
  EXPECT_EQ(aggregate_series(old, kMinute, "Sum", from_epoch(-120), from_epoch(0)),
            (std::vector<Datapoint>{{from_epoch(-120), 2}, {from_epoch(-60), 1}}));
}

TEST(AggregateSeries, UnknownStatisticOrBadPeriodGivesNothing) {
  const std::vector<Datapoint> points = {raw(0, 1)};
  EXPECT_TRUE(aggregate_series(points, kMinute, "Median", kBase, kBase + kMinute).empty());
  EXPECT_TRUE(aggregate_series(points, Duration{0}, "Sum", kBase, kBase + kMinute).empty());
  EXPECT_TRUE(aggregate_series({}, kMinute, "Sum", kBase, kBase + kMinute).empty());
  EXPECT_TRUE(aggregate_series(points, kMinute, "Sum", kBase + kMinute, kBase).empty());
}

}  // namespace
}  // namespace bw
