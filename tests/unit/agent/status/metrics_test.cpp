#include "agent/status/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace bw::agent {
namespace {

using Type = MetricsRegistry::Type;

TEST(MetricsRegistry, RendersExactTextWithEscapingAndSortedFamiliesAndSeries) {
  MetricsRegistry r;
  r.declare("zeta_total", Type::Counter, "Last family.\nSecond line with a \\ backslash.");
  r.declare("alpha", Type::Gauge, "First family.");
  r.add("zeta_total", {{"target", "b"}}, 2);
  r.add("zeta_total", {{"target", "a\"quoted\"\\path\nnext"}}, 1);
  r.add("zeta_total", {{"target", "b"}}, 0.5);
  r.set("alpha", {}, 0.25);

  EXPECT_EQ(r.render(),
            "# HELP alpha First family.\n"
            "# TYPE alpha gauge\n"
            "alpha 0.25\n"
            "# HELP zeta_total Last family.\\nSecond line with a \\\\ backslash.\n"
            "# TYPE zeta_total counter\n"
            "zeta_total{target=\"a\\\"quoted\\\"\\\\path\\nnext\"} 1\n"
            "zeta_total{target=\"b\"} 2.5\n");
}

TEST(MetricsRegistry, HistogramHasCumulativeBucketsInfSumAndCount) {
  MetricsRegistry r;
  r.declare("d_seconds", Type::Histogram, "Durations.", {1, 0.5});  // unsorted on purpose
  for (double v : {0.2, 0.5, 0.7, 3.0}) r.observe("d_seconds", {}, v);
  r.observe("d_seconds", {{"job", "x"}}, 0.1);

  EXPECT_EQ(r.render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.5\"} 2\n"  // le is inclusive: 0.5 counts in the 0.5 bucket
            "d_seconds_bucket{le=\"1\"} 3\n"
            "d_seconds_bucket{le=\"+Inf\"} 4\n"
            "d_seconds_sum 4.4\n"
            "d_seconds_count 4\n"
            "d_seconds_bucket{job=\"x\",le=\"0.5\"} 1\n"
            "d_seconds_bucket{job=\"x\",le=\"1\"} 1\n"
            "d_seconds_bucket{job=\"x\",le=\"+Inf\"} 1\n"
            "d_seconds_sum{job=\"x\"} 0.1\n"
            "d_seconds_count{job=\"x\"} 1\n");
  EXPECT_EQ(r.value("d_seconds"), 4);
}

TEST(MetricsRegistry, FormatsValuesLikePrometheus) {
  EXPECT_EQ(MetricsRegistry::format_value(0), "0");
  EXPECT_EQ(MetricsRegistry::format_value(1000000), "1000000");
  EXPECT_EQ(MetricsRegistry::format_value(-3), "-3");
  EXPECT_EQ(MetricsRegistry::format_value(0.1), "0.1");
  EXPECT_EQ(MetricsRegistry::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(MetricsRegistry::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(MetricsRegistry::format_value(std::nan("")), "NaN");
  EXPECT_EQ(MetricsRegistry::sanitize_label_name("aws:batch-job"), "aws_batch_job");
  EXPECT_EQ(MetricsRegistry::sanitize_label_name("1st"), "_1st");
}

TEST(MetricsRegistry, IgnoresUnknownNamesWrongTypesAndNegativeCounterDeltas) {
  MetricsRegistry r;
  r.declare("c_total", Type::Counter, "C.");
  r.add("c_total", {}, 3);
  r.add("c_total", {}, -1);
  r.set("c_total", {}, 100);  // not a gauge
  r.add("missing_total", {}, 1);
  EXPECT_EQ(r.value("c_total"), 3);
  EXPECT_EQ(r.series_count("missing_total"), 0u);
}

TEST(MetricsRegistry, ReplaceDropsSeriesThatAreGone) {
  MetricsRegistry r;
  r.declare("g", Type::Gauge, "G.");
  r.replace("g", {{{{"s", "a"}}, 1}, {{{"s", "b"}}, 2}});
  r.replace("g", {{{{"s", "b"}}, 3}});
  EXPECT_EQ(r.render(), "# HELP g G.\n# TYPE g gauge\ng{s=\"b\"} 3\n");
}

TEST(MetricsRegistry, CountsFromManyThreads) {
  MetricsRegistry r;
  r.declare("n_total", Type::Counter, "N.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) r.add("n_total", {{"k", "v"}});
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.value("n_total", {{"k", "v"}}), 4000);
}

TEST(MetricsAgent, RequestObserverCountsResponsesRetriesThrottlesAndGetMetricDataCalls) {
  AgentMetrics m;
  aws::RequestObserver& observer = m;
  observer.on_response("monitoring", "GetMetricData", "Throttling");
  observer.on_retry("monitoring", "GetMetricData");
  observer.on_response("monitoring", "GetMetricData", "200");
  observer.on_response("monitoring", "ListMetrics", "200");
  observer.on_response("sns", "Publish", "CouldNotConnect");

  const auto& r = m.registry();
  EXPECT_EQ(r.value("batchwatch_aws_requests_total",
                    {{"service", "monitoring"}, {"operation", "GetMetricData"}, {"code", "Throttling"}}),
            1);
  EXPECT_EQ(r.value("batchwatch_aws_requests_total",
                    {{"service", "monitoring"}, {"operation", "GetMetricData"}, {"code", "200"}}),
            1);
  EXPECT_EQ(r.value("batchwatch_aws_retries_total", {{"service", "monitoring"}, {"operation", "GetMetricData"}}), 1);
  EXPECT_EQ(r.value("batchwatch_throttles_total", {{"service", "monitoring"}, {"operation", "GetMetricData"}}), 1);
  EXPECT_EQ(r.series_count("batchwatch_throttles_total"), 1u);
  EXPECT_EQ(r.value("batchwatch_getmetricdata_calls_total"), 2);

  const auto text = m.render();
  EXPECT_NE(text.find("batchwatch_aws_requests_total{service=\"sns\",operation=\"Publish\",code=\"CouldNotConnect\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE batchwatch_cycle_duration_seconds histogram\n"), std::string::npos);
}

TEST(MetricsAgent, ThrottlingCodes) {
  EXPECT_TRUE(AgentMetrics::is_throttling_code("Throttling"));
  EXPECT_TRUE(AgentMetrics::is_throttling_code("ThrottlingException"));
  EXPECT_TRUE(AgentMetrics::is_throttling_code("TooManyRequestsException"));
  EXPECT_FALSE(AgentMetrics::is_throttling_code("200"));
  EXPECT_FALSE(AgentMetrics::is_throttling_code("InternalError"));
}

TEST(MetricsAgent, StartsWithZeroedUnlabelledSeries) {
  AgentMetrics m;
  const auto text = m.render();
  for (const char* line : {"batchwatch_cycles_total 0\n", "batchwatch_getmetricdata_calls_total 0\n",
                           "batchwatch_cloudwatch_metrics_requested_total 0\n",
                           "batchwatch_datapoints_received_total 0\n", "batchwatch_ready 0\n",
                           "batchwatch_config_reloads_total{result=\"failure\"} 0\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line;
}

TEST(MetricsAgent, CycleCountersNotificationsReloadsAndReady) {
  AgentMetrics m;
  m.record_cycle(0.3);
  m.record_cycle(7);
  m.add_metrics_requested(2400);
  m.add_datapoints(60);
  m.count_notification("ops", NotificationOutcome::Delivered);
  m.count_notification("ops", NotificationOutcome::Retried, 2);
  m.count_config_reload(false);
  m.set_ready(true);
  m.set_outbox_pending({{"ops", 1}, {"hook", 0}});
  m.set_outbox_pending({{"ops", 3}});

  const auto& r = m.registry();
  EXPECT_EQ(r.value("batchwatch_cycles_total"), 2);
  EXPECT_EQ(r.value("batchwatch_cycle_duration_seconds"), 2);
  EXPECT_EQ(r.value("batchwatch_cloudwatch_metrics_requested_total"), 2400);
  EXPECT_EQ(r.value("batchwatch_datapoints_received_total"), 60);
  EXPECT_EQ(r.value("batchwatch_notifications_total", {{"target", "ops"}, {"outcome", "retried"}}), 2);
  EXPECT_EQ(r.value("batchwatch_config_reloads_total", {{"result", "failure"}}), 1);
  EXPECT_EQ(r.value("batchwatch_ready"), 1);
  EXPECT_EQ(r.series_count("batchwatch_outbox_pending"), 1u);
  const auto text = m.render();
  EXPECT_NE(text.find("batchwatch_cycle_duration_seconds_bucket{le=\"0.5\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batchwatch_cycle_duration_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("batchwatch_cycle_duration_seconds_sum 7.3\n"), std::string::npos);
  EXPECT_NE(text.find("batchwatch_outbox_pending{target=\"ops\"} 3\n"), std::string::npos);
}

TEST(MetricsAgent, RuleStatesReplaceTheFamilyWithOneSeriesPerState) {
  AgentMetrics m;
  m.set_rule_states({{"old-rule", {}, AlarmState::Ok}});
  m.set_rule_states({{"drain", {{"modelId", "m1"}, {"state", "x"}}, AlarmState::Alarm}});

  const auto& r = m.registry();
  EXPECT_EQ(r.series_count("batchwatch_rule_state"), 4u);  // old-rule is gone
  const auto labels = [](const char* state) {
    return MetricLabels{{"rule", "drain"}, {"state", state}, {"modelId", "m1"}, {"label_state", "x"}};
  };
  EXPECT_EQ(r.value("batchwatch_rule_state", labels("ALARM")), 1);
  EXPECT_EQ(r.value("batchwatch_rule_state", labels("OK")), 0);
  EXPECT_NE(m.render().find("batchwatch_rule_state{rule=\"drain\",state=\"ALARM\",modelId=\"m1\",label_state=\"x\"} 1\n"),
            std::string::npos);
}

// What set_rule_states stored before it had a table of its own: four registry series per sample.
std::vector<std::pair<MetricLabels, double>> rule_state_series(const std::vector<RuleStateSample>& samples) {
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& sample : samples) {
    MetricLabels labels{{"rule", sample.rule}, {"state", ""}};
    std::set<std::string> used{"rule", "state", "le"};
    for (const auto& d : sample.labels) {
      auto name = MetricsRegistry::sanitize_label_name(d.name);
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
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "zeta"}, {"state", "ALARM"}, {"modelId", "m2"}}), 1);
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "zeta"}, {"state", "OK"}, {"modelId", "m2"}}), 0);
  EXPECT_EQ(got.value("batchwatch_rule_state", {{"rule", "alpha"}, {"state", "OK"}, {"modelId", "m1"}}), 1);
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

TEST(MetricsAgent, LastDatapointAgesReplaceTheFamily) {
  AgentMetrics m;
  m.set_last_datapoint_ages({{"a", 60}, {"b", 120}});
  m.set_last_datapoint_ages({{"b", 180}});
  EXPECT_EQ(m.registry().series_count("batchwatch_last_datapoint_age_seconds"), 1u);
  EXPECT_EQ(m.registry().value("batchwatch_last_datapoint_age_seconds", {{"series", "b"}}), 180);
}

}  // namespace
}  // namespace bw::agent
