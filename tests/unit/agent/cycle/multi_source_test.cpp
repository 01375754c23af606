// AccountsSource: one CloudWatch per (account, region) behind the `account` and `region` dimensions.
#include "agent/cycle/multi_source.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::kNs;
using testing::kTokens;
using DimSets = std::vector<std::vector<Dimension>>;

// Stands in for one account's CloudWatch: answers ListMetrics with `listed` and GetMetricData with one
// point whose value is `base` + the key's position in the batch; records what it was asked.
class FakeSource final : public MetricSource {
 public:
  FakeSource(DimSets listed, double base) : listed_(std::move(listed)), base_(base) {}
  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time) override {
    fetched.push_back(keys);
    std::vector<std::vector<Datapoint>> out;
    for (std::size_t i = 0; i < keys.size(); ++i) out.push_back({{start, base_ + static_cast<double>(i)}});
    return out;
  }
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override {
    discovered.push_back(metric);
    if (fail) return aws::Error{aws::Error::Kind::Api, "monitoring", "ListMetrics", "AccessDenied", "no", 403};
    return listed_;
  }
  std::vector<std::vector<SeriesKey>> fetched;
  std::vector<config::MetricSpec> discovered;
  bool fail = false;

 private:
  DimSets listed_;
  double base_;
};

struct Fixture {
  FakeSource* a_east = nullptr;
  FakeSource* b_east = nullptr;
  FakeSource* b_west = nullptr;
  std::unique_ptr<AccountsSource> source;

  Fixture() {
    auto ae = std::make_unique<FakeSource>(DimSets{{{"modelId", "m1"}}}, 100);
    auto be = std::make_unique<FakeSource>(DimSets{{{"modelId", "m1"}}, {{"modelId", "m2"}}}, 200);
    auto bw = std::make_unique<FakeSource>(DimSets{}, 300);
    a_east = ae.get();
    b_east = be.get();
    b_west = bw.get();
    std::vector<AccountsSource::Member> members;
    members.push_back({"a", "us-east-1", std::move(ae)});
    members.push_back({"b", "us-east-1", std::move(be)});
    members.push_back({"b", "eu-west-1", std::move(bw)});
    source = std::make_unique<AccountsSource>(std::move(members));
  }
};

config::MetricSpec spec(std::vector<Dimension> d) {
  config::MetricSpec m;
  m.ns = kNs;
  m.name = kTokens;
  m.dimensions = testing::dims(std::move(d));
  m.period = Duration{3600};
  return m;
}

SeriesKey key(std::string account, std::string region, std::string model) {
  return testing::series_key(kNs, kTokens, {{"account", account}, {"modelId", model}, {"region", region}}, "Average",
                             Duration{3600});
}

TEST(AccountsSource, DiscoverAsksEveryAccountWithoutItsDimensionsAndLabelsTheResults) {
  Fixture f;
  auto found = f.source->discover(spec({{"account", "*"}, {"modelId", "*"}, {"region", "*"}}));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), (DimSets{
                               {{"account", "a"}, {"modelId", "m1"}, {"region", "us-east-1"}},
                               {{"account", "b"}, {"modelId", "m1"}, {"region", "us-east-1"}},
                               {{"account", "b"}, {"modelId", "m2"}, {"region", "us-east-1"}},
                           }));
  for (auto* s : {f.a_east, f.b_east, f.b_west}) {
    ASSERT_EQ(s->discovered.size(), 1u);
    EXPECT_EQ(s->discovered[0].dimensions, (std::vector<Dimension>{{"modelId", "*"}}));
  }
}

TEST(AccountsSource, FixedDimensionsAreNotListed) {
  Fixture f;
  auto found = f.source->discover(spec({{"account", "*"}, {"modelId", "m9"}, {"region", "*"}}));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), (DimSets{
                               {{"account", "a"}, {"modelId", "m9"}, {"region", "us-east-1"}},
                               {{"account", "b"}, {"modelId", "m9"}, {"region", "us-east-1"}},
                               {{"account", "b"}, {"modelId", "m9"}, {"region", "eu-west-1"}},
                           }));
  for (auto* s : {f.a_east, f.b_east, f.b_west}) EXPECT_TRUE(s->discovered.empty());
  // No dimension but account and region: one series per member.
  auto bare = f.source->discover(spec({{"account", "*"}, {"region", "*"}}));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare.value().size(), 3u);
  EXPECT_EQ(bare.value()[2], (std::vector<Dimension>{{"account", "b"}, {"region", "eu-west-1"}}));
}

TEST(AccountsSource, DiscoverErrorNamesTheAccountAndRegion) {
  Fixture f;
  f.b_west->fail = true;
  auto found = f.source->discover(spec({{"account", "*"}, {"modelId", "*"}, {"region", "*"}}));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, "AccessDenied");
  EXPECT_NE(found.error().describe().find("account b, region eu-west-1"), std::string::npos)
      << found.error().describe();
}

TEST(AccountsSource, FetchRoutesByAccountAndRegionAndKeepsTheCallersOrder) {
  Fixture f;
  const std::vector<SeriesKey> keys = {key("b", "us-east-1", "m2"), key("a", "us-east-1", "m1"),
                                       key("b", "us-east-1", "m1"), key("c", "us-east-1", "m1"),
                                       key("b", "eu-west-1", "m1")};
  auto got = f.source->fetch(keys, Time{Duration{3600}}, Time{Duration{7200}});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got.value().size(), 5u);
  auto value = [&](std::size_t i) { return got.value()[i].at(0).value; };
  EXPECT_EQ(value(0), 200);  // b/us-east-1, first of its batch
  EXPECT_EQ(value(1), 100);  // a/us-east-1
  EXPECT_EQ(value(2), 201);  // b/us-east-1, second
  EXPECT_TRUE(got.value()[3].empty());  // no account "c"
  EXPECT_EQ(value(4), 300);  // b/eu-west-1

  // Each member is asked once, for its keys only, without the account and region dimensions.
  ASSERT_EQ(f.b_east->fetched.size(), 1u);
  ASSERT_EQ(f.b_east->fetched[0].size(), 2u);
  EXPECT_EQ(f.b_east->fetched[0][0].metric.dimensions, (std::vector<Dimension>{{"modelId", "m2"}}));
  EXPECT_EQ(f.b_east->fetched[0][1].metric.dimensions, (std::vector<Dimension>{{"modelId", "m1"}}));
  EXPECT_EQ(f.b_east->fetched[0][0].stat, "Average");
  ASSERT_EQ(f.a_east->fetched.size(), 1u);
  EXPECT_EQ(f.a_east->fetched[0].size(), 1u);
  ASSERT_EQ(f.b_west->fetched.size(), 1u);
}

TEST(AccountsSource, FetchSkipsMembersWithoutKeys) {
  Fixture f;
  auto got = f.source->fetch({key("a", "us-east-1", "m1")}, Time{}, Time{Duration{60}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value().size(), 1u);
  EXPECT_TRUE(f.b_east->fetched.empty());
  EXPECT_TRUE(f.b_west->fetched.empty());
}

}  // namespace
}  // namespace bw::agent
