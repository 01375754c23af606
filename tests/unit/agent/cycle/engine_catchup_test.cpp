// Catch-up: every period missed while the agent was down is evaluated once, within catch_up.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

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
  EXPECT_EQ(rows[0].idempotency_key, idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T07:00:00Z")));
  EXPECT_EQ(rows[0].created_at, at("2026-11-22T07:02:00Z"));
  EXPECT_EQ(rows[2].state, "OK");
  EXPECT_EQ(rows[2].idempotency_key, idempotency_key("tokens-high", kM1, AlarmState::Ok, at("2026-11-22T08:00:00Z")));

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

}  // namespace
}  // namespace bw::agent
