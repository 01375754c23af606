// Composite rules: evaluated from the states their children got in the same cycle, per series (each
// result labelled as its children are) or once across labels.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::key;
using testing::kM1;
using testing::kM2;
using testing::kNs;
using testing::kTokens;
using testing::RuleBuilder;

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

// tokens-high (> 1,000,000) and tokens-flowing (> 0) over m1 (1,250,000) and m2 (10): m1 breaches
// both, m2 only the second.
class EngineComposite : public ::testing::Test {
 protected:
  EngineComposite() {
    src_.add_listing(kNs, kTokens, kM1);
    src_.add_listing(kNs, kTokens, kM2);
    src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
    src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
  }

  Result<CycleReport> run_with(std::vector<config::Rule> composites) {
    std::vector<config::Rule> rules{
        RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).when(Comparison::Greater, 1000000),
        RuleBuilder("tokens-flowing").dimensions({{"modelId", "*"}}).when(Comparison::Greater, 0)};
    for (auto& c : composites) rules.push_back(std::move(c));
    config_ = testing::make_config(std::move(rules));
    Engine engine(config_, src_, log_.log(), "us-east-1");
    return engine.run(at("2026-11-22T06:05:00Z"), *store_, RunMode::Record);
  }

  // The results of one rule, in report order.
  static std::vector<const InstanceResult*> of_rule(const CycleReport& report, const std::string& rule) {
    std::vector<const InstanceResult*> out;
    for (const auto& r : report.results)
      if (r.rule->name == rule) out.push_back(&r);
    return out;
  }

  config::Config config_;
  testing::FakeMetricSource src_;
  testing::CapturedLog log_;
  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
};

TEST_F(EngineComposite, PerSeriesResultsCarryTheLabelsOfTheirChildren) {
  ASSERT_TRUE(store_);
  const auto report = run_with({composite("hot-and-flowing", {"tokens-high", "tokens-flowing"}, {}, false),
                                composite("outer", {"hot-and-flowing"}, {}, false)});
  ASSERT_TRUE(report.ok()) << report.error().describe();
  ASSERT_EQ(report->results.size(), 8u);

  for (const char* name : {"hot-and-flowing", "outer"}) {
    const auto results = of_rule(report.value(), name);
    ASSERT_EQ(results.size(), 2u) << name;
    EXPECT_EQ(results[0]->labels, kM1) << name;
    EXPECT_EQ(results[0]->evaluation.state, AlarmState::Alarm) << name;
    EXPECT_TRUE(results[0]->transition) << name;
    EXPECT_EQ(results[1]->labels, kM2) << name;
    EXPECT_EQ(results[1]->evaluation.state, AlarmState::Ok) << name;
  }

  // The ALARM of each composite owes its notification, named by the series it is about.
  std::vector<std::string> subjects;
  for (const auto& row : store_->outbox()) subjects.push_back(row.subject);
  EXPECT_EQ(subjects, (std::vector<std::string>{R"(ALARM: "hot-and-flowing/modelId=m1" in us-east-1)",
                                                R"(ALARM: "outer/modelId=m1" in us-east-1)"}));
  const auto stored = store_->get("hot-and-flowing", "modelId=m2");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, AlarmState::Ok);
}

TEST_F(EngineComposite, AcrossLabelsIsOneUnlabelledResult) {
  ASSERT_TRUE(store_);
  const auto report = run_with({composite("any-hot", {}, {"tokens-high"}, true)});
  ASSERT_TRUE(report.ok()) << report.error().describe();
  const auto results = of_rule(report.value(), "any-hot");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0]->labels.empty());
  EXPECT_EQ(results[0]->evaluation.state, AlarmState::Alarm);
  const auto stored = store_->get("any-hot", "");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, AlarmState::Alarm);
}

}  // namespace
}  // namespace bw::agent
