#include "agent/delivery/dispatcher.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/unit/agent/state/forwarding_store.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::FakeSender;

const Time kT0 = at("2026-11-22T06:05:00Z");

OutboxRow row(std::string key, std::string target) {
  OutboxRow r;
  r.idempotency_key = std::move(key);
  r.target = std::move(target);
  r.subject = R"(ALARM: "r/modelId=m1" in us-east-1)";
  r.payload = R"({"AlarmName":"r/modelId=m1"})";
  r.rule = "r";
  r.series = "modelId=m1";
  r.state = "ALARM";
  r.created_at = kT0;
  r.next_attempt_at = kT0;
  return r;
}

class DispatcherTest : public ::testing::Test {
 protected:
  // Queues one row per target, all due at kT0, ids in the order given.
  void queue(const std::vector<std::string>& targets) {
    StateUpdate u;
    u.state.rule = "r";
    u.state.series = "modelId=m1";
    u.state.state = AlarmState::Alarm;
    u.state.changed_at = u.state.evaluated_at = kT0;
    for (const auto& t : targets) u.outbox.push_back(row("k1", t));
    const auto committed = store_->commit({u});
    ASSERT_TRUE(committed.ok()) << committed.error().describe();
  }
  FakeSender* add(const std::string& target) {
    auto s = std::make_unique<FakeSender>();
    auto* raw = s.get();
    dispatcher_.add_sender(target, std::move(s));
    return raw;
  }
  OutboxRow stored(std::int64_t id) const {
    for (const auto& r : store_->outbox())
      if (r.id == id) return r;
    ADD_FAILURE() << "no outbox row " << id;
    return {};
  }

  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  testing::CapturedLog log_{LogLevel::Debug};
  Dispatcher dispatcher_{*store_, log_.log()};
};

TEST_F(DispatcherTest, DeliveredRowsAreMarkedDelivered) {
  auto* email = add("ops-email");
  auto* pipe = add("pipeline");
  queue({"ops-email", "pipeline"});

  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.delivered, 2);
  EXPECT_EQ(report.retrying, 0);
  EXPECT_EQ(report.dead, 0);
  EXPECT_EQ(report.last_error, "");
  ASSERT_EQ(email->received.size(), 1u);
  ASSERT_EQ(pipe->received.size(), 1u);
  EXPECT_EQ(email->received[0].id, 1);
  EXPECT_EQ(email->received[0].payload, R"({"AlarmName":"r/modelId=m1"})");
  EXPECT_EQ(email->received[0].subject, R"(ALARM: "r/modelId=m1" in us-east-1)");
  EXPECT_EQ(pipe->received[0].id, 2);

  for (std::int64_t id : {1, 2}) {
    const auto r = stored(id);
    EXPECT_EQ(r.status, "delivered");
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.last_error, "");
  }
  // Nothing left to do.
  EXPECT_TRUE(store_->due(kT0 + Duration{86400}).empty());
  const auto again = dispatcher_.deliver_due(kT0 + Duration{86400});
  EXPECT_EQ(again.delivered, 0);
  EXPECT_EQ(email->received.size(), 1u);

  EXPECT_NE(log_.text().find("notification delivered target=ops-email rule=r"), std::string::npos) << log_.text();
}

TEST_F(DispatcherTest, OnlyDueRowsAreAttempted) {
  auto* email = add("ops-email");
  queue({"ops-email"});
  const auto early = dispatcher_.deliver_due(kT0 - Duration{1});
  EXPECT_EQ(early.delivered, 0);
  EXPECT_TRUE(email->received.empty());
  EXPECT_EQ(stored(1).status, "pending");
}

TEST_F(DispatcherTest, RetryReschedulesWithBackoff) {
  auto* email = add("ops-email");
  email->script = {{Delivery::Outcome::Retry, "Throttling: rate exceeded"},
                   {Delivery::Outcome::Retry, "Throttling: still"},
                   {Delivery::Outcome::Retry, "Throttling: and still"}};
  queue({"ops-email"});

  auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_EQ(report.delivered, 0);
  EXPECT_EQ(report.last_error, "Throttling: rate exceeded");
  auto r = stored(1);
  EXPECT_EQ(r.status, "pending");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.next_attempt_at, kT0 + Duration{30});
  EXPECT_EQ(r.last_error, "Throttling: rate exceeded");

  // Not due until the backoff has passed.
  EXPECT_EQ(dispatcher_.deliver_due(kT0 + Duration{29}).retrying, 0);
  EXPECT_EQ(email->received.size(), 1u);

  auto t = kT0 + Duration{30};
  report = dispatcher_.deliver_due(t);
  EXPECT_EQ(report.retrying, 1);
  r = stored(1);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.next_attempt_at, t + Duration{60});

  t += Duration{60};
  dispatcher_.deliver_due(t);
  r = stored(1);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.next_attempt_at, t + Duration{120});
  EXPECT_EQ(r.last_error, "Throttling: and still");

  // The script is exhausted: the next attempt is delivered.
  t += Duration{120};
  report = dispatcher_.deliver_due(t);
  EXPECT_EQ(report.delivered, 1);
  r = stored(1);
  EXPECT_EQ(r.status, "delivered");
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(r.last_error, "");
  EXPECT_EQ(email->received.size(), 4u);
  for (const auto& got : email->received) EXPECT_EQ(got.idempotency_key, "k1");  // same key every attempt
}

TEST_F(DispatcherTest, DeadIsMarkedDeadAndNotRetried) {
  auto* email = add("ops-email");
  email->script = {{Delivery::Outcome::Dead, "InvalidParameter: Subject"}};
  queue({"ops-email"});
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.dead, 1);
  EXPECT_EQ(report.last_error, "InvalidParameter: Subject");
  const auto r = stored(1);
  EXPECT_EQ(r.status, "dead");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.last_error, "InvalidParameter: Subject");
  EXPECT_TRUE(store_->due(kT0 + Duration{86400}).empty());
  EXPECT_NE(log_.text().find("notification dead"), std::string::npos);
}

TEST_F(DispatcherTest, RowThatOutlivesMaxAgeDiesWithoutAnotherAttemptCounted) {
  auto s = std::make_unique<FakeSender>();
  auto* email = s.get();
  dispatcher_.add_sender("ops-email", std::move(s), Duration{600});
  email->script = {{Delivery::Outcome::Retry, "Throttling: rate exceeded"}};
  queue({"ops-email"});
  dispatcher_.deliver_due(kT0);
  ASSERT_EQ(stored(1).attempts, 1);

  // Due again long after max_age: dead without asking the target, so the count stays at one.
  const auto report = dispatcher_.deliver_due(kT0 + Duration{601});
  EXPECT_EQ(report.dead, 1);
  EXPECT_EQ(email->received.size(), 1u);
  const auto r = stored(1);
  EXPECT_EQ(r.status, "dead");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.last_error, "older than max_age 10m; last error: Throttling: rate exceeded");
}

// Counts the calls that read outbox rows (payloads included).
class RowReadCountingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::vector<OutboxRow> due(Time now) const override {
    ++row_reads;
    return ForwardingStore::due(now);
  }
  std::vector<OutboxRow> outbox(const std::string& status_filter) const override {
    ++row_reads;
    return ForwardingStore::outbox(status_filter);
  }
  mutable int row_reads = 0;
};

TEST_F(DispatcherTest, NextDueAsksTheStoreForOneTimeNotForTheRows) {
  auto* email = add("ops-email");
  email->script = {{Delivery::Outcome::Retry, "Throttling"}};
  queue({"ops-email", "pipeline"});
  ASSERT_TRUE(store_->mark_retry(2, kT0 + Duration{300}, "later").ok());
  RowReadCountingStore counting(*store_);
  Dispatcher watched(counting, log_.log());

  EXPECT_EQ(watched.next_due(), kT0);
  EXPECT_EQ(counting.row_reads, 0);
  ASSERT_TRUE(store_->mark_delivered(1, kT0).ok());
  EXPECT_EQ(watched.next_due(), kT0 + Duration{300});
  ASSERT_TRUE(store_->mark_delivered(2, kT0).ok());
  EXPECT_EQ(watched.next_due(), std::nullopt);
  EXPECT_EQ(counting.row_reads, 0);
}

TEST_F(DispatcherTest, RowWithoutASenderIsKeptPendingAndRescheduled) {
  auto* email = add("ops-email");
  queue({"ops-email", "nowhere"});
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_EQ(report.dead, 0);
  EXPECT_EQ(report.last_error, "target nowhere has no sender");
  EXPECT_EQ(email->received.size(), 1u);
  auto r = stored(2);
  EXPECT_EQ(r.status, "pending");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.next_attempt_at, kT0 + Duration{30});
  EXPECT_EQ(r.last_error, "target nowhere has no sender");
  EXPECT_NE(log_.text().find("no sender for target; notification kept target=nowhere"), std::string::npos)
      << log_.text();

  // Once the target exists (e.g. after a reload) the row goes out.
  auto* late = add("nowhere");
  const auto later = dispatcher_.deliver_due(kT0 + Duration{30});
  EXPECT_EQ(later.delivered, 1);
  ASSERT_EQ(late->received.size(), 1u);
  EXPECT_EQ(late->received[0].id, 2);
  EXPECT_EQ(stored(2).status, "delivered");
}

TEST_F(DispatcherTest, MixedOutcomesInOneRound) {
  auto* a = add("a");
  auto* b = add("b");
  auto* c = add("c");
  b->script = {{Delivery::Outcome::Retry, "timeout"}};
  c->script = {{Delivery::Outcome::Dead, "gone"}};
  queue({"a", "b", "c"});
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_EQ(report.dead, 1);
  EXPECT_EQ(report.last_error, "gone");  // the last failure seen, in id order
  EXPECT_EQ(a->received.size(), 1u);
  EXPECT_EQ(stored(1).status, "delivered");
  EXPECT_EQ(stored(2).status, "pending");
  EXPECT_EQ(stored(3).status, "dead");
}

TEST(DispatcherBackoff, ThirtySecondsDoublingCappedAtFifteenMinutes) {
  EXPECT_EQ(Dispatcher::backoff(0), Duration{30});
  EXPECT_EQ(Dispatcher::backoff(1), Duration{60});
  EXPECT_EQ(Dispatcher::backoff(2), Duration{120});
  EXPECT_EQ(Dispatcher::backoff(3), Duration{240});
  EXPECT_EQ(Dispatcher::backoff(4), Duration{480});
  EXPECT_EQ(Dispatcher::backoff(5), Duration{900});
  EXPECT_EQ(Dispatcher::backoff(6), Duration{900});
  EXPECT_EQ(Dispatcher::backoff(10), Duration{900});
  EXPECT_EQ(Dispatcher::backoff(11), Duration{900});
  EXPECT_EQ(Dispatcher::backoff(1000), Duration{900});
}

// Shutdown stopped the delivery: not the target's failure, so no attempt is counted and no backoff
// set; the row is due again at the next start.
TEST_F(DispatcherTest, AnInterruptedDeliveryLeavesTheRowOwedAsItWas) {
  auto* email = add("ops-email");
  queue({"ops-email"});
  email->script = {{Delivery::Outcome::Interrupted, "exec hook: stopped by shutdown"}};
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.interrupted, 1);
  EXPECT_EQ(report.retrying, 0);
  const auto row = stored(1);
  EXPECT_EQ(row.status, "pending");
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.next_attempt_at, kT0);
  EXPECT_EQ(row.last_error, "");
}

TEST_F(DispatcherTest, ACancelledDispatcherStartsNoDelivery) {
  auto* email = add("ops-email");
  queue({"ops-email"});
  dispatcher_.cancel();
  dispatcher_.deliver_due(kT0);
  EXPECT_TRUE(email->received.empty());
  EXPECT_EQ(stored(1).status, "pending");
}

}  // namespace
}  // namespace bw::agent
