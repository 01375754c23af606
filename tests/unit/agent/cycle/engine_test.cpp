#include "agent/cycle/engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/delivery/notification.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kHour;
using testing::kNs;
using testing::kTokens;
using testing::RuleBuilder;

const std::vector<Dimension> kM1 = {{"modelId", "m1"}};
const std::vector<Dimension> kM2 = {{"modelId", "m2"}};
const std::vector<Dimension> kM3 = {{"modelId", "m3"}};

SeriesKey key(const std::string& model) {
  return testing::series_key(kNs, kTokens, {{"modelId", model}}, "Average", kHour);
}

// One wildcard rule "tokens-high" (> 1,000,000, N = M = 1, period 1h, delay 2m) notifying two
// targets; ListMetrics knows m1 and m2.
class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : config_(testing::make_config({RuleBuilder("tokens-high")
                                          .dimensions({{"modelId", "*"}})
                                          .when(Comparison::Greater, 1000000)
                                          .notify({"ops-email", "pipeline"})})) {
    src_.add_listing(kNs, kTokens, kM1);
    src_.add_listing(kNs, kTokens, kM2);
  }

  Result<CycleReport> run(Time now, RunMode mode = RunMode::Record) { return engine_.run(now, *store_, mode); }

  const config::Rule& rule() const { return config_.rules[0]; }

  std::string expected_payload(const std::vector<Dimension>& labels, AlarmState old_state, const Evaluation& ev,
                               Time now) const {
    return message(StateChange{&rule(), labels, old_state, ev, now, "us-east-1"}).dump();
  }

  testing::CapturedLog log_{LogLevel::Debug};
  config::Config config_;
  testing::FakeMetricSource src_;
  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  Engine engine_{config_, src_, log_.log(), "us-east-1"};
};

TEST_F(EngineTest, FirstCycleAlarmQueuesOneRowPerTargetAndOkQueuesNothing) {
  ASSERT_TRUE(store_);
  const auto now = at("2026-11-22T06:05:00Z");
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);

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

  // One discovery, one fetch of both series over the 3-slot window ending at 06:00.
  ASSERT_EQ(src_.discovers.size(), 1u);
  ASSERT_EQ(src_.fetches.size(), 1u);
  EXPECT_EQ(src_.fetches[0].keys, (std::vector<SeriesKey>{key("m1"), key("m2")}));
  EXPECT_EQ(src_.fetches[0].start, at("2026-11-22T03:00:00Z"));
  EXPECT_EQ(src_.fetches[0].end, at("2026-11-22T06:00:00Z"));

  ASSERT_EQ(report->results.size(), 2u);
  const auto& alarm = report->results[0];
  EXPECT_EQ(alarm.rule, &rule());
  EXPECT_EQ(alarm.labels, kM1);
  EXPECT_EQ(alarm.old_state, AlarmState::InsufficientData);
  EXPECT_EQ(alarm.evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(alarm.evaluation.value, 1250000.0);
  EXPECT_EQ(alarm.evaluation.reason,
            "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 05:00:00)] was greater than the "
            "threshold (1000000.0) (minimum 1 datapoint for OK -> ALARM transition).");
  EXPECT_TRUE(alarm.transition);
  EXPECT_EQ(alarm.notifications, 2u);
  const auto& ok = report->results[1];
  EXPECT_EQ(ok.labels, kM2);
  EXPECT_EQ(ok.evaluation.state, AlarmState::Ok);
  EXPECT_EQ(ok.evaluation.value, 10.0);
  EXPECT_TRUE(ok.transition);
  EXPECT_EQ(ok.notifications, 0u);  // no "OK" mail for a new series

  auto m1 = store_->get("tokens-high", "modelId=m1");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->state, AlarmState::Alarm);
  EXPECT_EQ(m1->value, 1250000.0);
  EXPECT_EQ(m1->reason, alarm.evaluation.reason);
  EXPECT_EQ(m1->changed_at, now);
  EXPECT_EQ(m1->evaluated_at, now);
  EXPECT_EQ(m1->notified_state, "ALARM");
  auto m2 = store_->get("tokens-high", "modelId=m2");
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->state, AlarmState::Ok);
  EXPECT_EQ(m2->notified_state, "");

  const auto key_m1 = idempotency_key("tokens-high", kM1, AlarmState::Alarm, now);
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].target, "ops-email");
  EXPECT_EQ(rows[1].target, "pipeline");
  for (const auto& r : rows) {
    EXPECT_EQ(r.idempotency_key, key_m1);
    EXPECT_EQ(r.subject, R"(ALARM: "tokens-high/modelId=m1" in us-east-1)");
    EXPECT_EQ(r.payload, expected_payload(kM1, AlarmState::InsufficientData, alarm.evaluation, now));
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

TEST_F(EngineTest, ASecondRunAtTheSameTimeChangesNothing) {
  ASSERT_TRUE(store_);
  const auto now = at("2026-11-22T06:05:00Z");
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
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
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
  const auto first = at("2026-11-22T06:05:00Z");
  ASSERT_TRUE(run(first).ok());
  src_.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 5);        // m1 turns OK
  src_.add_point(key("m2"), at("2026-11-22T06:00:00Z"), 20);       // m2 stays OK
  const auto later = at("2026-11-22T07:05:00Z");
  const auto report = run(later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->results.size(), 2u);
  for (const auto& r : report->results) {
    const auto stored = store_->get("tokens-high", labels_text(r.labels));
    ASSERT_TRUE(stored);
    EXPECT_EQ(r.since, stored->changed_at) << labels_text(r.labels);
  }
  EXPECT_EQ(report->results[0].since, later);
  EXPECT_EQ(report->results[1].since, first);
}

TEST_F(EngineTest, AlarmThenOkQueuesAResolvedNotification) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
  const auto first = at("2026-11-22T06:05:00Z");
  ASSERT_TRUE(run(first).ok());

  const auto later = at("2026-11-22T07:05:00Z");
  src_.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 5);
  const auto report = run(later);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->results.size(), 2u);
  const auto& m1 = report->results[0];
  EXPECT_EQ(m1.old_state, AlarmState::Alarm);
  EXPECT_EQ(m1.evaluation.state, AlarmState::Ok);
  EXPECT_TRUE(m1.transition);
  EXPECT_EQ(m1.notifications, 2u);
  EXPECT_FALSE(report->results[1].transition);  // m2 stayed OK
  EXPECT_EQ(report->notifications, 2u);

  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 4u);
  const auto ok_key = idempotency_key("tokens-high", kM1, AlarmState::Ok, later);
  EXPECT_NE(ok_key, rows[0].idempotency_key);
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(rows[i].idempotency_key, ok_key);
    EXPECT_EQ(rows[i].state, "OK");
    EXPECT_EQ(rows[i].subject, R"(OK: "tokens-high/modelId=m1" in us-east-1)");
    EXPECT_EQ(rows[i].payload, expected_payload(kM1, AlarmState::Alarm, m1.evaluation, later));
    const auto j = nlohmann::json::parse(rows[i].payload);
    EXPECT_EQ(j["NewStateValue"], "OK");
    EXPECT_EQ(j["OldStateValue"], "ALARM");
  }
  EXPECT_EQ(rows[2].target, "ops-email");
  EXPECT_EQ(rows[3].target, "pipeline");

  const auto st = store_->get("tokens-high", "modelId=m1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, AlarmState::Ok);
  EXPECT_EQ(st->notified_state, "OK");
  EXPECT_EQ(st->changed_at, later);
  const auto m2 = store_->get("tokens-high", "modelId=m2");
  EXPECT_EQ(m2->changed_at, first);
  EXPECT_EQ(m2->evaluated_at, later);
  const auto h = store_->history();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].from, "ALARM");
  EXPECT_EQ(h[2].to, "OK");
  EXPECT_EQ(h[2].at, later);

  // Firing again notifies again.
  const auto third = at("2026-11-22T08:05:00Z");
  src_.add_point(key("m1"), at("2026-11-22T07:00:00Z"), 2000000);
  const auto again = run(third);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->notifications, 2u);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->notified_state, "ALARM");
  EXPECT_EQ(store_->outbox().size(), 6u);
}

TEST_F(EngineTest, OkAfterAlarmAndAGapStillResolves) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  ASSERT_TRUE(run(at("2026-11-22T06:05:00Z")).ok());
  ASSERT_EQ(store_->outbox().size(), 2u);

  // 09:05: the window [06:00, 09:00) is empty -> INSUFFICIENT_DATA, which owes nothing.
  const auto gap = run(at("2026-11-22T09:05:00Z"));
  ASSERT_TRUE(gap.ok());
  EXPECT_EQ(gap->results[0].evaluation.state, AlarmState::InsufficientData);
  EXPECT_TRUE(gap->results[0].transition);
  EXPECT_EQ(gap->results[0].notifications, 0u);
  EXPECT_EQ(store_->outbox().size(), 2u);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->notified_state, "ALARM");

  // 10:05: OK resolves the ALARM that was notified, even though the state before was INSUFFICIENT_DATA.
  src_.add_point(key("m1"), at("2026-11-22T09:00:00Z"), 3);
  const auto ok = run(at("2026-11-22T10:05:00Z"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_EQ(ok->results[0].notifications, 2u);
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(rows[3].payload)["OldStateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(rows[3].state, "OK");

  const auto h = store_->history();
  std::vector<std::string> m1_changes;
  for (const auto& r : h)
    if (r.series == "modelId=m1") m1_changes.push_back(r.from + ">" + r.to);
  EXPECT_EQ(m1_changes, (std::vector<std::string>{"INSUFFICIENT_DATA>ALARM", "ALARM>INSUFFICIENT_DATA",
                                                  "INSUFFICIENT_DATA>OK"}));
}

TEST_F(EngineTest, DryRunWritesNothing) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
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

TEST_F(EngineTest, DiscoverErrorPropagatesAndWritesNothing) {
  ASSERT_TRUE(store_);
  src_.discover_error = testing::api_error("monitoring", "ListMetrics", "Throttling");
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, Error::Kind::Aws);
  ASSERT_TRUE(report.error().aws);
  EXPECT_EQ(report.error().aws->service, "monitoring");
  EXPECT_EQ(report.error().aws->operation, "ListMetrics");
  EXPECT_EQ(report.error().aws->code, "Throttling");
  // What the CLI prints after "cycle failed: " is the AWS error's own description.
  EXPECT_EQ(report.error().describe(), report.error().aws->describe());
  EXPECT_TRUE(src_.fetches.empty());
  EXPECT_TRUE(store_->all_states().empty());
}

TEST_F(EngineTest, FetchErrorPropagatesAndWritesNothing) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.fetch_error = testing::api_error("monitoring", "GetMetricData", "InternalFailure");
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  ASSERT_TRUE(report.error().aws);
  EXPECT_EQ(report.error().aws->operation, "GetMetricData");
  EXPECT_EQ(report.error().aws->code, "InternalFailure");
  EXPECT_EQ(src_.fetches.size(), 1u);
  EXPECT_TRUE(store_->all_states().empty());
  EXPECT_TRUE(store_->outbox().empty());
}

TEST_F(EngineTest, CommitFailureIsAnError) {
  ASSERT_TRUE(store_);
  db_.exec_raw("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, Error::Kind::State);
  EXPECT_EQ(report.error().what, "state commit");
  EXPECT_FALSE(report.error().aws);
  EXPECT_NE(report.error().message.find("disk says no"), std::string::npos) << report.error().message;
  EXPECT_EQ(report.error().describe(), "state commit: " + report.error().message);
  EXPECT_TRUE(store_->all_states().empty());  // the ALARM was not half-recorded
}

TEST_F(EngineTest, CatchUpEvaluatesEveryMissedPeriodOnce) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 10);
  ASSERT_TRUE(run(at("2026-11-22T06:05:00Z")).ok());  // OK, evaluated through 06:00

  // Down for three hours; meanwhile m1 breached in the 06:00 period only.
  src_.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 2000000);
  src_.add_point(key("m1"), at("2026-11-22T07:00:00Z"), 10);
  src_.add_point(key("m1"), at("2026-11-22T08:00:00Z"), 10);
  const auto now = at("2026-11-22T09:05:00Z");
  const auto report = run(now);
  ASSERT_TRUE(report.ok());

  // Only the periods not cached yet are fetched.
  ASSERT_EQ(src_.fetches.size(), 2u);
  EXPECT_EQ(src_.fetches[1].start, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(src_.fetches[1].end, at("2026-11-22T09:00:00Z"));

  // Steps end at 07:00 and 08:00 (judged `delay` after each) and 09:00 (judged now).
  ASSERT_EQ(report->transitions.size(), 2u);
  EXPECT_EQ(report->transitions[0].at, at("2026-11-22T07:02:00Z"));
  EXPECT_EQ(report->transitions[0].from, AlarmState::Ok);
  EXPECT_EQ(report->transitions[0].to, AlarmState::Alarm);
  EXPECT_EQ(report->transitions[0].value, 2000000.0);
  EXPECT_EQ(report->transitions[1].at, at("2026-11-22T08:02:00Z"));
  EXPECT_EQ(report->transitions[1].to, AlarmState::Ok);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_EQ(report->results[0].notifications, 4u);

  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].state, "ALARM");
  EXPECT_EQ(rows[0].idempotency_key, idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T07:02:00Z")));
  EXPECT_EQ(rows[0].created_at, at("2026-11-22T07:02:00Z"));
  EXPECT_EQ(rows[2].state, "OK");
  EXPECT_EQ(rows[2].idempotency_key, idempotency_key("tokens-high", kM1, AlarmState::Ok, at("2026-11-22T08:02:00Z")));

  const auto st = store_->get("tokens-high", "modelId=m1");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, AlarmState::Ok);
  EXPECT_EQ(st->window_end, at("2026-11-22T09:00:00Z"));
  EXPECT_EQ(st->evaluated_at, now);
  EXPECT_EQ(st->changed_at, at("2026-11-22T08:02:00Z"));
  EXPECT_EQ(store_->history().size(), 3u);  // m1: I>OK, OK>ALARM, ALARM>OK (m2 stays INSUFFICIENT_DATA)
}

TEST_F(EngineTest, CatchUpIsBoundedByCatchUp) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 10);
  ASSERT_TRUE(run(at("2026-11-22T06:05:00Z")).ok());

  // Down for ten hours; the breach at 08:00 is older than catch_up (3h) reaches back, so it is not seen.
  src_.add_point(key("m1"), at("2026-11-22T08:00:00Z"), 2000000);
  for (int h = 10; h < 16; ++h) src_.add_point(key("m1"), at("2026-11-22T06:00:00Z") + kHour * (h - 6), 10);
  const auto report = run(at("2026-11-22T16:05:00Z"));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->transitions.empty());
  EXPECT_EQ(store_->outbox().size(), 0u);
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->window_end, at("2026-11-22T16:00:00Z"));
}

TEST(EngineRepeat, FiringRuleNotifiesAgainAfterTheRepeatInterval) {
  const auto config = testing::make_config(
      {RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).repeat(2 * kHour).notify({"ops-email"})});
  testing::FakeMetricSource src;
  for (int h = 0; h < 6; ++h) src.add_point(key("m1"), at("2026-11-22T05:00:00Z") + kHour * h, 2000000);
  testing::CapturedLog log;
  Engine engine(config, src, log.log(), "us-east-1");
  testing::TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);

  ASSERT_TRUE(engine.run(at("2026-11-22T06:05:00Z"), *store, RunMode::Record).ok());
  ASSERT_EQ(store->outbox().size(), 1u);
  const auto one_hour = engine.run(at("2026-11-22T07:05:00Z"), *store, RunMode::Record);
  ASSERT_TRUE(one_hour.ok());
  EXPECT_EQ(one_hour->notifications, 0u);
  const auto two_hours = engine.run(at("2026-11-22T08:05:00Z"), *store, RunMode::Record);
  ASSERT_TRUE(two_hours.ok());
  EXPECT_EQ(two_hours->notifications, 1u);
  EXPECT_FALSE(two_hours->results[0].transition);

  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].idempotency_key,
            idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T08:05:00Z")));
  EXPECT_EQ(nlohmann::json::parse(rows[1].payload)["OldStateValue"], "ALARM");
  EXPECT_EQ(store->get("tokens-high", "modelId=m1")->notified_at, at("2026-11-22T08:05:00Z"));
  EXPECT_EQ(store->history().size(), 1u);  // a reminder is not a transition
}

TEST(EngineNotifyOn, AlarmOnlyRuleOwesNoResolution) {
  const auto config = testing::make_config({RuleBuilder("tokens-high")
                                                .dimensions({{"modelId", "m1"}})
                                                .notify_on({AlarmState::Alarm})
                                                .notify({"ops-email"})});
  testing::FakeMetricSource src;
  src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 2000000);
  src.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 1);
  testing::CapturedLog log;
  Engine engine(config, src, log.log(), "us-east-1");
  testing::TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(engine.run(at("2026-11-22T06:05:00Z"), *store, RunMode::Record).ok());
  const auto ok = engine.run(at("2026-11-22T07:05:00Z"), *store, RunMode::Record);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_TRUE(ok->results[0].transition);
  EXPECT_EQ(ok->notifications, 0u);
  EXPECT_EQ(store->outbox().size(), 1u);
}

TEST(EngineSilence, SilencedNotificationsAreRecordedButNotPending) {
  auto config = testing::make_config({RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).notify({"ops-email"})});
  config::Silence s;
  s.labels = {{"modelId", "m1"}};
  s.starts = at("2026-11-22T06:00:00Z");
  s.ends = at("2026-11-22T07:00:00Z");
  config.silences.push_back(s);
  testing::FakeMetricSource src;
  src.add_listing(kNs, kTokens, kM1);
  src.add_listing(kNs, kTokens, kM2);
  src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 2000000);
  src.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 2000000);
  testing::CapturedLog log;
  Engine engine(config, src, log.log(), "us-east-1");
  testing::TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);

  const auto report = engine.run(at("2026-11-22T06:05:00Z"), *store, RunMode::Record);
  ASSERT_TRUE(report.ok());
  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].series, "modelId=m1");
  EXPECT_EQ(rows[0].status, "silenced");
  EXPECT_EQ(rows[1].series, "modelId=m2");
  EXPECT_EQ(rows[1].status, "pending");
  ASSERT_EQ(store->due(at("2026-11-22T06:05:00Z")).size(), 1u);
  EXPECT_EQ(store->due(at("2026-11-22T06:05:00Z"))[0].series, "modelId=m2");
  // The state still counts as notified, so the resolution is owed later.
  EXPECT_EQ(store->get("tokens-high", "modelId=m1")->notified_state, "ALARM");
}

TEST(Engine, TwoRulesOnOneSeriesQueryItOnce) {
  const auto config = testing::make_config({
      RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).when(Comparison::Greater, 1000000),
      RuleBuilder("tokens-low").dimensions({{"modelId", "m1"}}).when(Comparison::Less, 100).notify({"ops-email"}),
  });
  testing::FakeMetricSource src;
  src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 50);
  testing::CapturedLog log;
  Engine engine(config, src, log.log(), "us-east-1");
  testing::TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);

  const auto report = engine.run(at("2026-11-22T06:05:00Z"), *store, RunMode::Record);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(src.discovers.empty());  // no wildcard, no ListMetrics
  ASSERT_EQ(src.fetches.size(), 1u);
  EXPECT_EQ(src.fetches[0].keys, (std::vector<SeriesKey>{key("m1")}));
  EXPECT_EQ(report->series, 1u);
  EXPECT_EQ(report->datapoints, 1u);
  ASSERT_EQ(report->results.size(), 2u);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_EQ(report->results[1].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(report->notifications, 1u);
  ASSERT_EQ(store->outbox().size(), 1u);
  EXPECT_EQ(store->outbox()[0].rule, "tokens-low");
  EXPECT_EQ(store->outbox()[0].target, "ops-email");
  EXPECT_EQ(store->all_states().size(), 2u);
}

struct OwesCase {
  AlarmState state;
  const char* last_notified;
  bool drained_rule;  // the rule's kind decides its default notify_on
  bool owes;
};

// A rule without notify_on, so notify_on() gives its real default: ALARM and OK, or DRAINED for a
// drained rule.
config::Rule rule_with_default_notify_on(bool drained) {
  config::Rule rule = RuleBuilder("r");
  if (drained) rule.spec = DrainedSpec{};
  return rule;
}

class OwesNotification : public ::testing::TestWithParam<OwesCase> {};

TEST_P(OwesNotification, Table) {
  const auto& c = GetParam();
  const auto rule = rule_with_default_notify_on(c.drained_rule);
  EXPECT_EQ(owes_notification(c.state, c.last_notified, notify_on(rule)), c.owes)
      << to_string(c.state) << " after last notified '" << c.last_notified << "'"
      << (c.drained_rule ? " (drained rule)" : "");
}

INSTANTIATE_TEST_SUITE_P(Cases, OwesNotification,
                         ::testing::Values(OwesCase{AlarmState::Alarm, "", false, true},
                                           OwesCase{AlarmState::Alarm, "OK", false, true},
                                           OwesCase{AlarmState::Alarm, "ALARM", false, true},
                                           OwesCase{AlarmState::Drained, "", true, true},
                                           OwesCase{AlarmState::Drained, "DRAINED", true, true},
                                           OwesCase{AlarmState::Ok, "", false, false},
                                           OwesCase{AlarmState::Ok, "ALARM", false, true},
                                           OwesCase{AlarmState::Ok, "OK", false, false},
                                           OwesCase{AlarmState::InsufficientData, "", false, false},
                                           OwesCase{AlarmState::InsufficientData, "ALARM", false, false},
                                           OwesCase{AlarmState::InsufficientData, "OK", false, false},
                                           // Each kind's default leaves out the other's states.
                                           OwesCase{AlarmState::Alarm, "", true, false},
                                           OwesCase{AlarmState::Ok, "ALARM", true, false}));

TEST(OwesNotificationNotifyOn, OnlyListedStatesAreOwed) {
  const std::vector<AlarmState> alarm_only{AlarmState::Alarm};
  EXPECT_TRUE(owes_notification(AlarmState::Alarm, "", alarm_only));
  EXPECT_FALSE(owes_notification(AlarmState::Ok, "ALARM", alarm_only));
  const std::vector<AlarmState> with_insufficient{AlarmState::Alarm, AlarmState::Ok, AlarmState::InsufficientData};
  EXPECT_TRUE(owes_notification(AlarmState::InsufficientData, "", with_insufficient));
  EXPECT_TRUE(owes_notification(AlarmState::Ok, "ALARM", with_insufficient));
  EXPECT_FALSE(owes_notification(AlarmState::Ok, "", with_insufficient));  // still no OK for a new series
  EXPECT_FALSE(owes_notification(AlarmState::Alarm, "", {}));
}

}  // namespace
}  // namespace bw::agent
