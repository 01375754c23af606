// Composite rules: evaluated from the states their children got in the same cycle, per series (each
// result labelled as its children are) or once across labels.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

config::Rule composite(std::string name, std::vector<std::string> all_of, std::vector<std::string> any_of,
                       bool across_labels) {
  config::Rule r;
  r.name = std::move(name);
  r.file = "rules/test.yaml";
  r.line = 1;
  r.spec = CompositeSpec{std::move(all_of), std::move(any_of), across_labels};
  r.notify = {"ops-email"};
  return r;
}

// tokens-high (> 1,000,000) and tokens-flowing (> 0), then `composites`, over m1 (1,250,000) and
// m2 (10): m1 breaches both rules, m2 only the second.
std::unique_ptr<testing::EngineRig> rig_with(std::vector<config::Rule> composites) {
  std::vector<config::Rule> rules{
      RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).when(Comparison::Greater, 1000000),
      RuleBuilder("tokens-flowing").dimensions({{"modelId", "*"}}).when(Comparison::Greater, 0)};
  for (auto& c : composites) rules.push_back(std::move(c));
  auto rig = std::make_unique<testing::EngineRig>(testing::make_config(std::move(rules)));
  rig->src.add_listing(kNs, kTokens, kM1);
  rig->src.add_listing(kNs, kTokens, kM2);
  rig->src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  rig->src.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
  return rig;
}

// The results of one rule, in report order.
std::vector<const InstanceResult*> of_rule(const CycleReport& report, const std::string& rule) {
  std::vector<const InstanceResult*> out;
  for (const auto& r : report.results)
    if (r.rule->name == rule) out.push_back(&r);
  return out;
}

// The rules over one discovered series share its label set, cycle after cycle (one copy per series,
// not one per (rule, series) and cycle); composites share their children's.
TEST(EngineComposite, RulesOverOneSeriesShareItsDiscoveredLabels) {
  auto rig = rig_with({composite("hot-and-flowing", {"tokens-high", "tokens-flowing"}, {}, false)});
  const auto first = rig->run("2026-11-22T06:05:00Z");
  const auto second = rig->run("2026-11-22T06:10:00Z");
  ASSERT_TRUE(first.ok() && second.ok());
  const auto m1 = of_rule(first.value(), "tokens-high")[0]->labels;
  EXPECT_EQ(*m1, kM1);
  EXPECT_EQ(of_rule(first.value(), "tokens-flowing")[0]->labels.get(), m1.get());
  EXPECT_EQ(of_rule(first.value(), "hot-and-flowing")[0]->labels.get(), m1.get());
  EXPECT_EQ(of_rule(second.value(), "tokens-high")[0]->labels.get(), m1.get());
}

TEST(EngineComposite, PerSeriesResultsCarryTheLabelsOfTheirChildren) {
  auto rig = rig_with({composite("hot-and-flowing", {"tokens-high", "tokens-flowing"}, {}, false),
                       composite("outer", {"hot-and-flowing"}, {}, false)});
  ASSERT_TRUE(rig->store);
  const auto report = rig->run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(report.ok()) << report.error().describe();
  ASSERT_EQ(report->results.size(), 8u);

  for (const char* name : {"hot-and-flowing", "outer"}) {
    const auto results = of_rule(report.value(), name);
    ASSERT_EQ(results.size(), 2u) << name;
    EXPECT_EQ(*results[0]->labels, kM1) << name;
    EXPECT_EQ(results[0]->evaluation.state, AlarmState::Alarm) << name;
    EXPECT_TRUE(results[0]->transition) << name;
    EXPECT_EQ(*results[1]->labels, kM2) << name;
    EXPECT_EQ(results[1]->evaluation.state, AlarmState::Ok) << name;
  }

  // The ALARM of each composite owes its notification, named by the series it is about.
  std::vector<std::string> subjects;
  for (const auto& row : rig->store->outbox()) subjects.push_back(row.subject);
  EXPECT_EQ(subjects, (std::vector<std::string>{R"(ALARM: "hot-and-flowing/modelId=m1" in us-east-1)",
                                                R"(ALARM: "outer/modelId=m1" in us-east-1)"}));
  const auto stored = rig->store->get("hot-and-flowing", "modelId=m2");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, AlarmState::Ok);
}

TEST(EngineComposite, AcrossLabelsIsOneUnlabelledResult) {
  auto rig = rig_with({composite("any-hot", {}, {"tokens-high"}, true)});
  ASSERT_TRUE(rig->store);
  const auto report = rig->run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(report.ok()) << report.error().describe();
  const auto results = of_rule(report.value(), "any-hot");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0]->labels->empty());
  EXPECT_EQ(results[0]->evaluation.state, AlarmState::Alarm);
  const auto stored = rig->store->get("any-hot", "");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, AlarmState::Alarm);
}

// A composite's reason is the report's own text (not the engine's kept states): a copy of the report
// keeps it after the original is gone.
TEST(EngineComposite, ACopiedReportKeepsTheCompositesReason) {
  auto rig = rig_with({composite("any-hot", {}, {"tokens-high"}, true)});
  std::optional<CycleReport> copy;
  {
    auto report = rig->run("2026-11-22T06:05:00Z");
    ASSERT_TRUE(report.ok());
    copy = report.value();
  }
  const auto stored = rig->store->get("any-hot", "");
  ASSERT_TRUE(stored);
  ASSERT_FALSE(stored->reason.empty());
  EXPECT_EQ(of_rule(*copy, "any-hot")[0]->reason, stored->reason);
}

}  // namespace
}  // namespace bw::agent
