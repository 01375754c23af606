// state.retention: old history and finished outbox rows go, pending rows and current states stay,
// and a pass deletes a bounded number of rows.
#include "agent/state/retention.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/state/forwarding_store.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::TempDb;

const Time kNow = at("2026-12-22T06:00:00Z");
const Duration kDay{86400};

// A transition of series `series` at `when` (one history row), owing one row per key given.
StateUpdate transition(const std::string& series, Time when, const std::vector<std::string>& keys = {},
                       const std::string& status = "pending") {
  StateUpdate u;
  u.state.rule = "r";
  u.state.series = series;
  u.state.state = AlarmState::Alarm;
  u.state.changed_at = u.state.evaluated_at = when;
  u.transition = true;
  for (const auto& key : keys) {
    OutboxRow r;
    r.idempotency_key = key;
    r.target = "ops";
    r.subject = "s";
    r.payload = "{}";
    r.rule = "r";
    r.series = series;
    r.state = "ALARM";
    r.created_at = r.next_attempt_at = when;
    r.status = status;
    u.outbox.push_back(r);
  }
  return u;
}

std::vector<std::string> keys(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.idempotency_key + ":" + r.status);
  return out;
}

TEST(Retention, OldHistoryAndFinishedRowsGoPendingRowsAndStatesStay) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const Time old = kNow - 10 * kDay;
  const Time recent = kNow - kDay;
  ASSERT_TRUE(store->commit({transition("a", old, {"delivered-old", "dead-old", "pending-old"}),
                             transition("b", old, {"silenced-old"}, "silenced"),
                             transition("c", recent, {"delivered-recent"})})
                  .ok());
  ASSERT_TRUE(store->mark_delivered(1, old).ok());
  ASSERT_TRUE(store->mark_dead(2, old, "gone").ok());
  ASSERT_TRUE(store->mark_retry(3, kNow + Duration{60}, "still down").ok());  // pending for 10 days
  ASSERT_TRUE(store->mark_delivered(5, recent).ok());

  testing::CapturedLog log;
  prune_expired(*store, kNow, 3 * kDay, log.log());

  ASSERT_EQ(store->history().size(), 1u);
  EXPECT_EQ(store->history()[0].series, "c");
  EXPECT_EQ(keys(store->outbox()), (std::vector<std::string>{"pending-old:pending", "delivered-recent:delivered"}));
  EXPECT_EQ(store->all_states().size(), 3u);  // current states are never pruned, however old
  EXPECT_NE(log.text().find("state file pruned"), std::string::npos) << log.text();
}

TEST(Retention, RowsAtTheCutoffAreKept) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit({transition("a", kNow - 3 * kDay, {"k"}, "silenced")}).ok());
  const auto pruned = store->prune(kNow - 3 * kDay, 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->history, 0u);
  EXPECT_EQ(pruned->outbox, 0u);
}

TEST(Retention, APassDeletesAtMostItsShareAndTheNextOneTheRest) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  std::vector<StateUpdate> updates;
  for (int i = 0; i < 1200; ++i)
    updates.push_back(transition("s" + std::to_string(i), kNow - 10 * kDay, {"k" + std::to_string(i)}, "silenced"));
  ASSERT_TRUE(store->commit(updates).ok());

  auto pruned = store->prune(kNow - kDay, 1100);  // three statements: 500, 500, 100
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->history, 1100u);
  EXPECT_EQ(pruned->outbox, 1100u);
  pruned = store->prune(kNow - kDay, 1100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->history, 100u);
  EXPECT_EQ(pruned->outbox, 100u);
  EXPECT_TRUE(store->history().empty());
  EXPECT_TRUE(store->outbox().empty());
}

// A store whose pruning fails, as when the disk is full.
class PruneRefusingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<PruneCount> prune(Time cutoff, std::size_t) override {
    asked_cutoff = cutoff;
    return state_error("prune state file", "database or disk is full");
  }
  Time asked_cutoff{};
};

TEST(Retention, FailureIsAWarningAndTheCutoffIsNowMinusRetention) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  PruneRefusingStore refusing(*store);
  testing::CapturedLog log;
  prune_expired(refusing, kNow, 30 * kDay, log.log());
  EXPECT_EQ(refusing.asked_cutoff, kNow - 30 * kDay);
  EXPECT_NE(log.text().find("state file not pruned"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("database or disk is full"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace bw::agent
