#include "agent/state/sqlite_state_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::TempDb;

const Time kT0 = at("2026-11-22T06:00:00Z");

StoredState state(std::string rule, std::string series, AlarmState s, std::optional<double> value, Time changed,
                  Time evaluated, std::string notified = "") {
  StoredState st;
  st.rule = std::move(rule);
  st.series = std::move(series);
  st.state = s;
  st.value = value;
  st.reason = "because " + std::string(to_string(s));
  st.changed_at = changed;
  st.evaluated_at = evaluated;
  st.notified_state = std::move(notified);
  return st;
}

OutboxRow row(std::string key, std::string target, Time next_attempt, std::string subject_text = "subject") {
  OutboxRow r;
  r.idempotency_key = std::move(key);
  r.target = std::move(target);
  r.subject = std::move(subject_text);
  r.payload = R"({"AlarmName":"r/modelId=m1"})";
  r.rule = "r";
  r.series = "modelId=m1";
  r.state = "ALARM";
  r.created_at = kT0;
  r.next_attempt_at = next_attempt;
  return r;
}

StateUpdate update(StoredState st, bool transition, AlarmState old_state, std::vector<OutboxRow> outbox = {}) {
  StateUpdate u;
  u.state = std::move(st);
  u.transition = transition;
  u.old_state = old_state;
  u.outbox = std::move(outbox);
  return u;
}

void expect_state_eq(const StoredState& got, const StoredState& want) {
  EXPECT_EQ(got.rule, want.rule);
  EXPECT_EQ(got.series, want.series);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.value, want.value);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.changed_at, want.changed_at);
  EXPECT_EQ(got.evaluated_at, want.evaluated_at);
  EXPECT_EQ(got.notified_state, want.notified_state);
}

void commit_ok(StateStore& store, const std::vector<StateUpdate>& updates) {
  const auto committed = store.commit(updates);
  ASSERT_TRUE(committed.ok()) << committed.error().describe();
}

TEST(StateStore, OpensEmpty) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->all_states().empty());
  EXPECT_TRUE(store->outbox().empty());
  EXPECT_TRUE(store->history().empty());
  EXPECT_TRUE(store->due(kT0).empty());
  EXPECT_FALSE(store->get("r", "modelId=m1"));
}

TEST(StateStore, OpenFailureNamesThePath) {
  const std::string path = "/nonexistent-batchwatch-dir/sub/state.db";
  auto store = SqliteStateStore::open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().kind, Error::Kind::State);
  EXPECT_NE(store.error().describe().find(path), std::string::npos) << store.error().describe();
  EXPECT_EQ(store.error().describe().rfind("cannot open state database " + path + ": ", 0), 0u)
      << store.error().describe();
}

TEST(StateStore, StatesRoundTripAndUpsert) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto a = state("r", "modelId=m1", AlarmState::Alarm, 1250000.5, kT0, kT0, "ALARM");
  const auto b = state("r", "modelId=m2", AlarmState::InsufficientData, std::nullopt, kT0, kT0);
  const auto c = state("a-rule", "", AlarmState::Ok, 0.0, kT0 - Duration{60}, kT0);
  commit_ok(*store, {update(a, true, AlarmState::InsufficientData), update(b, false, AlarmState::InsufficientData),
                     update(c, true, AlarmState::InsufficientData)});

  auto got = store->get("r", "modelId=m1");
  ASSERT_TRUE(got);
  expect_state_eq(*got, a);
  got = store->get("r", "modelId=m2");
  ASSERT_TRUE(got);
  expect_state_eq(*got, b);
  EXPECT_FALSE(got->value.has_value());

  // all_states() is ordered by rule, then series.
  const auto all = store->all_states();
  ASSERT_EQ(all.size(), 3u);
  expect_state_eq(all[0], c);
  expect_state_eq(all[1], a);
  expect_state_eq(all[2], b);

  // A second commit for the same (rule, series) replaces the row.
  const auto a2 = state("r", "modelId=m1", AlarmState::Ok, 3.0, kT0 + Duration{3600}, kT0 + Duration{3600}, "OK");
  commit_ok(*store, {update(a2, true, AlarmState::Alarm)});
  got = store->get("r", "modelId=m1");
  ASSERT_TRUE(got);
  expect_state_eq(*got, a2);
  EXPECT_EQ(store->all_states().size(), 3u);
}

TEST(StateStore, HistoryRowsOnlyForTransitions) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto t1 = kT0 + Duration{3600};
  commit_ok(*store, {update(state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0), true,
                            AlarmState::InsufficientData),
                     update(state("r", "modelId=m2", AlarmState::Ok, 1.0, kT0, kT0), false, AlarmState::Ok)});
  commit_ok(*store, {update(state("r", "modelId=m1", AlarmState::Ok, std::nullopt, t1, t1), true, AlarmState::Alarm)});

  const auto h = store->history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].rule, "r");
  EXPECT_EQ(h[0].series, "modelId=m1");
  EXPECT_EQ(h[0].from, "INSUFFICIENT_DATA");
  EXPECT_EQ(h[0].to, "ALARM");
  EXPECT_EQ(h[0].reason, "because ALARM");
  EXPECT_EQ(h[0].value, 7.0);
  EXPECT_EQ(h[0].at, kT0);
  EXPECT_EQ(h[1].from, "ALARM");
  EXPECT_EQ(h[1].to, "OK");
  EXPECT_EQ(h[1].value, std::nullopt);
  EXPECT_EQ(h[1].at, t1);
}

TEST(StateStore, OutboxRowsGetIdsAndDefaults) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  commit_ok(*store, {update(state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0, "ALARM"), true,
                            AlarmState::InsufficientData, {row("k1", "ops-email", kT0), row("k1", "pipeline", kT0)})});
  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, 1);
  EXPECT_EQ(rows[1].id, 2);
  const auto want = row("k1", "ops-email", kT0);
  EXPECT_EQ(rows[0].idempotency_key, "k1");
  EXPECT_EQ(rows[0].target, "ops-email");
  EXPECT_EQ(rows[1].target, "pipeline");
  EXPECT_EQ(rows[0].subject, want.subject);
  EXPECT_EQ(rows[0].payload, want.payload);
  EXPECT_EQ(rows[0].rule, "r");
  EXPECT_EQ(rows[0].series, "modelId=m1");
  EXPECT_EQ(rows[0].state, "ALARM");
  EXPECT_EQ(rows[0].created_at, kT0);
  EXPECT_EQ(rows[0].next_attempt_at, kT0);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].last_error, "");
}

TEST(StateStore, DuplicateOutboxRowIsKeptOnce) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto st = state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0, "ALARM");
  // Within one commit: the same (key, target) twice; the same key for another target is distinct.
  commit_ok(*store, {update(st, true, AlarmState::InsufficientData,
                            {row("k1", "ops-email", kT0, "first"), row("k1", "ops-email", kT0, "second"),
                             row("k1", "pipeline", kT0, "third")})});
  // Across commits (a re-run after a crash): ignored too, and the commit still succeeds as a whole.
  const auto st2 = state("r", "modelId=m2", AlarmState::Alarm, 8.0, kT0, kT0, "ALARM");
  commit_ok(*store, {update(st2, true, AlarmState::InsufficientData),
                     update(st, false, AlarmState::Alarm, {row("k1", "ops-email", kT0 + Duration{5}, "fourth")})});

  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].target, "ops-email");
  EXPECT_EQ(rows[0].subject, "first");  // the row as first recorded
  EXPECT_EQ(rows[0].next_attempt_at, kT0);
  EXPECT_EQ(rows[1].target, "pipeline");
  EXPECT_EQ(rows[1].subject, "third");
  EXPECT_TRUE(store->get("r", "modelId=m2"));
  EXPECT_EQ(store->history().size(), 2u);
}

TEST(StateStore, CommitIsAllOrNothing) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  // A trigger on a second connection makes the history insert of rule "boom" fail mid-transaction.
  db.exec_raw(
      "CREATE TRIGGER fail_boom BEFORE INSERT ON history WHEN NEW.rule = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'boom refused'); END;");

  const std::vector<StateUpdate> updates = {
      update(state("good", "modelId=m1", AlarmState::Alarm, 1.0, kT0, kT0, "ALARM"), true,
             AlarmState::InsufficientData, {row("k-good", "ops-email", kT0)}),
      update(state("boom", "modelId=m1", AlarmState::Alarm, 2.0, kT0, kT0, "ALARM"), true,
             AlarmState::InsufficientData, {row("k-boom", "ops-email", kT0)}),
  };
  const auto failed = store->commit(updates);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, Error::Kind::State);
  EXPECT_EQ(failed.error().what, "state commit");
  EXPECT_NE(failed.error().message.find("boom refused"), std::string::npos) << failed.error().message;
  EXPECT_TRUE(store->all_states().empty());
  EXPECT_TRUE(store->history().empty());
  EXPECT_TRUE(store->outbox().empty());

  // The failed transaction was rolled back: the store takes the next commit.
  commit_ok(*store, {updates[0]});
  EXPECT_EQ(store->all_states().size(), 1u);
  EXPECT_EQ(store->history().size(), 1u);
  EXPECT_EQ(store->outbox().size(), 1u);
}

TEST(StateStore, DueIsPendingRowsWhoseTimeHasComeInIdOrder) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto st = state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0, "ALARM");
  commit_ok(*store, {update(st, true, AlarmState::InsufficientData,
                            {row("k1", "a", kT0 + Duration{60}), row("k2", "a", kT0), row("k3", "a", kT0 + Duration{30})})});

  auto ids = [&](Time now) {
    std::vector<std::int64_t> out;
    for (const auto& r : store->due(now)) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(kT0 - Duration{1}), (std::vector<std::int64_t>{}));
  EXPECT_EQ(ids(kT0), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(ids(kT0 + Duration{29}), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(ids(kT0 + Duration{30}), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(ids(kT0 + Duration{60}), (std::vector<std::int64_t>{1, 2, 3}));

  // Delivered and dead rows are never due again; a retried row is due at its new time.
  ASSERT_TRUE(store->mark_delivered(2, kT0 + Duration{61}).ok());
  ASSERT_TRUE(store->mark_dead(3, kT0 + Duration{61}, "InvalidParameter").ok());
  ASSERT_TRUE(store->mark_retry(1, kT0 + Duration{120}, "Throttling").ok());
  EXPECT_EQ(ids(kT0 + Duration{119}), (std::vector<std::int64_t>{}));
  EXPECT_EQ(ids(kT0 + Duration{120}), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(ids(kT0 + Duration{100000}), (std::vector<std::int64_t>{1}));
}

TEST(StateStore, MarkDeliveredRetryAndDead) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto st = state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0, "ALARM");
  commit_ok(*store, {update(st, true, AlarmState::InsufficientData,
                            {row("k1", "a", kT0), row("k2", "a", kT0), row("k3", "a", kT0)})});

  ASSERT_TRUE(store->mark_retry(1, kT0 + Duration{30}, "Throttling: slow down").ok());
  ASSERT_TRUE(store->mark_retry(1, kT0 + Duration{90}, "Throttling: again").ok());
  ASSERT_TRUE(store->mark_delivered(1, kT0 + Duration{90}).ok());
  ASSERT_TRUE(store->mark_retry(2, kT0 + Duration{30}, "boom").ok());
  ASSERT_TRUE(store->mark_dead(2, kT0 + Duration{31}, "AuthorizationError").ok());
  ASSERT_TRUE(store->mark_retry(3, kT0 + Duration{30}, "Throttling").ok());

  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].status, "delivered");
  EXPECT_EQ(rows[0].attempts, 3);
  EXPECT_EQ(rows[0].last_error, "");
  EXPECT_EQ(rows[0].next_attempt_at, kT0 + Duration{90});
  EXPECT_EQ(rows[1].status, "dead");
  EXPECT_EQ(rows[1].attempts, 2);
  EXPECT_EQ(rows[1].last_error, "AuthorizationError");
  EXPECT_EQ(rows[2].status, "pending");
  EXPECT_EQ(rows[2].attempts, 1);
  EXPECT_EQ(rows[2].next_attempt_at, kT0 + Duration{30});
  EXPECT_EQ(rows[2].last_error, "Throttling");

  // The status filter.
  ASSERT_EQ(store->outbox("delivered").size(), 1u);
  EXPECT_EQ(store->outbox("delivered")[0].id, 1);
  ASSERT_EQ(store->outbox("dead").size(), 1u);
  EXPECT_EQ(store->outbox("dead")[0].id, 2);
  ASSERT_EQ(store->outbox("pending").size(), 1u);
  EXPECT_EQ(store->outbox("pending")[0].id, 3);
  EXPECT_TRUE(store->outbox("silenced").empty());
}

TEST(StateStore, OutboxCountsArePendingAndDeadByTarget) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->outbox_counts().empty());
  const auto st = state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0, "ALARM");
  auto later = row("k1", "c", kT0);
  later.created_at = kT0 + Duration{60};
  commit_ok(*store, {update(st, true, AlarmState::InsufficientData,
                            {row("k1", "b", kT0), row("k2", "b", kT0), row("k3", "b", kT0), row("k1", "a", kT0),
                             row("k2", "a", kT0), later})});
  ASSERT_TRUE(store->mark_dead(1, kT0, "boom").ok());       // b
  ASSERT_TRUE(store->mark_delivered(4, kT0).ok());          // a
  ASSERT_TRUE(store->mark_delivered(5, kT0).ok());          // a: nothing pending or dead left
  const auto counts = store->outbox_counts();
  ASSERT_EQ(counts.size(), 2u);  // a has only delivered rows
  EXPECT_EQ(counts[0].target, "b");
  EXPECT_EQ(counts[0].pending, 2u);
  EXPECT_EQ(counts[0].dead, 1u);
  EXPECT_EQ(counts[1].target, "c");
  EXPECT_EQ(counts[1].pending, 1u);
  EXPECT_EQ(counts[1].dead, 0u);
  EXPECT_EQ(counts[0].oldest_pending, kT0);  // the status page shows how long the oldest has waited
  EXPECT_EQ(counts[1].oldest_pending, kT0 + Duration{60});
}

TEST(StateStore, SilencesAreAddedListedAndExpired) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  StoredSilence s;
  s.rule = "r";
  s.labels_json = R"({"modelId":"m1"})";
  s.starts = kT0;
  s.ends = kT0 + Duration{3600};
  s.comment = "maintenance";
  s.created_at = kT0;
  const auto first = store->add_silence(s);
  const auto second = store->add_silence(s);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second.value(), first.value() + 1);

  const auto expired = store->expire_silence(first.value(), kT0 + Duration{60});
  ASSERT_TRUE(expired.ok());
  EXPECT_TRUE(expired.value());
  const auto missing = store->expire_silence(999, kT0);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value());  // no such silence: not an error

  const auto all = store->silences();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].ends, kT0 + Duration{60});
  EXPECT_EQ(all[1].ends, kT0 + Duration{3600});
  EXPECT_EQ(all[1].comment, "maintenance");
}

TEST(StateStore, FailedWritesComeBackAsStateErrors) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  commit_ok(*store, {update(state("r", "modelId=m1", AlarmState::Alarm, 1.0, kT0, kT0), true,
                            AlarmState::InsufficientData, {row("k1", "a", kT0)})});
  db.exec_raw("CREATE TRIGGER frozen_outbox BEFORE UPDATE ON outbox BEGIN SELECT RAISE(ABORT, 'outbox frozen'); END;"
              "CREATE TRIGGER no_silences BEFORE INSERT ON silences BEGIN SELECT RAISE(ABORT, 'no silences'); END;");

  const auto delivered = store->mark_delivered(1, kT0);
  ASSERT_FALSE(delivered.ok());
  EXPECT_EQ(delivered.error().kind, Error::Kind::State);
  EXPECT_EQ(delivered.error().describe(), "outbox update: outbox frozen");
  EXPECT_FALSE(store->mark_retry(1, kT0, "Throttling").ok());
  EXPECT_FALSE(store->mark_dead(1, kT0, "AuthorizationError").ok());
  EXPECT_EQ(store->due(kT0).size(), 1u);  // the row is still pending, as it was

  const auto added = store->add_silence(StoredSilence{});
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().describe(), "add silence: no silences");
}

TEST(StateStore, ReopeningTheFileKeepsEverything) {
  TempDb db;
  const auto st = state("r", "modelId=m1", AlarmState::Alarm, 7.0, kT0, kT0 + Duration{5}, "ALARM");
  {
    auto store = db.open();
    ASSERT_TRUE(store);
    commit_ok(*store, {update(st, true, AlarmState::InsufficientData, {row("k1", "a", kT0), row("k1", "b", kT0)})});
    ASSERT_TRUE(store->mark_retry(2, kT0 + Duration{30}, "Throttling").ok());
  }
  auto store = db.open();
  ASSERT_TRUE(store);
  const auto got = store->get("r", "modelId=m1");
  ASSERT_TRUE(got);
  expect_state_eq(*got, st);
  ASSERT_EQ(store->history().size(), 1u);
  EXPECT_EQ(store->history()[0].to, "ALARM");
  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].attempts, 1);
  EXPECT_EQ(rows[1].next_attempt_at, kT0 + Duration{30});
  EXPECT_EQ(store->due(kT0).size(), 1u);

  // Ids keep counting after a reopen.
  commit_ok(*store, {update(st, false, AlarmState::Alarm, {row("k2", "a", kT0)})});
  ASSERT_EQ(store->outbox().size(), 3u);
  EXPECT_EQ(store->outbox()[2].id, 3);
}

TEST(StateStore, TwoStoresOnOneFileSeeEachOthersCommits) {
  TempDb db;
  auto writer = db.open();
  auto reader = db.open();
  ASSERT_TRUE(writer && reader);
  commit_ok(*writer, {update(state("r", "s", AlarmState::Ok, 1.0, kT0, kT0), true, AlarmState::InsufficientData)});
  const auto got = reader->get("r", "s");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->state, AlarmState::Ok);
}

}  // namespace
}  // namespace bw::agent
