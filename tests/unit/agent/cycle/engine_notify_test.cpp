// Which notifications the engine owes: resolutions, repeats, notify_on, silences.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

TEST_F(EngineTest, AlarmThenOkQueuesAResolvedNotification) {
  ASSERT_TRUE(store_);
  add_alarm_m1_ok_m2();
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
  const auto ok_key = idempotency_key("tokens-high", kM1, AlarmState::Ok, at("2026-11-22T07:00:00Z"));
  EXPECT_NE(ok_key, rows[0].idempotency_key);
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(rows[i].idempotency_key, ok_key);
    EXPECT_EQ(rows[i].state, "OK");
    EXPECT_EQ(rows[i].subject, R"(OK: "tokens-high/modelId=m1" in us-east-1)");
    EXPECT_EQ(rows[i].payload, expected_payload(kM1, AlarmState::Alarm, m1, later, at("2026-11-22T07:00:00Z")));
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

TEST(EngineRepeat, FiringRuleNotifiesAgainAfterTheRepeatInterval) {
  testing::EngineRig rig(testing::make_config(
      {RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).repeat(2 * kHour).notify({"ops-email"})}));
  for (int h = 0; h < 6; ++h) rig.src.add_point(key("m1"), at("2026-11-22T05:00:00Z") + kHour * h, 2000000);
  ASSERT_TRUE(rig.store);

  ASSERT_TRUE(rig.run("2026-11-22T06:05:00Z").ok());
  ASSERT_EQ(rig.store->outbox().size(), 1u);
  const auto one_hour = rig.run("2026-11-22T07:05:00Z");
  ASSERT_TRUE(one_hour.ok());
  EXPECT_EQ(one_hour->notifications, 0u);
  const auto two_hours = rig.run("2026-11-22T08:05:00Z");
  ASSERT_TRUE(two_hours.ok());
  EXPECT_EQ(two_hours->notifications, 1u);
  EXPECT_FALSE(two_hours->results[0].transition);

  const auto rows = rig.store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].idempotency_key,
            idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T08:05:00Z")));
  EXPECT_EQ(nlohmann::json::parse(rows[1].payload)["OldStateValue"], "ALARM");
  EXPECT_EQ(rig.store->get("tokens-high", "modelId=m1")->notified_at, at("2026-11-22T08:05:00Z"));
  EXPECT_EQ(rig.store->history().size(), 1u);  // a reminder is not a transition
}

TEST(EngineNotifyOn, AlarmOnlyRuleOwesNoResolution) {
  testing::EngineRig rig(testing::make_config({RuleBuilder("tokens-high")
                                                .dimensions({{"modelId", "m1"}})
                                                .notify_on({AlarmState::Alarm})
                                                .notify({"ops-email"})}));
  rig.src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 2000000);
  rig.src.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 1);
  ASSERT_TRUE(rig.store);
  ASSERT_TRUE(rig.run("2026-11-22T06:05:00Z").ok());
  const auto ok = rig.run("2026-11-22T07:05:00Z");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->results[0].evaluation.state, AlarmState::Ok);
  EXPECT_TRUE(ok->results[0].transition);
  EXPECT_EQ(ok->notifications, 0u);
  EXPECT_EQ(rig.store->outbox().size(), 1u);
}

TEST(EngineSilence, SilencedNotificationsAreRecordedButNotPending) {
  auto config = testing::make_config({RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).notify({"ops-email"})});
  config::Silence s;
  s.labels = {{"modelId", "m1"}};
  s.starts = at("2026-11-22T06:00:00Z");
  s.ends = at("2026-11-22T07:00:00Z");
  config.silences.push_back(s);
  testing::EngineRig rig(std::move(config));
  rig.src.add_listing(kNs, kTokens, kM1);
  rig.src.add_listing(kNs, kTokens, kM2);
  rig.src.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 2000000);
  rig.src.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 2000000);
  ASSERT_TRUE(rig.store);

  const auto report = rig.run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(report.ok());
  const auto rows = rig.store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].series, "modelId=m1");
  EXPECT_EQ(rows[0].status, "silenced");
  EXPECT_EQ(rows[1].series, "modelId=m2");
  EXPECT_EQ(rows[1].status, "pending");
  ASSERT_EQ(rig.store->due(at("2026-11-22T06:05:00Z")).size(), 1u);
  EXPECT_EQ(rig.store->due(at("2026-11-22T06:05:00Z"))[0].series, "modelId=m2");
  // The state still counts as notified, so the resolution is owed later.
  EXPECT_EQ(rig.store->get("tokens-high", "modelId=m1")->notified_state, "ALARM");
  // What /metrics counts as batchwatch_notifications_total{outcome="silenced"}.
  EXPECT_EQ(report->silenced, (std::map<std::string, std::size_t>{{"ops-email", 1}}));
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
