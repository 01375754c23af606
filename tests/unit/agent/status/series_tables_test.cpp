#include "agent/status/series_tables.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/status/exposition.hpp"
#include "agent/status/metrics.hpp"

namespace bw::agent {
namespace {

using Type = MetricsRegistry::Type;

// What set_rule_states stored before it had a table of its own: four registry series per sample.
std::vector<std::pair<MetricLabels, double>> rule_state_series(const std::vector<RuleStateSample>& samples) {
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& sample : samples) {
    MetricLabels labels{{"rule", sample.rule}, {"state", ""}};
    std::set<std::string> used{"rule", "state", "le"};
    for (const auto& d : sample.labels) {
      auto name = exposition::snake_case_label_name(d.name);
      if (name.rfind("__", 0) == 0) name.insert(0, "label");
      while (used.count(name) != 0) name.insert(0, "label_");
      used.insert(name);
      labels.emplace_back(std::move(name), d.value);
    }
    for (auto state : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData, AlarmState::Drained}) {
      labels[1].second = std::string(to_string(state));
      series.emplace_back(labels, state == sample.state ? 1.0 : 0.0);
    }
  }
  return series;
}

std::vector<RuleStateSample> awkward_samples() {
  return {
      {"zeta", {{"modelId", "m2"}}, AlarmState::Ok},
      {"alpha", {{"modelId", "m10"}}, AlarmState::Alarm},
      {"alpha", {{"modelId", "m1"}}, AlarmState::Drained},
      {"alpha", {{"modelId", "a\"quoted\"\\path\nnext"}}, AlarmState::InsufficientData},
      {"alpha", {{"modelId", "m1"}, {"region", "x"}}, AlarmState::Ok},  // a longer label set sorts after
      {"alpha", {}, AlarmState::Alarm},                                  // no labels sorts first
      {"r-1.x", {{"state", "s"}, {"rule", "r"}, {"__x", "y"}, {"9bad-name", "v"}}, AlarmState::Alarm},
      {"zeta", {{"modelId", "m2"}}, AlarmState::Alarm},  // a repeat: the later sample wins, as in a map
      {"alpha", {{"modelId", "m1"}}, AlarmState::Ok},    // also a repeat
  };
}

TEST(RuleStateTable, RendersExactlyWhatFourRegistrySeriesPerSampleRendered) {
  const auto samples = awkward_samples();
  MetricsRegistry expected;
  expected.declare("batchwatch_rule_state", Type::Gauge, "States.");
  expected.replace("batchwatch_rule_state", rule_state_series(samples));

  MetricsRegistry got;
  got.declare("batchwatch_rule_state", Type::Gauge, "States.");
  RuleStateTable::Builder builder;
  for (const auto& s : samples) builder.add(s.rule, s.labels, s.state);
  const auto table = builder.build();
  EXPECT_EQ(table->size(), 7u);
  got.replace("batchwatch_rule_state", std::shared_ptr<const SeriesTable>(table));

  EXPECT_EQ(got.render(), expected.render());
  EXPECT_EQ(got.series_count("batchwatch_rule_state"), expected.series_count("batchwatch_rule_state"));
  for (const auto& [labels, value] : rule_state_series(samples)) {
    if (labels[0].second == "zeta" || (labels.size() == 3 && labels[2].second == "m1")) continue;  // repeated
    EXPECT_EQ(got.value("batchwatch_rule_state", labels), value) << labels[0].second << " " << labels[1].second;
  }
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "zeta"}, {"state", "ALARM"}, {"model_id", "m2"}}), 1);
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "zeta"}, {"state", "OK"}, {"model_id", "m2"}}), 0);
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "alpha"}, {"state", "OK"}, {"model_id", "m1"}}), 1);
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "nope"}, {"state", "OK"}}), 0);
}

TEST(RuleStateTable, RenderComesInPiecesThatAddUpToTheWholeText) {
  AgentMetrics m;
  std::vector<RuleStateSample> samples;
  for (int r = 0; r < 20; ++r)
    for (int i = 0; i < 500; ++i)
      samples.push_back({"rule-" + std::to_string(r), {{"modelId", "model-" + std::to_string(i)}}, AlarmState::Ok});
  m.set_rule_states(samples);
  EXPECT_EQ(m.registry().series_count("batchwatch_rule_state"), 40000u);
  const auto whole = m.render();
  std::string joined;
  std::size_t pieces = 0, largest = 0;
  ASSERT_TRUE(m.render([&](std::string_view piece) {
    joined += piece;
    ++pieces;
    largest = std::max(largest, piece.size());
    return true;
  }));
  EXPECT_EQ(joined, whole);
  EXPECT_GT(whole.size(), 2 * MetricsRegistry::kRenderChunk);
  EXPECT_GT(pieces, 2u);
  EXPECT_LT(largest, MetricsRegistry::kRenderChunk + 1024);  // never the whole text at once

  std::size_t calls = 0;  // a writer that gives up (the client went away) stops the render
  EXPECT_FALSE(m.render([&](std::string_view) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2u);
}

TEST(OneLabelGaugeTable, RendersExactlyWhatOneRegistrySeriesPerValueRendered) {
  const std::vector<std::pair<std::string, double>> ages{
      {"b|x", 180}, {"a\"q\\\n", 0.5}, {"c", 60}, {"a", 1e21}, {"b|x", 240}, {"", 7}};
  MetricsRegistry expected, got;
  for (auto* r : {&expected, &got}) r->declare("age_seconds", Type::Gauge, "Ages.");
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& [name, age] : ages) series.emplace_back(MetricLabels{{"series", name}}, age);
  expected.replace("age_seconds", series);
  got.replace("age_seconds", std::make_shared<const OneLabelGaugeTable>("series", ages));
  EXPECT_EQ(got.render(), expected.render());
  EXPECT_EQ(got.series_count("age_seconds"), 5u);
  EXPECT_EQ(got.value("age_seconds", {{"series", "b|x"}}), 240);
  EXPECT_EQ(got.value("age_seconds", {{"series", "a\"q\\\n"}}), 0.5);
  EXPECT_EQ(got.value("age_seconds", {{"series", "nope"}}), 0);
}

}  // namespace
}  // namespace bw::agent
