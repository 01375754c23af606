// KnownStates: the flat table of states keeps every state findable and its texts intact through index
// growth and the compaction of replaced reasons.
#include "agent/cycle/known_states.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bw::agent {
namespace {

std::string series(int i) { return "modelId=model-" + std::to_string(i); }

TEST(KnownStates, FindsEveryStateAfterTheIndexGrew) {
  KnownStates known;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(known.insert(r, series(i)), static_cast<std::size_t>(r * 1000 + i));
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(known.find(r, series(i)), static_cast<std::size_t>(r * 1000 + i));
  EXPECT_EQ(known.find(3, series(0)), KnownStates::npos);
  EXPECT_EQ(known.find(0, "modelId=other"), KnownStates::npos);
  EXPECT_EQ(known.insert(1, series(5)), 1005u);  // already there
}

TEST(KnownStates, ReplacedReasonsAreCompactedAwayAndTheRowsStayWhole) {
  KnownStates known;
  for (int i = 0; i < 100; ++i) known.insert(0, series(i));
  StoredState s;
  s.state = AlarmState::Alarm;
  s.notified_state = "ALARM";
  for (int round = 0; round < 60; ++round) {  // 60 x 100 reasons of 1 KB: compaction runs several times
    for (int i = 0; i < 100; ++i) {
      s.reason = std::string(1000, static_cast<char>('a' + round % 26)) + std::to_string(i);
      s.value = round * 1000.0 + i;
      known.assign(static_cast<std::size_t>(i), s);
    }
    known.compact();  // as the engine does before each cycle
    EXPECT_LT(known.text_size(), (1u << 20) + 2u * 100 * 1100) << round;  // at most 1 MB of garbage is kept
  }
  for (int i = 0; i < 100; ++i) {
    const auto row = known.stored(static_cast<std::size_t>(i), "tokens-high");
    EXPECT_EQ(row.rule, "tokens-high");
    EXPECT_EQ(row.series, series(i));
    EXPECT_EQ(row.reason, std::string(1000, static_cast<char>('a' + 59 % 26)) + std::to_string(i));
    EXPECT_EQ(row.value, 59000.0 + i);
    EXPECT_EQ(row.notified_state, "ALARM");
    EXPECT_EQ(known.find(0, series(i)), static_cast<std::size_t>(i));
  }
}

// A cycle's results and the status snapshot refer to the kept reasons: a view stays whole while an
// owner taken after it is held, through replaced reasons, compaction and forget().
TEST(KnownStates, AReasonViewLivesAsLongAsAnOwnerTakenAfterIt) {
  KnownStates known;
  known.insert(0, series(0));
  StoredState s;
  s.reason = "Threshold Crossed: the first reason";
  known.assign(0, s);
  const auto view = known.reason(0);
  const auto owner = known.text_owner();
  EXPECT_EQ(known.reason(0).data(), view.data());  // the kept text itself
  for (int round = 0; round < 3000; ++round) {  // 3 MB of replaced reasons: compacted
    s.reason = std::string(1000, 'x') + std::to_string(round);
    known.assign(0, s);
    known.compact();
  }
  EXPECT_LT(known.text_size(), 2u << 20);
  known.forget();
  EXPECT_EQ(view, "Threshold Crossed: the first reason");
}

TEST(KnownStates, OnlyRowsWhoseNewestEvaluationIsUnwrittenAreFlushed) {
  KnownStates known;
  std::vector<config::Rule> rules(1);
  rules[0].name = "tokens-high";
  StoredState s;
  s.evaluated_at = from_epoch(1000);
  for (int i = 0; i < 3; ++i) known.assign(known.insert(0, series(i)), s);
  known[0].written_at = from_epoch(1000);
  const auto rows = known.unwritten(rules);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].state.series, series(1));
  EXPECT_FALSE(rows[0].transition);
  known.mark_written();
  EXPECT_TRUE(known.unwritten(rules).empty());
}

}  // namespace
}  // namespace bw::agent
