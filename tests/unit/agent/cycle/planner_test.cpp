#include "agent/cycle/planner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kHour;
using testing::kMinute;
using testing::kNs;
using testing::kPending;
using testing::kTokens;
using testing::RuleBuilder;
using testing::series_key;

using Expansions = std::vector<std::vector<std::vector<Dimension>>>;

const Duration kDelay = 2 * kMinute;

TEST(Planner, TwoRulesOnTheSameSeriesShareOneSeriesAndGetTwoInstances) {
  const std::vector<config::Rule> rules = {
      RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).when(Comparison::Greater, 1e6),
      RuleBuilder("tokens-low").dimensions({{"modelId", "m1"}}).when(Comparison::Less, 10).evaluation(3, 2),
  };
  const auto plan = make_plan(rules, Expansions{}, at("2026-11-22T06:05:00Z"), kDelay);

  ASSERT_EQ(plan.series.size(), 1u);
  EXPECT_EQ(plan.series[0], series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", kHour));
  EXPECT_EQ(plan.series[0].str(), "AWS/Bedrock/Batch|NumberOfInputTokensProcessedPerMinute|modelId=m1|Average|3600");

  ASSERT_EQ(plan.instances.size(), 2u);
  const auto end = at("2026-11-22T06:00:00Z");
  EXPECT_EQ(plan.instances[0].rule, 0u);
  EXPECT_EQ(plan.instances[0].series, 0u);
  EXPECT_EQ(*plan.instances[0].labels, (std::vector<Dimension>{{"modelId", "m1"}}));
  EXPECT_EQ(plan.instances[0].window_end, end);
  EXPECT_EQ(plan.instances[0].slots, 3);
  EXPECT_EQ(plan.instances[1].rule, 1u);
  EXPECT_EQ(plan.instances[1].series, 0u);
  EXPECT_EQ(*plan.instances[1].labels, (std::vector<Dimension>{{"modelId", "m1"}}));
  EXPECT_EQ(plan.instances[1].window_end, end);
  EXPECT_EQ(plan.instances[1].slots, 5);

  // A threshold rule reads one input: its own metric, as the primary.
  for (const auto& inst : plan.instances) {
    const auto inputs = plan.inputs_of(inst);
    ASSERT_EQ(inputs.size(), 1u);
    EXPECT_EQ(inputs[0].role, Role::Primary);
    EXPECT_EQ(inputs[0].series, 0u);
    EXPECT_EQ(inputs[0].window_end, end);
    EXPECT_EQ(inputs[0].slots, inst.slots);
    EXPECT_EQ(inputs[0].period, kHour);
  }
  EXPECT_EQ(plan.series_start, (std::vector<Time>{at("2026-11-22T01:00:00Z")}));
  EXPECT_EQ(plan.series_end, (std::vector<Time>{end}));

  // One query covering the longer of the two windows.
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(plan.groups[0].end, end);
  EXPECT_EQ(plan.groups[0].series, (std::vector<std::size_t>{0}));
}

TEST(Planner, DifferentStatPeriodOrDimensionsAreDifferentSeries) {
  const std::vector<config::Rule> rules = {
      RuleBuilder("avg-1h").dimensions({{"modelId", "m1"}}),
      RuleBuilder("max-1h").dimensions({{"modelId", "m1"}}).stat("Maximum"),
      RuleBuilder("avg-5m").dimensions({{"modelId", "m1"}}).period(5 * kMinute),
      RuleBuilder("avg-1h-m2").dimensions({{"modelId", "m2"}}),
      RuleBuilder("avg-1h-other-metric").metric(kNs, kPending).dimensions({{"modelId", "m1"}}),
  };
  const auto plan = make_plan(rules, Expansions{}, at("2026-11-22T06:05:00Z"), kDelay);

  ASSERT_EQ(plan.series.size(), 5u);
  EXPECT_EQ(plan.series[0], series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", kHour));
  EXPECT_EQ(plan.series[1], series_key(kNs, kTokens, {{"modelId", "m1"}}, "Maximum", kHour));
  EXPECT_EQ(plan.series[2], series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", 5 * kMinute));
  EXPECT_EQ(plan.series[3], series_key(kNs, kTokens, {{"modelId", "m2"}}, "Average", kHour));
  EXPECT_EQ(plan.series[4], series_key(kNs, kPending, {{"modelId", "m1"}}, "Average", kHour));
  ASSERT_EQ(plan.instances.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(plan.instances[i].rule, i);
    EXPECT_EQ(plan.instances[i].series, i);
  }

  // The 1h series share [03:00, 06:00); the 5m series needs [05:45, 06:00).
  ASSERT_EQ(plan.groups.size(), 2u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T03:00:00Z"));
  EXPECT_EQ(plan.groups[0].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.groups[0].series, (std::vector<std::size_t>{0, 1, 3, 4}));
  EXPECT_EQ(plan.groups[1].start, at("2026-11-22T05:45:00Z"));
  EXPECT_EQ(plan.groups[1].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.groups[1].series, (std::vector<std::size_t>{2}));
}

TEST(Planner, WildcardRulesUseTheirExpansions) {
  const std::vector<config::Rule> rules = {
      RuleBuilder("by-model").dimensions({{"modelId", "*"}}),
      RuleBuilder("fixed").dimensions({{"modelId", "m9"}}),
      RuleBuilder("wild-without-expansion").metric(kNs, kPending).dimensions({{"modelId", "*"}}),
  };
  const Expansions expansions = {
      {{{"modelId", "m1"}}, {{"modelId", "m2"}}},
      {{{"modelId", "ignored-for-a-fixed-rule"}}},
      {},
  };
  const auto plan = make_plan(rules, expansions, at("2026-11-22T06:05:00Z"), kDelay);

  ASSERT_EQ(plan.series.size(), 3u);
  EXPECT_EQ(plan.series[0], series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", kHour));
  EXPECT_EQ(plan.series[1], series_key(kNs, kTokens, {{"modelId", "m2"}}, "Average", kHour));
  EXPECT_EQ(plan.series[2], series_key(kNs, kTokens, {{"modelId", "m9"}}, "Average", kHour));
  ASSERT_EQ(plan.instances.size(), 3u);
  EXPECT_EQ(plan.instances[0].rule, 0u);
  EXPECT_EQ(*plan.instances[0].labels, (std::vector<Dimension>{{"modelId", "m1"}}));
  EXPECT_EQ(plan.instances[1].rule, 0u);
  EXPECT_EQ(*plan.instances[1].labels, (std::vector<Dimension>{{"modelId", "m2"}}));
  EXPECT_EQ(plan.instances[2].rule, 1u);
  EXPECT_EQ(*plan.instances[2].labels, (std::vector<Dimension>{{"modelId", "m9"}}));
}

TEST(Planner, WildcardRuleBeyondTheExpansionsHasNoInstances) {
  const std::vector<config::Rule> rules = {RuleBuilder("by-model").dimensions({{"modelId", "*"}})};
  const auto plan = make_plan(rules, Expansions{}, at("2026-11-22T06:05:00Z"), kDelay);
  EXPECT_TRUE(plan.series.empty());
  EXPECT_TRUE(plan.instances.empty());
  EXPECT_TRUE(plan.groups.empty());
}

TEST(Planner, RuleWithoutDimensionsIsOneSeries) {
  const std::vector<config::Rule> rules = {RuleBuilder("global")};
  const auto plan = make_plan(rules, Expansions{}, at("2026-11-22T06:05:00Z"), kDelay);
  ASSERT_EQ(plan.instances.size(), 1u);
  EXPECT_TRUE(plan.instances[0].labels->empty());
  EXPECT_EQ(plan.series[0].str(), "AWS/Bedrock/Batch|NumberOfInputTokensProcessedPerMinute||Average|3600");
}

struct WindowCase {
  const char* now;
  Duration delay;
  Duration period;
  const char* end;
};

class PlannerWindowEnd : public ::testing::TestWithParam<WindowCase> {};

TEST_P(PlannerWindowEnd, IsTheLastWholePeriodEndedDelayAgo) {
  const auto& c = GetParam();
  const std::vector<config::Rule> rules = {RuleBuilder("r").period(c.period)};
  const auto plan = make_plan(rules, Expansions{}, at(c.now), c.delay);
  ASSERT_EQ(plan.instances.size(), 1u);
  EXPECT_EQ(plan.instances[0].window_end, at(c.end));
  EXPECT_EQ(plan.instances[0].window_end, period_floor(at(c.now) - c.delay, c.period));
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].end, at(c.end));
  EXPECT_EQ(plan.groups[0].start, at(c.end) - c.period * 3);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlannerWindowEnd,
    ::testing::Values(WindowCase{"2026-11-22T06:05:00Z", 2 * kMinute, kHour, "2026-11-22T06:00:00Z"},
                      WindowCase{"2026-11-22T06:01:00Z", 2 * kMinute, kHour, "2026-11-22T05:00:00Z"},
                      WindowCase{"2026-11-22T06:02:00Z", 2 * kMinute, kHour, "2026-11-22T06:00:00Z"},
                      WindowCase{"2026-11-22T06:01:59Z", 2 * kMinute, kHour, "2026-11-22T05:00:00Z"},
                      WindowCase{"2026-11-22T06:05:00Z", Duration{0}, 5 * kMinute, "2026-11-22T06:05:00Z"},
                      WindowCase{"2026-11-22T06:04:59Z", Duration{0}, 5 * kMinute, "2026-11-22T06:00:00Z"},
                      WindowCase{"2026-11-22T06:05:00Z", 2 * kMinute, 6 * kHour, "2026-11-22T06:00:00Z"},
                      WindowCase{"2026-11-22T06:01:00Z", 2 * kMinute, 6 * kHour, "2026-11-22T00:00:00Z"},
                      WindowCase{"2026-11-22T00:01:00Z", 2 * kMinute, kMinute, "2026-11-21T23:59:00Z"}));

TEST(Planner, SlotsAreNPlusTwoByDefaultAndTheEvaluationRangeWhenSet) {
  const std::vector<config::Rule> rules = {
      RuleBuilder("n1").dimensions({{"modelId", "a"}}),
      RuleBuilder("n3").dimensions({{"modelId", "b"}}).evaluation(3, 3),
      RuleBuilder("n3-range10").dimensions({{"modelId", "c"}}).evaluation(3, 2).range(10),
  };
  EXPECT_EQ(window_slots(rules[0]), 3);
  EXPECT_EQ(window_slots(rules[1]), 5);
  EXPECT_EQ(window_slots(rules[2]), 10);

  const auto plan = make_plan(rules, Expansions{}, at("2026-11-22T12:30:00Z"), kDelay);
  ASSERT_EQ(plan.instances.size(), 3u);
  EXPECT_EQ(plan.instances[0].slots, 3);
  EXPECT_EQ(plan.instances[1].slots, 5);
  EXPECT_EQ(plan.instances[2].slots, 10);

  // Different windows: one group each, starting `slots` periods before 12:00.
  ASSERT_EQ(plan.groups.size(), 3u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T09:00:00Z"));
  EXPECT_EQ(plan.groups[1].start, at("2026-11-22T07:00:00Z"));
  EXPECT_EQ(plan.groups[2].start, at("2026-11-22T02:00:00Z"));
  for (const auto& g : plan.groups) EXPECT_EQ(g.end, at("2026-11-22T12:00:00Z"));
}

TEST(Planner, GroupStartIsTheEarliestAnyInstanceOfTheSeriesNeeds) {
  // m1 is read by a 3-slot and a 5-slot rule; m2 only by the 3-slot one.
  const std::vector<config::Rule> rules = {
      RuleBuilder("short").dimensions({{"modelId", "*"}}),
      RuleBuilder("long").dimensions({{"modelId", "m1"}}).evaluation(3, 1),
  };
  const Expansions expansions = {{{{"modelId", "m1"}}, {{"modelId", "m2"}}}, {}};
  const auto plan = make_plan(rules, expansions, at("2026-11-22T06:05:00Z"), kDelay);

  ASSERT_EQ(plan.series.size(), 2u);
  ASSERT_EQ(plan.instances.size(), 3u);
  EXPECT_EQ(plan.instances[2].series, 0u);  // "long" reuses m1
  EXPECT_EQ(plan.instances[0].slots, 3);    // each instance keeps its own window
  EXPECT_EQ(plan.instances[2].slots, 5);

  ASSERT_EQ(plan.groups.size(), 2u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(plan.groups[0].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.groups[0].series, (std::vector<std::size_t>{0}));
  EXPECT_EQ(plan.groups[1].start, at("2026-11-22T03:00:00Z"));
  EXPECT_EQ(plan.groups[1].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.groups[1].series, (std::vector<std::size_t>{1}));
}

TEST(Planner, WidenReachesFurtherBackAndRegroupSplitsTheGroup) {
  const std::vector<config::Rule> rules = {RuleBuilder("by-model").dimensions({{"modelId", "*"}})};
  const Expansions expansions = {{{{"modelId", "m1"}}, {{"modelId", "m2"}}}};
  auto plan = make_plan(rules, expansions, at("2026-11-22T06:05:00Z"), kDelay);
  ASSERT_EQ(plan.groups.size(), 1u);

  widen(plan, 1, at("2026-11-22T00:00:00Z"));
  widen(plan, 0, at("2026-11-22T05:00:00Z"));  // later than it already starts: no change
  EXPECT_EQ(plan.series_start, (std::vector<Time>{at("2026-11-22T03:00:00Z"), at("2026-11-22T00:00:00Z")}));
  regroup(plan);
  ASSERT_EQ(plan.groups.size(), 2u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T03:00:00Z"));
  EXPECT_EQ(plan.groups[0].series, (std::vector<std::size_t>{0}));
  EXPECT_EQ(plan.groups[1].start, at("2026-11-22T00:00:00Z"));
  EXPECT_EQ(plan.groups[1].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.groups[1].series, (std::vector<std::size_t>{1}));
}

TEST(Planner, TwelveHundredModelsTwoMetricsThreeRulesAreTwentyFourHundredSeriesInOneGroup) {
  std::vector<std::vector<Dimension>> models;
  for (int i = 0; i < 1200; ++i) models.push_back({{"modelId", "model-" + std::to_string(i)}});
  const std::vector<config::Rule> rules = {
      RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).evaluation(3, 3),
      RuleBuilder("tokens-zero").dimensions({{"modelId", "*"}}).when(Comparison::LessOrEqual, 0).evaluation(3, 2),
      RuleBuilder("backlog-high").metric(kNs, kPending).dimensions({{"modelId", "*"}}).evaluation(3, 1),
  };
  const auto plan = make_plan(rules, Expansions{models, models, models}, at("2026-11-22T06:05:00Z"), kDelay);

  EXPECT_EQ(plan.series.size(), 2400u);
  EXPECT_EQ(plan.instances.size(), 3600u);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].series.size(), 2400u);
  EXPECT_EQ(plan.groups[0].start, at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(plan.groups[0].end, at("2026-11-22T06:00:00Z"));
  for (std::size_t i = 0; i < 2400; ++i) ASSERT_EQ(plan.groups[0].series[i], i);
  // The second rule on the token metric reuses the first rule's series one for one.
  for (std::size_t i = 0; i < 1200; ++i) {
    ASSERT_EQ(plan.instances[i].series, i);
    ASSERT_EQ(plan.instances[1200 + i].series, i);
    ASSERT_EQ(plan.instances[2400 + i].series, 1200 + i);
  }
  EXPECT_EQ(plan.series[1200], series_key(kNs, kPending, {{"modelId", "model-0"}}, "Average", kHour));
}

}  // namespace
}  // namespace bw::agent
