#include "agent/cycle/metric_source.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::kNs;
using testing::kPending;
using testing::kTokens;

config::MetricSpec spec(std::vector<Dimension> d) {
  config::MetricSpec m;
  m.ns = kNs;
  m.name = kTokens;
  m.dimensions = testing::dims(std::move(d));
  m.stat = "Average";
  m.period = Duration{3600};
  return m;
}

aws::MetricListing listing(std::string ns, std::string name, std::vector<aws::MetricDimension> d) {
  return aws::MetricListing{std::move(ns), std::move(name), std::move(d)};
}

using DimSets = std::vector<std::vector<Dimension>>;

TEST(MatchListings, WildcardExpandsToEveryValueSortedAndDeduplicated) {
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kTokens, {{"modelId", "m2"}}),
      listing(kNs, kTokens, {{"modelId", "m1"}}),
      listing(kNs, kTokens, {{"modelId", "m2"}}),
      listing(kNs, kTokens, {{"modelId", "m10"}}),
  };
  EXPECT_EQ(match_listings(spec({{"modelId", "*"}}), listings),
            (DimSets{{{"modelId", "m1"}}, {{"modelId", "m10"}}, {{"modelId", "m2"}}}));
}

TEST(MatchListings, OnlyTheExactSetOfDimensionNamesMatches) {
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kTokens, {{"modelId", "m1"}}),
      listing(kNs, kTokens, {{"modelId", "m2"}, {"region", "x"}}),  // a superset is another metric
      listing(kNs, kTokens, {}),                                     // so is the aggregate
      listing(kNs, kTokens, {{"ModelId", "m3"}}),                    // names are case-sensitive
      listing(kNs, kTokens, {{"region", "m4"}}),                     // same count, other name
  };
  EXPECT_EQ(match_listings(spec({{"modelId", "*"}}), listings), (DimSets{{{"modelId", "m1"}}}));
}

TEST(MatchListings, NamespaceAndMetricNameMustMatch) {
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kPending, {{"modelId", "m1"}}),
      listing("AWS/Bedrock", kTokens, {{"modelId", "m2"}}),
      listing(kNs, kTokens, {{"modelId", "m3"}}),
  };
  EXPECT_EQ(match_listings(spec({{"modelId", "*"}}), listings), (DimSets{{{"modelId", "m3"}}}));
}

TEST(MatchListings, FixedValuesMustMatchAndWildcardsExpand) {
  // Listings come back in any dimension order; results are sorted by name.
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kTokens, {{"modelId", "m1"}, {"jobQueue", "q1"}}),
      listing(kNs, kTokens, {{"jobQueue", "q2"}, {"modelId", "m2"}}),
      listing(kNs, kTokens, {{"jobQueue", "q1"}, {"modelId", "m0"}}),
      listing(kNs, kTokens, {{"jobQueue", "Q1"}, {"modelId", "m5"}}),
  };
  EXPECT_EQ(match_listings(spec({{"modelId", "*"}, {"jobQueue", "q1"}}), listings),
            (DimSets{{{"jobQueue", "q1"}, {"modelId", "m0"}}, {{"jobQueue", "q1"}, {"modelId", "m1"}}}));
}

TEST(MatchListings, TwoWildcardsExpandTogether) {
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kTokens, {{"b", "2"}, {"a", "1"}}),
      listing(kNs, kTokens, {{"a", "1"}, {"b", "1"}}),
      listing(kNs, kTokens, {{"a", "0"}, {"b", "9"}}),
      listing(kNs, kTokens, {{"a", "1"}, {"b", "1"}}),
  };
  EXPECT_EQ(match_listings(spec({{"a", "*"}, {"b", "*"}}), listings),
            (DimSets{{{"a", "0"}, {"b", "9"}}, {{"a", "1"}, {"b", "1"}}, {{"a", "1"}, {"b", "2"}}}));
}

TEST(MatchListings, FixedOnlySpecMatchesItself) {
  const std::vector<aws::MetricListing> listings = {
      listing(kNs, kTokens, {{"modelId", "m1"}}),
      listing(kNs, kTokens, {{"modelId", "m2"}}),
  };
  EXPECT_EQ(match_listings(spec({{"modelId", "m2"}}), listings), (DimSets{{{"modelId", "m2"}}}));
}

TEST(MatchListings, NoListingsNoSeries) {
  EXPECT_TRUE(match_listings(spec({{"modelId", "*"}}), {}).empty());
}

TEST(FakeMetricSource, FetchReturnsPointsInTheRangePerKey) {
  // The fake is the engine tests' ground truth; make sure it honours the MetricSource contract.
  testing::FakeMetricSource src;
  const auto k1 = testing::series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", Duration{3600});
  const auto k2 = testing::series_key(kNs, kTokens, {{"modelId", "m2"}}, "Average", Duration{3600});
  const auto t0 = testing::at("2026-11-22T00:00:00Z");
  src.add_point(k1, t0 + Duration{7200}, 3);
  src.add_point(k1, t0, 1);
  src.add_point(k1, t0 + Duration{3600}, 2);
  src.add_point(k1, t0 + Duration{3600}, 20);  // late datapoint overwrites
  auto got = src.fetch({k2, k1}, t0, t0 + Duration{7200});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_TRUE(got.value()[0].empty());
  EXPECT_EQ(got.value()[1], (std::vector<Datapoint>{{t0, 1}, {t0 + Duration{3600}, 20}}));
  ASSERT_EQ(src.fetches.size(), 1u);
  EXPECT_EQ(src.fetches[0].start, t0);
  EXPECT_EQ(src.fetches[0].end, t0 + Duration{7200});
}

}  // namespace
}  // namespace bw::agent
