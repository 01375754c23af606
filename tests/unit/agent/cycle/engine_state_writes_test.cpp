// What a cycle reads and writes of the states: one bulk read on the engine's first cycle, a state row
// only when something a later cycle or a restart needs changed (or it lags kStateCheckpoint), the
// rest at flush(); and a restart from rows that lag re-evaluates without notifying again.
#include <gtest/gtest.h>

#include <map>

#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"
#include "tests/unit/agent/state/forwarding_store.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

constexpr Duration kMinute{60};

// Counts the reads and the rows of each commit; `fail_commits` commits fail as on a full disk.
class WatchedStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::optional<StoredState> get(const std::string& rule, const std::string& series) const override {
    ++gets;
    return ForwardingStore::get(rule, series);
  }
  void each_state(const std::function<void(const StoredState&)>& visit) const override {
    ++bulk_reads;
    ForwardingStore::each_state(visit);
  }
  Result<Unit> commit(const std::vector<StateUpdate>& updates, const JobViewUpdate& jobs = {}) override {
    if (fail_commits > 0) {
      --fail_commits;
      return state_error("state commit", "database or disk is full");
    }
    rows_written.push_back(updates.size());
    return ForwardingStore::commit(updates, jobs);
  }
  mutable int gets = 0;
  mutable int bulk_reads = 0;
  int fail_commits = 0;
  std::vector<std::size_t> rows_written;  // per successful commit
};

// One wildcard rule over m1 and m2 with a one-minute period (no delay), m1 in ALARM and m2 OK from
// 05:00 on; each cycle is one minute after the last.
class StateWrites : public ::testing::Test {
 protected:
  StateWrites()
      : config_(make_config({RuleBuilder("tokens-high")
                                 .dimensions({{"modelId", "*"}})
                                 .period(kMinute)
                                 .when(Comparison::Greater, 1000000)
                                 .notify({"ops-email"})},
                            Duration{0})) {
    src_.add_listing(kNs, kTokens, kM1);
    src_.add_listing(kNs, kTokens, kM2);
    for (int m = 0; m < 60; ++m) {
      src_.add_point(minute_key("m1"), minute(m), 2000000);
      src_.add_point(minute_key("m2"), minute(m), 10);
    }
  }
  static SeriesKey minute_key(const std::string& model) {
    return series_key(kNs, kTokens, {{"modelId", model}}, "Average", kMinute);
  }
  static Time minute(int m) { return at("2026-11-22T05:00:00Z") + kMinute * m; }
  Result<CycleReport> cycle(Engine& engine, int m) { return engine.run(minute(m), watched_, RunMode::Record); }
  std::optional<StoredState> stored(const std::string& model) const { return store_->get("tokens-high", "modelId=" + model); }

  config::Config config_;
  FakeMetricSource src_;
  CapturedLog log_{LogLevel::Debug};
  TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  WatchedStore watched_{*store_};
};

TEST_F(StateWrites, SteadyCyclesReadNothingAndWriteEachRowOncePerCheckpoint) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  ASSERT_TRUE(cycle(engine, 1).ok());  // both new: two rows, m1's ALARM owed
  ASSERT_EQ(watched_.rows_written.size(), 1u);
  EXPECT_EQ(watched_.rows_written[0], 2u);
  EXPECT_EQ(stored("m1")->state, AlarmState::Alarm);

  // Twenty more one-minute cycles, nothing changing: each row is written with its newest evaluation once
  // in each 10-minute checkpoint (at its own phase, checkpoint_due), never lagging 10 minutes or more.
  std::map<std::string, int> writes;
  std::map<std::string, Time> seen{{"m1", minute(1)}, {"m2", minute(1)}};
  for (int m = 2; m <= 21; ++m) {
    ASSERT_TRUE(cycle(engine, m).ok());
    for (const auto* model : {"m1", "m2"}) {
      const auto row = stored(model);
      ASSERT_TRUE(row);
      EXPECT_LT(minute(m) - row->evaluated_at, kStateCheckpoint) << model << " at minute " << m;
      EXPECT_EQ(row->window_end, row->evaluated_at);
      if (row->evaluated_at != seen[model]) {
        EXPECT_EQ(row->evaluated_at, minute(m)) << "a row is written with the cycle's newest evaluation";
        ++writes[model];
        seen[model] = row->evaluated_at;
      }
    }
  }
  EXPECT_EQ(writes["m1"], 2);
  EXPECT_EQ(writes["m2"], 2);
  int total = 0;
  for (std::size_t c = 1; c < watched_.rows_written.size(); ++c) total += static_cast<int>(watched_.rows_written[c]);
  EXPECT_EQ(total, 4);
  EXPECT_EQ(watched_.bulk_reads, 1);
  EXPECT_EQ(watched_.gets, 0);
}

// A row's checkpoint falls at its own phase (checkpoint_due), so within a few minutes it may or may not be
// due; the tests of rows that lag use a checkpoint a year long, whose boundaries these minutes never cross.
constexpr Duration kYear{365 * 24 * 3600};

TEST_F(StateWrites, AChangeIsWrittenInItsOwnCycle) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  engine.checkpoint_every(kYear);
  ASSERT_TRUE(cycle(engine, 1).ok());
  ASSERT_TRUE(cycle(engine, 2).ok());
  src_.add_point(minute_key("m2"), minute(2), 5000000);  // m2 breaches in the period ending at 05:03
  const auto report = cycle(engine, 3);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(watched_.rows_written.back(), 1u);  // m2's row only
  EXPECT_EQ(stored("m2")->state, AlarmState::Alarm);
  EXPECT_EQ(stored("m2")->window_end, minute(3));
  EXPECT_EQ(stored("m2")->notified_state, "ALARM");
  EXPECT_EQ(stored("m1")->evaluated_at, minute(1));
}

TEST_F(StateWrites, FlushWritesTheNewestEvaluationAndTheNextEngineResumesAfterIt) {
  {
    Engine engine(config_, src_, log_.log(), "us-east-1");
    for (int m = 1; m <= 5; ++m) ASSERT_TRUE(cycle(engine, m).ok());
    ASSERT_TRUE(engine.flush(watched_).ok());
    EXPECT_EQ(watched_.rows_written.back(), 2u);
    ASSERT_TRUE(engine.flush(watched_).ok());  // nothing left to write: no commit
    EXPECT_EQ(watched_.rows_written.size(), 6u);
  }
  EXPECT_EQ(stored("m1")->evaluated_at, minute(5));
  EXPECT_EQ(stored("m1")->window_end, minute(5));
  EXPECT_EQ(stored("m1")->value, 2000000.0);

  Engine next(config_, src_, log_.log(), "us-east-1");
  const auto again = cycle(next, 5);  // the same time: nothing new to evaluate
  ASSERT_TRUE(again.ok());
  for (const auto& r : again->results) EXPECT_FALSE(r.evaluated);
}

TEST_F(StateWrites, ARestartFromRowsThatLagReEvaluatesThemWithoutNotifyingAgain) {
  {
    Engine engine(config_, src_, log_.log(), "us-east-1");
    engine.checkpoint_every(kYear);
    for (int m = 1; m <= 8; ++m) ASSERT_TRUE(cycle(engine, m).ok());
    // Killed here: no flush. The rows say 05:01.
  }
  const auto outbox_before = store_->outbox().size();
  const auto history_before = store_->history().size();
  ASSERT_EQ(outbox_before, 1u);  // m1's ALARM
  EXPECT_EQ(stored("m1")->window_end, minute(1));

  Engine restarted(config_, src_, log_.log(), "us-east-1");
  restarted.checkpoint_every(kYear);
  const auto report = cycle(restarted, 9);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->transitions.empty());
  EXPECT_EQ(report->notifications, 0u);
  EXPECT_EQ(store_->outbox().size(), outbox_before);
  EXPECT_EQ(store_->history().size(), history_before);
  ASSERT_EQ(report->results.size(), 2u);
  EXPECT_EQ(report->results[0].old_state, AlarmState::Alarm);
  EXPECT_EQ(report->results[0].evaluation.state, AlarmState::Alarm);
  // The periods since 05:01 were evaluated again (05:02 ... 05:09); the row still lags, within the checkpoint.
  EXPECT_TRUE(report->results[0].evaluated);
  EXPECT_EQ(stored("m1")->window_end, minute(1));
}

TEST_F(StateWrites, AFailedCommitIsNotTakenForWrittenTheNextCycleOwesTheChangeAgain) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  ASSERT_TRUE(cycle(engine, 1).ok());
  for (int m = 1; m < 60; ++m) src_.add_point(minute_key("m2"), minute(m), 5000000);  // m2 breaches from 05:01 on
  watched_.fail_commits = 1;
  ASSERT_FALSE(cycle(engine, 2).ok());
  EXPECT_EQ(stored("m2")->state, AlarmState::Ok);

  const auto report = cycle(engine, 3);  // from the file again: m2's breach is seen once more
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(watched_.bulk_reads, 2);
  ASSERT_EQ(report->transitions.size(), 1u);
  EXPECT_EQ(report->transitions[0].to, AlarmState::Alarm);
  EXPECT_EQ(stored("m2")->state, AlarmState::Alarm);
  EXPECT_EQ(store_->outbox().size(), 2u);  // m1's ALARM, then m2's
}

TEST_F(StateWrites, CheckpointZeroWritesEveryEvaluatedRow) {
  Engine engine(config_, src_, log_.log(), "us-east-1");
  engine.checkpoint_every(Duration{0});
  for (int m = 1; m <= 3; ++m) ASSERT_TRUE(cycle(engine, m).ok());
  EXPECT_EQ(watched_.rows_written, (std::vector<std::size_t>{2, 2, 2}));
  EXPECT_EQ(stored("m2")->evaluated_at, minute(3));
}

}  // namespace
}  // namespace bw::agent
