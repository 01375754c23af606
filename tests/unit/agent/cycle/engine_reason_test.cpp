// Which reason each engine output carries now that reasons are written only when read (Explain::No
// between changes): transitions, notifications and repeat reminders always explain the evaluation
// they report; a steady result carries its last change's reason unless results are explained.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "agent/cycle/engine.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kHour;
using testing::kNs;
using testing::kTokens;
using testing::RuleBuilder;

SeriesKey m1_key() { return testing::series_key(kNs, kTokens, {{"modelId", "m1"}}, "Average", kHour); }

// One rule on m1 (> 1,000,000, N = M = 1, 1 h, repeat every 2 h); ALARM at 05:00, still breaching
// (with new values) through 08:00.
class EngineReason : public ::testing::Test {
 protected:
  EngineReason() {
    const double values[] = {2000000, 3000000, 4000000, 5000000};
    for (int h = 0; h < 4; ++h) src_.add_point(m1_key(), at("2026-11-22T05:00:00Z") + kHour * h, values[h]);
  }

  CycleReport run(Engine& engine, const char* now) {
    auto report = engine.run(at(now), *store_, RunMode::Record);
    EXPECT_TRUE(report.ok());
    return report.ok() ? std::move(report.value()) : CycleReport{};
  }

  config::Config config_ = testing::make_config(
      {RuleBuilder("tokens-high").dimensions({{"modelId", "m1"}}).repeat(2 * kHour).notify({"ops-email"})});
  testing::FakeMetricSource src_;
  testing::CapturedLog log_;
  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
};

TEST_F(EngineReason, SteadyResultKeepsTheReasonOfItsLastChange) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  const auto first = run(engine, "2026-11-22T06:05:00Z");
  ASSERT_EQ(first.transitions.size(), 1u);
  const std::string change_reason = first.transitions[0].reason;
  EXPECT_NE(change_reason.find("[2000000.0 (22/11/26 05:00:00)]"), std::string::npos) << change_reason;
  EXPECT_EQ(first.results[0].reason, change_reason);

  const auto steady = run(engine, "2026-11-22T07:05:00Z");
  ASSERT_TRUE(steady.transitions.empty());
  EXPECT_EQ(steady.results[0].evaluation.state, AlarmState::Alarm);
  EXPECT_EQ(steady.results[0].evaluation.value, 3000000.0);  // the value is current ...
  EXPECT_EQ(steady.results[0].reason, change_reason);  // ... the reason is the change's
  EXPECT_EQ(steady.results[0].reason.data(), first.results[0].reason.data());  // the kept text, not a copy
  EXPECT_EQ(store_->get("tokens-high", "modelId=m1")->reason, change_reason);
}

TEST_F(EngineReason, RepeatReminderExplainsTheEvaluationItReports) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  run(engine, "2026-11-22T06:05:00Z");
  run(engine, "2026-11-22T07:05:00Z");
  const auto reminder = run(engine, "2026-11-22T08:05:00Z");
  ASSERT_EQ(reminder.notifications, 1u);
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 2u);
  const auto sent = nlohmann::json::parse(rows[1].payload)["NewStateReason"].get<std::string>();
  EXPECT_NE(sent.find("[4000000.0 (22/11/26 07:00:00)]"), std::string::npos) << sent;
  EXPECT_EQ(reminder.results[0].reason, sent);
}

// A result refers to the engine's kept reason: the report keeps that text alive, whatever the engine
// does next (a new reason for the state, a dry run that drops every kept state).
TEST_F(EngineReason, AReportsReasonsOutliveTheEnginesLaterCycles) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  const auto first = run(engine, "2026-11-22T06:05:00Z");
  ASSERT_EQ(first.transitions.size(), 1u);
  const std::string change_reason = first.transitions[0].reason;
  engine.explain_results(true);  // every later result writes a new reason for the state
  run(engine, "2026-11-22T08:05:00Z");
  ASSERT_TRUE(engine.run(at("2026-11-22T09:05:00Z"), *store_, RunMode::DryRun).ok());  // forgets the kept states
  EXPECT_EQ(first.results[0].reason, change_reason);
}

TEST_F(EngineReason, ExplainedResultsCarryAFreshReasonEachCycle) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  engine.explain_results(true);
  run(engine, "2026-11-22T06:05:00Z");
  const auto steady = run(engine, "2026-11-22T07:05:00Z");
  ASSERT_TRUE(steady.transitions.empty());
  const auto reason = steady.results[0].reason;
  EXPECT_NE(reason.find("[3000000.0 (22/11/26 06:00:00)]"), std::string::npos) << reason;
}

// Catch-up: every change inside a caught-up stretch is explained with its own step's datapoint.
TEST_F(EngineReason, CaughtUpTransitionsAreExplainedAtTheirOwnStep) {
  src_.add_point(m1_key(), at("2026-11-22T09:00:00Z"), 10);
  config_.poll.catch_up = 6 * kHour;
  Engine engine(config_, src_, log_.log(), "us-east-1");
  run(engine, "2026-11-22T06:05:00Z");
  const auto later = run(engine, "2026-11-22T10:05:00Z");
  ASSERT_EQ(later.transitions.size(), 1u);
  EXPECT_EQ(later.transitions[0].to, AlarmState::Ok);
  EXPECT_NE(later.transitions[0].reason.find("[10.0 (22/11/26 09:00:00)]"), std::string::npos)
      << later.transitions[0].reason;
}

}  // namespace
}  // namespace bw::agent
