#pragma once
// One `ha:` replica for the delivery tests: its own SQLite state (in memory), a Dispatcher over it
// that claims in a ClaimStore shared with the other replicas, and senders that record what they were
// handed. The same transitions are queued on every replica, as the same CloudWatch data makes them.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/delivery/dispatcher.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent::testing {

// Records every row it is handed; answers Delivered unless `answer` says otherwise. `before` runs
// as the send begins (a test moves time or lets a peer act there).
class RecordingSender final : public Sender {
 public:
  explicit RecordingSender(std::size_t batch_limit = 1) : limit_(batch_limit) {}
  Delivery deliver(const OutboxRow& row) override {
    if (before) before(row);
    sent.push_back(row);
    return answer ? answer(row) : Delivery{Delivery::Outcome::Delivered, "msg-" + row.idempotency_key};
  }
  std::size_t batch_limit() const override { return limit_; }
  std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) override {
    batches.push_back(rows.size());
    return Sender::deliver_batch(rows);
  }
  std::function<void(const OutboxRow&)> before;
  std::function<Delivery(const OutboxRow&)> answer;
  std::vector<OutboxRow> sent;
  std::vector<std::size_t> batches;

 private:
  std::size_t limit_;
};

inline OutboxRow ha_row(const std::string& key, const std::string& target, Time created) {
  OutboxRow r;
  r.idempotency_key = key;
  r.target = target;
  r.subject = "ALARM: " + key;
  r.payload = R"({"AlarmName":")" + key + R"("})";
  r.rule = "r";
  r.series = key;
  r.state = "ALARM";
  r.created_at = r.next_attempt_at = created;
  return r;
}

class HaReplica {
 public:
  HaReplica(std::string name, ClaimStore& claims, const Clock& clock, Duration lease = Duration{30})
      : name_(std::move(name)), claims_(claims), clock_(clock), lease_(lease) {
    auto opened = SqliteStateStore::open(":memory:");
    EXPECT_TRUE(opened.ok()) << opened.error().describe();
    store_ = std::move(opened).value();
    restart();
  }

  // A new Dispatcher over the same state, as after kill -9 and a restart: what was in flight is gone,
  // what was committed stays. Senders are kept (they record what was sent over every life).
  void restart() {
    dispatcher_ = std::make_unique<Dispatcher>(*store_, log_.log());
    dispatcher_->set_claims(claims_, name_, lease_);
    dispatcher_->set_clock(clock_);
    for (auto& [target, sender] : senders_) dispatcher_->add_sender(target, std::make_unique<Forward>(*sender));
  }

  RecordingSender& add_sender(const std::string& target, std::size_t batch_limit = 1) {
    auto& s = senders_.emplace_back(target, std::make_unique<RecordingSender>(batch_limit)).second;
    dispatcher_->add_sender(target, std::make_unique<Forward>(*s));
    return *s;
  }

  // Queues one row per key and target, created at `at` (one transition per key).
  void queue(const std::vector<std::string>& keys, const std::vector<std::string>& targets, Time at) {
    std::vector<StateUpdate> updates;
    for (const auto& key : keys) {
      StateUpdate u;
      u.state.rule = "r";
      u.state.series = key;
      u.state.state = AlarmState::Alarm;
      u.state.changed_at = u.state.evaluated_at = at;
      u.transition = true;
      for (const auto& t : targets) u.outbox.push_back(ha_row(key, t, at));
      updates.push_back(u);
    }
    const auto committed = store_->commit(updates);
    ASSERT_TRUE(committed.ok()) << committed.error().describe();
  }

  OutboxRow row(const std::string& key, const std::string& target) const {
    for (const auto& r : store_->outbox())
      if (r.idempotency_key == key && r.target == target) return r;
    ADD_FAILURE() << name_ << " has no outbox row " << key << " " << target;
    return {};
  }

  DispatchReport pass() { return dispatcher_->deliver_due(clock_.now()); }
  Dispatcher& dispatcher() { return *dispatcher_; }
  StateStore& store() { return *store_; }
  std::string log() const { return log_.text(); }
  const std::string& name() const { return name_; }

 private:
  // The Dispatcher owns its senders; this one hands each call to a sender the replica keeps.
  class Forward final : public Sender {
   public:
    explicit Forward(Sender& to) : to_(to) {}
    Delivery deliver(const OutboxRow& row) override { return to_.deliver(row); }
    std::size_t batch_limit() const override { return to_.batch_limit(); }
    std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) override { return to_.deliver_batch(rows); }

   private:
    Sender& to_;
  };

  std::string name_;
  ClaimStore& claims_;
  const Clock& clock_;
  Duration lease_;
  CapturedLog log_{LogLevel::Debug};
  std::unique_ptr<StateStore> store_;
  std::vector<std::pair<std::string, std::unique_ptr<RecordingSender>>> senders_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace bw::agent::testing
