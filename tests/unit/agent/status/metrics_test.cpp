#include "agent/status/metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace bw::agent {
namespace {

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
  EXPECT_EQ(r.value("batchwatch_getmetricdata_calls_total"), 1);  // the throttled attempt was no call

  const auto text = m.render();
  EXPECT_NE(text.find("batchwatch_aws_requests_total{service=\"sns\",operation=\"Publish\",code=\"CouldNotConnect\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE batchwatch_cycle_duration_seconds histogram\n"), std::string::npos);
}

TEST(MetricsAgent, OutcomeNamesRoundTripAndOthersAreNotGuessed) {
  for (auto o : {NotificationOutcome::Delivered, NotificationOutcome::Retried, NotificationOutcome::Dead,
                 NotificationOutcome::Silenced})
    EXPECT_EQ(notification_outcome(to_string(o)), o);
  EXPECT_EQ(notification_outcome("exploded"), std::nullopt);  // once counted as "retried"
}

// Whether a response with `code` counts as a throttle on batchwatch_throttles_total.
bool counted_as_throttle(std::string_view code) {
  AgentMetrics m;
  m.on_response("monitoring", "GetMetricData", code);
  return m.registry().value("batchwatch_throttles_total", {{"service", "monitoring"}, {"operation", "GetMetricData"}}) == 1;
}

TEST(MetricsAgent, ThrottlingCodes) {
  EXPECT_TRUE(counted_as_throttle("Throttling"));
  EXPECT_TRUE(counted_as_throttle("ThrottlingException"));
  EXPECT_TRUE(counted_as_throttle("TooManyRequestsException"));
  EXPECT_FALSE(counted_as_throttle("200"));
  EXPECT_FALSE(counted_as_throttle("InternalError"));
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
  m.set_rule_states({{"drain", {{"modelId", "m1"}, {"model_id", "m9"}, {"State", "x"}}, AlarmState::Alarm}});

  const auto& r = m.registry();
  EXPECT_EQ(r.series_count("batchwatch_rule_state"), 4u);  // old-rule is gone
  const auto labels = [](const char* state) {
    return MetricLabels{{"rule", "drain"}, {"state", state}, {"model_id", "m1"}, {"label_model_id", "m9"},
                        {"label_state", "x"}};
  };
  EXPECT_EQ(r.value("batchwatch_rule_state", labels("ALARM")), 1);
  EXPECT_EQ(r.value("batchwatch_rule_state", labels("OK")), 0);
  // Dimension names in snake_case; one that collides with another label or with rule/state is prefixed.
  EXPECT_NE(m.render().find("batchwatch_rule_state{rule=\"drain\",state=\"ALARM\",model_id=\"m1\",label_model_id=\"m9\","
                            "label_state=\"x\"} 1\n"),
            std::string::npos)
      << m.render();
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

namespace bw::agent {
namespace {

TEST(MetricsAgent, JobsPerStatusReplaceTheFamily) {
  AgentMetrics m;
  m.set_jobs_by_status({{"InProgress", 2}, {"Failed", 1}});
  auto text = m.render();
  EXPECT_NE(text.find("batchwatch_jobs{status=\"InProgress\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batchwatch_jobs{status=\"Failed\"} 1\n"), std::string::npos) << text;
  m.set_jobs_by_status({{"Completed", 3}});
  text = m.render();
  EXPECT_EQ(text.find("status=\"InProgress\""), std::string::npos) << text;
  EXPECT_NE(text.find("batchwatch_jobs{status=\"Completed\"} 3\n"), std::string::npos) << text;
}

TEST(MetricsAgent, ClaimsAreCountedPerOutcomeAndAbsentWithoutHa) {
  AgentMetrics m;
  EXPECT_EQ(m.registry().series_count("batchwatch_claims_total"), 0u);  // no ha: no series
  m.count_claim("won");
  m.count_claim("won");
  m.count_claim("fenced");
  const auto& r = m.registry();
  EXPECT_EQ(r.value("batchwatch_claims_total", {{"outcome", "won"}}), 2);
  EXPECT_EQ(r.value("batchwatch_claims_total", {{"outcome", "fenced"}}), 1);
  const auto text = m.render();
  EXPECT_NE(text.find("# TYPE batchwatch_claims_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batchwatch_claims_total{outcome=\"won\"} 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace bw::agent
