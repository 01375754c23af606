// One cycle of the engine: what it fetches, evaluates, records and reports.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

TEST_F(EngineTest, FirstCycleAlarmQueuesOneRowPerTargetAndOkQueuesNothing) {
  ASSERT_TRUE(store_);
  const auto now = at("2026-11-22T06:05:00Z");
  add_alarm_m1_ok_m2();

  const auto report = run(now);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->now, now);
  EXPECT_EQ(report->series, 2u);
  EXPECT_EQ(report->query_groups, 1u);
  EXPECT_EQ(report->datapoints, 2u);
  EXPECT_EQ(report->notifications, 2u);
  EXPECT_EQ(report->fetch_calls, 1u);
  EXPECT_EQ(report->series_fetched, 2u);
  ASSERT_EQ(report->transitions.size(), 2u);
  EXPECT_EQ(report->transitions[0].at, now);
  EXPECT_EQ(report->transitions[0].labels, kM1);
  EXPECT_EQ(report->transitions[0].from, AlarmState::InsufficientData);
  EXPECT_EQ(report->transitions[0].to, AlarmState::Alarm);
  EXPECT_EQ(report->transitions[1].labels, kM2);
  EXPECT_EQ(report->transitions[1].to, AlarmState::Ok);

  // One discovery, one fetch of both series: the 3-slot window ending at 06:00 needs 3 hours, the
  // status page's curve the last 30 periods.
  ASSERT_EQ(src_.discovers.size(), 1u);
  ASSERT_EQ(src_.fetches.size(), 1u);
  EXPECT_EQ(src_.fetches[0].keys, (std::vector<SeriesKey>{key("m1"), key("m2")}));
  EXPECT_EQ(src_.fetches[0].start, at("2026-11-21T00:00:00Z"));
  EXPECT_EQ(src_.fetches[0].end, at("2026-11-22T06:00:00Z"));

  // Each result's curve: the 30 hourly periods up to 06:00, with the rule's threshold.
  ASSERT_EQ(report->trails.instances(), 2u);
  const auto trail = report->trails.of(0);
  ASSERT_TRUE(trail);
  EXPECT_EQ(trail->start, at("2026-11-21T00:00:00Z"));
  EXPECT_EQ(trail->period, kHour);
  ASSERT_EQ(trail->values.size(), 30u);
  EXPECT_EQ(trail->values[29], 1250000.0f);
  EXPECT_TRUE(std::isnan(trail->values[28]));
  EXPECT_EQ(trail->reference.kind, ReferenceKind::Threshold);
  EXPECT_EQ(trail->reference.value, 1000000.0);
  EXPECT_EQ(report->trails.of(1)->values[29], 10.0f);

  ASSERT_EQ(report->results.size(), 2u);
  const auto& alarm = report->results[0];
  EXPECT_EQ(alarm.rule, &rule());
  EXPECT_EQ(*alarm.labels, kM1);
  EXPECT_EQ(alarm.old_state, AlarmState::InsufficientData);
  EXPECT_EQ(alarm.evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(alarm.evaluation.value, 1250000.0);
  EXPECT_EQ(alarm.reason,
            "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 05:00:00)] was greater than the "
            "threshold (1000000.0) (minimum 1 datapoint for OK -> ALARM transition).");
  EXPECT_TRUE(alarm.transition);
  EXPECT_EQ(alarm.notifications, 2u);
  const auto& ok = report->results[1];
  EXPECT_EQ(*ok.labels, kM2);
  EXPECT_EQ(ok.evaluation.state, AlarmState::Ok);
  EXPECT_EQ(ok.evaluation.value, 10.0);
  EXPECT_TRUE(ok.transition);
  EXPECT_EQ(ok.notifications, 0u);  // no "OK" mail for a new series

  auto m1 = store_->get("tokens-high", "modelId=m1");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->state, AlarmState::Alarm);
  EXPECT_EQ(m1->value, 1250000.0);
  EXPECT_EQ(m1->reason, alarm.reason);
  EXPECT_EQ(m1->changed_at, now);
  EXPECT_EQ(m1->evaluated_at, now);
  EXPECT_EQ(m1->notified_state, "ALARM");
  auto m2 = store_->get("tokens-high", "modelId=m2");
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->state, AlarmState::Ok);
  EXPECT_EQ(m2->notified_state, "");

  // Keyed by the evaluated period (ending 06:00), not by the cycle's clock: replicas agree on it.
  const auto key_m1 = idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T06:00:00Z"));
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].target, "ops-email");
  EXPECT_EQ(rows[1].target, "pipeline");
  for (const auto& r : rows) {
    EXPECT_EQ(r.idempotency_key, key_m1);
    EXPECT_EQ(r.subject, R"(ALARM: "tokens-high/modelId=m1" in us-east-1)");
    EXPECT_EQ(r.payload, expected_payload(kM1, AlarmState::InsufficientData, alarm, now,
                                            at("2026-11-22T06:00:00Z")));
    EXPECT_EQ(r.rule, "tokens-high");
    EXPECT_EQ(r.series, "modelId=m1");
    EXPECT_EQ(r.state, "ALARM");
    EXPECT_EQ(r.created_at, now);
    EXPECT_EQ(r.next_attempt_at, now);
    EXPECT_EQ(r.attempts, 0);
    EXPECT_EQ(r.status, "pending");
    const auto j = nlohmann::json::parse(r.payload);
    EXPECT_EQ(j["AlarmName"], "tokens-high/modelId=m1");
    EXPECT_EQ(j["NewStateValue"], "ALARM");
    EXPECT_EQ(j["OldStateValue"], "INSUFFICIENT_DATA");
    EXPECT_EQ(j["StateChangeTime"], "2026-11-22T06:05:00.000+0000");
    EXPECT_EQ(j["Region"], "us-east-1");
    EXPECT_EQ(j["batchwatch"]["idempotency_key"], key_m1);
    EXPECT_EQ(j["batchwatch"]["value"], 1250000.0);
  }

  const auto h = store_->history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].series, "modelId=m1");
  EXPECT_EQ(h[0].from, "INSUFFICIENT_DATA");
  EXPECT_EQ(h[0].to, "ALARM");
  EXPECT_EQ(h[1].series, "modelId=m2");
  EXPECT_EQ(h[1].from, "INSUFFICIENT_DATA");
  EXPECT_EQ(h[1].to, "OK");

  const auto logs = log_.text();
  EXPECT_NE(logs.find("discovered series metric=NumberOfInputTokensProcessedPerMinute count=2"), std::string::npos) << logs;
  EXPECT_NE(logs.find(R"(state change rule=tokens-high series="modelId=m1" from=INSUFFICIENT_DATA to=ALARM)"),
            std::string::npos)
      << logs;
}

// `once` and a daemon without a status page: no 30-period curves fetched or drawn, no transition list;
// the results, the log and the notifications are the same.
TEST_F(EngineTest, WithoutTrailsOnlyTheEvaluatedWindowIsFetchedAndNoTransitionIsListed) {
  engine_.draw_trails(false);
  engine_.list_transitions(false);
  add_alarm_m1_ok_m2();

  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_TRUE(report.ok()) << report.error().describe();
  ASSERT_EQ(src_.fetches.size(), 1u);
  EXPECT_EQ(src_.fetches[0].start, at("2026-11-22T03:00:00Z"));  // the 3 hourly slots ending at 06:00
  EXPECT_EQ(src_.fetches[0].end, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(report->trails.instances(), 0u);
  EXPECT_TRUE(report->transitions.empty());
  ASSERT_EQ(report->results.size(), 2u);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Alarm);
  EXPECT_TRUE(report->results[0].transition);
  EXPECT_EQ(report->notifications, 2u);
  EXPECT_NE(log_.text().find("state change"), std::string::npos);
}

// Silences added at run time (`batchwatch silence`, kept in the store) are read once per cycle: the one
// covering m1 now silences both of its rows; one over, one for another rule, and one whose labels are not
// strings silence nothing.
TEST_F(EngineTest, SilencesAddedAtRunTimeQuietTheSeriesTheyCover) {
  const auto now = at("2026-11-22T06:05:00Z");
  add_alarm_m1_ok_m2();
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 2000000);  // m2 breaches too (the later point wins)
  const auto silence = [&](std::string rule, std::string labels, Time starts, Time ends) {
    StoredSilence s;
    s.rule = std::move(rule);
    s.labels_json = std::move(labels);
    s.starts = starts;
    s.ends = ends;
    s.created_at = starts;
    ASSERT_TRUE(store_->add_silence(s).ok());
  };
  silence("tokens-high", R"({"modelId":"m1"})", now - kHour, now + kHour);
  silence("tokens-high", R"({"modelId":"m2"})", now - 2 * kHour, now - kHour);  // over
  silence("other-rule", R"({"modelId":"m2"})", now - kHour, now + kHour);
  silence("*", R"({"modelId":5})", now - kHour, now + kHour);  // matches nothing

  ASSERT_TRUE(run(now).ok());
  std::map<std::string, std::vector<std::string>> status;
  for (const auto& row : store_->outbox()) status[row.series].push_back(row.status);
  EXPECT_EQ(status["modelId=m1"], (std::vector<std::string>{"silenced", "silenced"}));
  EXPECT_EQ(status["modelId=m2"], (std::vector<std::string>{"pending", "pending"}));
}

TEST_F(EngineTest, ASecondRunAtTheSameTimeChangesNothing) {
  ASSERT_TRUE(store_);
  const auto now = at("2026-11-22T06:05:00Z");
  add_alarm_m1_ok_m2();
  ASSERT_TRUE(run(now).ok());
  const auto outbox_before = store_->outbox();

  const auto again = run(now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->notifications, 0u);
  ASSERT_EQ(again->results.size(), 2u);
  for (const auto& r : again->results) {
    EXPECT_FALSE(r.transition);
    EXPECT_FALSE(r.evaluated);  // no new whole period: the stored state is shown
    EXPECT_EQ(r.notifications, 0u);
  }
  EXPECT_TRUE(again->transitions.empty());
  EXPECT_EQ(again->fetch_calls, 0u);  // everything needed is cached
  EXPECT_EQ(src_.fetches.size(), 1u);
  EXPECT_EQ(again->results[0].old_state, AlarmState::Alarm);
  EXPECT_EQ(again->results[0].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(store_->outbox().size(), outbox_before.size());
  EXPECT_EQ(store_->history().size(), 2u);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->changed_at, now);
  EXPECT_EQ(again->results[0].since, now);  // what the store holds, without reading it back
}

TEST_F(EngineTest, ResultsCarryWhenTheirStateLastChanged) {
  ASSERT_TRUE(store_);
  add_alarm_m1_ok_m2();
  const auto first = at("2026-11-22T06:05:00Z");
  ASSERT_TRUE(run(first).ok());
  src_.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 5);        // m1 turns OK
  src_.add_point(key("m2"), at("2026-11-22T06:00:00Z"), 20);       // m2 stays OK
  const auto later = at("2026-11-22T07:05:00Z");
  const auto report = run(later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->results.size(), 2u);
  for (const auto& r : report->results) {
    const auto stored = store_->get("tokens-high", labels_text(*r.labels));
    ASSERT_TRUE(stored);
    EXPECT_EQ(r.since, stored->changed_at) << labels_text(*r.labels);
  }
  EXPECT_EQ(report->results[0].since, later);
  EXPECT_EQ(report->results[1].since, first);
}

TEST_F(EngineTest, DryRunWritesNothing) {
  ASSERT_TRUE(store_);
  add_alarm_m1_ok_m2();
  const auto report = run(at("2026-11-22T06:05:00Z"), RunMode::DryRun);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(report->notifications, 2u);  // what would be owed
  EXPECT_TRUE(store_->all_states().empty());
  EXPECT_TRUE(store_->outbox().empty());
  EXPECT_TRUE(store_->history().empty());

  // A dry run reads the recorded state but leaves it alone.
  ASSERT_TRUE(run(at("2026-11-22T06:05:00Z")).ok());
  src_.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 5);
  const auto dry = run(at("2026-11-22T07:05:00Z"), RunMode::DryRun);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->results[0].old_state, AlarmState::Alarm);
  EXPECT_EQ(dry->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->state, AlarmState::Alarm);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->evaluated_at, at("2026-11-22T06:05:00Z"));
  EXPECT_EQ(store_->outbox().size(), 2u);
  EXPECT_EQ(store_->history().size(), 2u);
}

TEST_F(EngineTest, WithNothingStoredEverySeriesIsNew) {
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  const auto report = run(at("2026-11-22T06:05:00Z"), RunMode::DryRun);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->results.size(), 2u);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(report->results[1].evaluation.state, AlarmState::InsufficientData);
  EXPECT_EQ(report->notifications, 2u);
}

TEST_F(EngineTest, FirstEvaluationIntoInsufficientDataWritesStateButNoHistoryAndNoOutbox) {
  ASSERT_TRUE(store_);
  src_.add_listing(kNs, kTokens, kM3);  // listed, but no datapoints
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->results.size(), 3u);
  for (const auto& r : report->results) {
    EXPECT_EQ(r.evaluation.state, AlarmState::InsufficientData);
    EXPECT_FALSE(r.transition);  // the starting state, not a change
    EXPECT_EQ(r.notifications, 0u);
  }
  EXPECT_TRUE(report->transitions.empty());
  EXPECT_EQ(report->datapoints, 0u);
  const auto m3 = store_->get("tokens-high", "modelId=m3");
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->state, AlarmState::InsufficientData);
  EXPECT_EQ(m3->value, std::nullopt);
  EXPECT_EQ(m3->notified_state, "");
  EXPECT_EQ(store_->all_states().size(), 3u);
  EXPECT_TRUE(store_->history().empty());
  EXPECT_TRUE(store_->outbox().empty());

  // The first real change is recorded from INSUFFICIENT_DATA.
  src_.add_point(key("m3"), at("2026-11-22T06:00:00Z"), 2000000);
  const auto later = run(at("2026-11-22T07:05:00Z"));
  ASSERT_TRUE(later.ok());
  const auto h = store_->history();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].series, "modelId=m3");
  EXPECT_EQ(h[0].from, "INSUFFICIENT_DATA");
  EXPECT_EQ(h[0].to, "ALARM");
  EXPECT_EQ(store_->outbox().size(), 2u);
}

TEST(Engine, TwoRulesOnOneSeriesQueryItOnce) {
  testing::EngineRig rig(testing::make_config({
      RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).when(Comparison::Greater, 1000000),
      RuleBuilder("tokens-low").dimensions({{"modelId", "m1"}}).when(Comparison::Less, 100).notify({"ops-email"}),
  }));
  rig.src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 50);
  ASSERT_TRUE(rig.store);

  const auto report = rig.run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(rig.src.discovers.empty());  // no wildcard, no ListMetrics
  ASSERT_EQ(rig.src.fetches.size(), 1u);
  EXPECT_EQ(rig.src.fetches[0].keys, (std::vector<SeriesKey>{key("m1")}));
  EXPECT_EQ(report->series, 1u);
  EXPECT_EQ(report->datapoints, 1u);
  ASSERT_EQ(report->results.size(), 2u);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_EQ(report->results[1].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(report->notifications, 1u);
  ASSERT_EQ(rig.store->outbox().size(), 1u);
  EXPECT_EQ(rig.store->outbox()[0].rule, "tokens-low");
  EXPECT_EQ(rig.store->outbox()[0].target, "ops-email");
  EXPECT_EQ(rig.store->all_states().size(), 2u);
}

}  // namespace
}  // namespace bw::agent
