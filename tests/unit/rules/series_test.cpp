#include "rules/series.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace bw {
namespace {

const Time kEnd = from_epoch(1'795'327'200);  // 2026-11-22T06:00:00Z
constexpr Duration kPeriod{60};

std::vector<std::optional<double>> values(const std::vector<Slot>& slots) {
  std::vector<std::optional<double>> out;
  for (const auto& s : slots) out.push_back(s.value);
  return out;
}

TEST(MakeWindow, SlotsEndAtEndExclusiveOldestFirst) {
  const auto w = make_window({}, kEnd, kPeriod, 3);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].start, kEnd - 3 * kPeriod);
  EXPECT_EQ(w[1].start, kEnd - 2 * kPeriod);
  EXPECT_EQ(w[2].start, kEnd - kPeriod);
  for (const auto& s : w) EXPECT_FALSE(s.value);
}

TEST(MakeWindow, PointsOnSlotStartsFillTheirSlots) {
  const std::vector<Datapoint> pts = {{kEnd - 3 * kPeriod, 1}, {kEnd - kPeriod, 3}};
  const auto w = make_window(pts, kEnd, kPeriod, 3);
  EXPECT_EQ(values(w), (std::vector<std::optional<double>>{1.0, std::nullopt, 3.0}));
}

TEST(MakeWindow, OffGridPointsAreIgnored) {
  const std::vector<Datapoint> pts = {
      {kEnd - 3 * kPeriod + Duration{1}, 1}, {kEnd - 2 * kPeriod, 2}, {kEnd - kPeriod + Duration{59}, 3}};
  const auto w = make_window(pts, kEnd, kPeriod, 3);
  EXPECT_EQ(values(w), (std::vector<std::optional<double>>{std::nullopt, 2.0, std::nullopt}));
}

TEST(MakeWindow, PointsOutsideTheWindowAreIgnored) {
  const std::vector<Datapoint> pts = {{kEnd - 10 * kPeriod, 9}, {kEnd - 4 * kPeriod, 8}, {kEnd - 2 * kPeriod, 2},
                                      {kEnd, 7},                {kEnd + kPeriod, 6}};
  const auto w = make_window(pts, kEnd, kPeriod, 3);
  EXPECT_EQ(values(w), (std::vector<std::optional<double>>{std::nullopt, 2.0, std::nullopt}));
}

TEST(MakeWindow, EmptyInputsAndZeroCount) {
  EXPECT_TRUE(make_window({}, kEnd, kPeriod, 0).empty());
  EXPECT_TRUE(make_window({{kEnd - kPeriod, 1}}, kEnd, kPeriod, 0).empty());
  EXPECT_TRUE(make_window({{kEnd - kPeriod, 1}}, kEnd, kPeriod, -2).empty());
  const auto w = make_window({}, kEnd, Duration{300}, 5);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w.front().start, kEnd - Duration{1500});
}

TEST(MakeWindow, LongerPeriods) {
  const Duration p{300};
  const std::vector<Datapoint> pts = {{kEnd - 2 * p, 1}, {kEnd - p - kPeriod, 5}, {kEnd - p, 2}};
  EXPECT_EQ(values(make_window(pts, kEnd, p, 2)), (std::vector<std::optional<double>>{1.0, 2.0}));
}

TEST(MakeWindow, ReusedBufferHoldsOnlyTheNewWindow) {
  std::vector<Slot> buffer;
  make_window({{kEnd - 2 * kPeriod, 4}, {kEnd - kPeriod, 5}}, kEnd, kPeriod, 4, buffer);
  ASSERT_EQ(values(buffer), (std::vector<std::optional<double>>{std::nullopt, std::nullopt, 4.0, 5.0}));
  const auto* storage = buffer.data();
  make_window({{kEnd - 3 * kPeriod, 1}}, kEnd, kPeriod, 3, buffer);
  EXPECT_EQ(values(buffer), (std::vector<std::optional<double>>{1.0, std::nullopt, std::nullopt}));
  EXPECT_EQ(buffer.front().start, kEnd - 3 * kPeriod);
  EXPECT_EQ(buffer.data(), storage);  // no reallocation for a window that fits
}

// Every on-grid point lands in its slot, whatever mix of gaps, off-grid points and repeats surrounds it.
TEST(MakeWindow, MatchesSlotArithmeticOnMixedInput) {
  std::vector<Datapoint> pts;
  for (int i = 0; i < 200; ++i) {
    const Time t = kEnd - kPeriod * 150 + Duration{(i * 37) % 11 == 0 ? 7 : 0} + kPeriod * (i * 3 / 4);
    pts.push_back({t, static_cast<double>(i)});
  }
  std::sort(pts.begin(), pts.end());
  const auto w = make_window(pts, kEnd, kPeriod, 100);
  ASSERT_EQ(w.size(), 100u);
  const Time first = kEnd - kPeriod * 100;
  std::vector<std::optional<double>> expected(100);
  for (const auto& p : pts) {
    const auto offset = (p.start - first).count();
    if (p.start < first || p.start >= kEnd || offset % kPeriod.count() != 0) continue;
    expected[static_cast<std::size_t>(offset / kPeriod.count())] = p.value;  // a repeated start: the last wins
  }
  EXPECT_EQ(values(w), expected);
  EXPECT_GT(std::count_if(expected.begin(), expected.end(), [](auto v) { return v.has_value(); }), 50);
}

MetricId metric(std::vector<Dimension> dims) {
  return MetricId{"AWS/Bedrock/Batch", "NumberOfRecordsPendingProcessing", std::move(dims)};
}

TEST(MetricId, NormalizeSortsDimensionsByName) {
  auto m = metric({{"region", "x"}, {"modelId", "m1"}, {"account", "1"}});
  m.normalize();
  ASSERT_EQ(m.dimensions.size(), 3u);
  EXPECT_EQ(m.dimensions[0].name, "account");
  EXPECT_EQ(m.dimensions[1].name, "modelId");
  EXPECT_EQ(m.dimensions[2].name, "region");
  auto other = metric({{"modelId", "m1"}, {"account", "1"}, {"region", "x"}});
  EXPECT_NE(m, other);  // order matters until normalized
  other.normalize();
  EXPECT_EQ(m, other);
}

TEST(SeriesKey, EqualityAndOrdering) {
  const SeriesKey a{metric({{"modelId", "m1"}}), "Maximum", Duration{60}};
  SeriesKey b = a;
  EXPECT_EQ(a, b);
  b.period = Duration{300};
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  SeriesKey c = a;
  c.stat = "Average";
  EXPECT_LT(c, a);  // stat compares before period
  SeriesKey d = a;
  d.metric.dimensions[0].value = "m2";
  EXPECT_LT(a, d);
  SeriesKey e = a;
  e.metric.ns = "AWS/Bedrock";
  EXPECT_LT(e, a);  // namespace compares first
  EXPECT_LT(e, c);
}

TEST(SeriesKey, StrIsStable) {
  const SeriesKey a{metric({{"modelId", "m1"}}), "Maximum", Duration{60}};
  EXPECT_EQ(a.str(), "AWS/Bedrock/Batch|NumberOfRecordsPendingProcessing|modelId=m1|Maximum|60");
  const SeriesKey b{metric({}), "p99", Duration{300}};
  EXPECT_EQ(b.str(), "AWS/Bedrock/Batch|NumberOfRecordsPendingProcessing||p99|300");
  auto m = metric({{"region", "x"}, {"modelId", "m1"}});
  m.normalize();
  EXPECT_EQ((SeriesKey{m, "Sum", Duration{3600}}.str()),
            "AWS/Bedrock/Batch|NumberOfRecordsPendingProcessing|modelId=m1,region=x|Sum|3600");
}

TEST(LabelsText, JoinsInOrder) {
  EXPECT_EQ(labels_text({}), "");
  EXPECT_EQ(labels_text({{"modelId", "m1"}}), "modelId=m1");
  EXPECT_EQ(labels_text({{"modelId", "m1"}, {"region", "x"}}), "modelId=m1,region=x");
  EXPECT_EQ(labels_text({{"region", "x"}, {"modelId", "m1"}}), "region=x,modelId=m1");
}

}  // namespace
}  // namespace bw
