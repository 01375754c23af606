// checkpoint_due: when a state row that nothing changed is written again (CycleRecorder::checkpoint).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/cycle/cycle_recorder.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kMinute;

constexpr Duration kEvery{600};

TEST(CheckpointDue, ZeroWritesEveryNewerEvaluation) {
  const auto t = at("2026-11-22T05:00:00Z");
  EXPECT_TRUE(checkpoint_due("r", "s", t, t + Duration{1}, Duration{0}));
  EXPECT_FALSE(checkpoint_due("r", "s", t, t, Duration{0}));
  EXPECT_FALSE(checkpoint_due("r", "s", t, t, kEvery));
}

TEST(CheckpointDue, ARowNeverLagsAWholeCheckpoint) {
  const auto t = at("2026-11-22T05:00:00Z");
  for (int i = 0; i < 200; ++i) {
    const auto series = "modelId=m" + std::to_string(i);
    EXPECT_TRUE(checkpoint_due("r", series, t, t + kEvery, kEvery)) << series;
  }
}

// One-minute cycles for two hours: each row is written once per checkpoint, never more than a checkpoint
// behind; rows written in the same cycle (a first cycle) fall due in different later cycles.
TEST(CheckpointDue, RowsWrittenTogetherSpreadOverTheCheckpointOncePerCheckpoint) {
  const auto start = at("2026-11-22T05:00:00Z");
  constexpr int kRows = 1000, kCycles = 120;
  std::vector<Time> written(kRows, start);
  std::vector<int> writes_per_cycle(kCycles + 1, 0);
  for (int c = 1; c <= kCycles; ++c) {
    const auto now = start + kMinute * c;
    for (int i = 0; i < kRows; ++i) {
      if (!checkpoint_due("tokens-high", "modelId=m" + std::to_string(i), written[i], now, kEvery)) {
        ASSERT_LT(now - written[i], kEvery) << "row " << i << " lags a whole checkpoint unwritten";
        continue;
      }
      ++writes_per_cycle[c];
      written[i] = now;
    }
  }
  // 12 checkpoints in two hours: each row written 12 times in all (1000 rows x 12).
  int total = 0;
  for (int c = 1; c <= kCycles; ++c) total += writes_per_cycle[c];
  EXPECT_EQ(total, kRows * kCycles / 10);
  // Spread: no one-minute cycle writes more than a fifth of the rows (all together would be 1000).
  EXPECT_LE(*std::max_element(writes_per_cycle.begin(), writes_per_cycle.end()), kRows / 5);
  EXPECT_GE(*std::min_element(writes_per_cycle.begin() + 1, writes_per_cycle.end()), kRows / 20);
}

TEST(CheckpointDue, ThePhaseIsTheSameOnEveryRunAndDiffersBetweenRows) {
  const auto t = at("2026-11-22T05:00:00Z");
  int a_first = -1;
  for (int m = 1; m <= 10 && a_first < 0; ++m)
    if (checkpoint_due("r", "modelId=a", t, t + kMinute * m, kEvery)) a_first = m;
  ASSERT_GT(a_first, 0);
  for (int m = 1; m <= 10; ++m)
    EXPECT_EQ(checkpoint_due("r", "modelId=a", t, t + kMinute * m, kEvery), m >= a_first) << m;
  // The rule is part of the phase: the same series under another rule may fall due elsewhere.
  int differs = 0;
  for (int i = 0; i < 50; ++i) {
    const auto s = "modelId=m" + std::to_string(i);
    for (int m = 1; m < 10; ++m)
      differs += checkpoint_due("r1", s, t, t + kMinute * m, kEvery) != checkpoint_due("r2", s, t, t + kMinute * m, kEvery);
  }
  EXPECT_GT(differs, 0);
}

}  // namespace
}  // namespace bw::agent
