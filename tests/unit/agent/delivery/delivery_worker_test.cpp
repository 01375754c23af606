// The delivery thread's stop: a grace period for what is in progress, then a cancel that leaves the
// notification owed. Senders here block on the test's say, so nothing sleeps on real time.
#include "agent/delivery/delivery_worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "tests/support/fake_clock.hpp"
#include "tests/unit/agent/target_rows.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

const Time kT0 = at("2026-11-22T06:05:00Z");

// A sender that is "running a hook" until cancelled (or released), like an exec hook sleeping 120 s.
class BlockingSender final : public Sender {
 public:
  Delivery deliver(const OutboxRow&) override {
    std::unique_lock lock(mu_);
    started_ = true;
    cv_.notify_all();
    // Bounded only so that a worker that never cancels fails the test instead of hanging it.
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return cancelled_ || released_; });
    if (cancelled_) return {Delivery::Outcome::Interrupted, "stopped by shutdown"};
    return {Delivery::Outcome::Delivered, "done"};
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  void wait_started() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false, cancelled_ = false, released_ = false;
};

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StateUpdate u;
    u.state.rule = "input-tokens-high";
    u.state.state = AlarmState::Alarm;
    u.outbox.push_back(testing::target_row("hook"));
    u.outbox.back().created_at = u.outbox.back().next_attempt_at = kT0;
    ASSERT_TRUE(store_->commit({u}).ok());
  }
  void start(std::unique_ptr<Sender> sender) {
    worker_.start(db_.open(), [this, s = std::shared_ptr<Sender>(std::move(sender))](StateStore& store) mutable {
      auto d = std::make_unique<Dispatcher>(store, log_.log());
      d->add_sender("hook", std::unique_ptr<Sender>(new Forward(s)));
      return d;
    });
  }
  // Lets the test keep its own handle on the sender the dispatcher owns.
  struct Forward final : Sender {
    explicit Forward(std::shared_ptr<Sender> to) : to_(std::move(to)) {}
    Delivery deliver(const OutboxRow& row) override { return to_->deliver(row); }
    void cancel() override { to_->cancel(); }
    std::shared_ptr<Sender> to_;
  };

  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  testing::CapturedLog log_{LogLevel::Debug};
  FakeClock clock_{kT0};
  DeliveryWorker worker_{clock_, log_.log()};
};

TEST_F(DeliveryWorkerTest, AfterTheGraceTheDeliveryInProgressIsCancelledAndStaysOwed) {
  auto sender = std::make_unique<BlockingSender>();
  auto* hook = sender.get();
  start(std::move(sender));
  hook->wait_started();
  worker_.stop(Duration{0});  // a grace period already over
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].next_attempt_at, kT0);
  EXPECT_NE(log_.text().find("grace period over: stopping the deliveries in progress"), std::string::npos)
      << log_.text();
}

TEST_F(DeliveryWorkerTest, ADeliveryThatFinishesWithinTheGraceIsRecorded) {
  auto sender = std::make_unique<BlockingSender>();
  auto* hook = sender.get();
  start(std::move(sender));
  hook->wait_started();
  hook->release();
  worker_.stop(Duration{600});  // returns when the pass is done, not when the grace is over
  const auto rows = store_->outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "delivered");
  EXPECT_EQ(log_.text().find("grace period over"), std::string::npos) << log_.text();
}

// Delivers at once and counts; what a simulated-clock run waits for between cycles.
class CountingSender final : public Sender {
 public:
  Delivery deliver(const OutboxRow&) override {
    ++delivered;
    return {Delivery::Outcome::Delivered, "done"};
  }
  std::atomic<int> delivered{0};
};

TEST_F(DeliveryWorkerTest, SettleSendsWhatACycleQueuedWithoutTheClockMoving) {
  auto sender = std::make_unique<CountingSender>();
  auto* hook = sender.get();
  start(std::move(sender));
  ASSERT_TRUE(worker_.settle(Duration{10}));
  EXPECT_EQ(hook->delivered, 1);
  // A second row, queued while the worker sleeps until kT0 + 60 s on a clock that never gets there.
  StateUpdate u;
  u.state.rule = "input-tokens-high";
  u.state.state = AlarmState::Ok;
  u.outbox.push_back(testing::target_row("hook"));
  u.outbox.back().idempotency_key = "second";
  u.outbox.back().created_at = u.outbox.back().next_attempt_at = kT0;
  ASSERT_TRUE(store_->commit({u}).ok());
  ASSERT_TRUE(worker_.settle(Duration{10}));
  EXPECT_EQ(hook->delivered, 2);
  for (const auto& row : store_->outbox()) EXPECT_EQ(row.status, "delivered") << row.idempotency_key;
}

TEST_F(DeliveryWorkerTest, SettleGivesUpAfterItsLimitWhileADeliveryRuns) {
  auto sender = std::make_unique<BlockingSender>();
  auto* hook = sender.get();
  start(std::move(sender));
  hook->wait_started();
  EXPECT_FALSE(worker_.settle(Duration{0}));
  hook->release();
  EXPECT_TRUE(worker_.settle(Duration{10}));
}

}  // namespace
}  // namespace bw::agent
