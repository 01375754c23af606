// A model check of `ha:` delivery: two and three replicas (each its own SQLite state and senders)
// share one claim table and get the same transitions at different times. A fixed-seed schedule runs
// their passes, moves the clock, makes claims slow (a peer's pass may run meanwhile) or fail, and
// kills a replica (kill -9: the pass in flight is thrown away, the Dispatcher recreated over the same
// state) at each point of a delivery: before a claim, after the claim before the send, after the send
// before complete(), after complete() before the local mark. Then every replica recovers and runs
// until nothing is owed. It must hold that:
//   - every notification was delivered at least once;
//   - the repeats are exactly the sends whose replica was killed after the send, before complete();
//   - no replica ever sends without holding an unexpired claim (it lost its claim: it never sends).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/support/fake_clock.hpp"
#include "tests/support/memory_claims.hpp"
#include "tests/unit/agent/delivery/ha_replica.hpp"

namespace bw::agent {
namespace {

using testing::HaReplica;
using testing::MemoryClaimStore;

const Time kT0 = testing::at("2026-11-22T06:05:00Z");
constexpr Duration kLease{30};

enum class Point { None, BeforeClaim, BeforeSend, AfterSend, AfterComplete };
constexpr int kPoints = 5;

struct Killed {};  // unwinds a replica's pass as kill -9 ends it

class HaModel;

// One replica of the model, and its view of the shared table: kills and slow or failed claims are
// injected here, around the real MemoryClaimStore.
struct ModelReplica final : ClaimStore {
  ModelReplica(HaModel& model, std::string name);
  Claim claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
              Duration lease) override;
  Result<bool> complete(const std::string& key, const std::string& target, const std::string& replica,
                        std::uint64_t token, Time now) override;
  Result<bool> release(const std::string& key, const std::string& target, const std::string& replica,
                       std::uint64_t token) override {
    return inner().release(key, target, replica, token);
  }
  // Throws Killed when the kill armed for this pass falls at `p`.
  void reach(Point p) {
    if (kill_at == p && --kill_countdown == 0) throw Killed{};
  }
  MemoryClaimStore& inner();

  HaModel& model;
  std::string name;
  std::unique_ptr<HaReplica> node;
  bool alive = true;
  bool in_pass = false;
  Point kill_at = Point::None;
  int kill_countdown = 0;
  std::set<std::string> sent_not_completed;  // this pass's sends whose complete() has not run
  std::size_t next_key = 0;                  // the transitions this replica has evaluated so far
};

class HaModel {
 public:
  HaModel(int replicas, unsigned seed) : rng_(seed) {
    for (int i = 0; i < replicas; ++i) {
      auto& r = *replicas_.emplace_back(std::make_unique<ModelReplica>(*this, std::string(1, char('a' + i))));
      r.node = std::make_unique<HaReplica>(r.name, r, clock_, kLease);
      add_senders(r);
    }
  }

  // The schedule, then recovery until every replica has settled every row.
  void run(int steps, int keys) {
    for (int i = 0; i < keys; ++i) keys_.push_back("k" + std::to_string(i));
    for (int step = 0; step < steps; ++step) random_step();
    recover();
  }

  bool roll(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  // A peer's pass during a slow claim of `busy` (the schedule interleaves replicas there).
  void maybe_interleave(ModelReplica& busy) {
    if (!roll(0.3)) return;
    auto& peer = *replicas_[static_cast<std::size_t>(pick(static_cast<int>(replicas_.size())))];
    if (&peer != &busy && peer.alive && !peer.in_pass) pass(peer, false);
  }

  // The target got it: counted, and remembered until complete() says the table knows.
  void delivered(ModelReplica& r, const OutboxRow& row) {
    ++deliveries_[row.idempotency_key + "#" + row.target];
    r.sent_not_completed.insert(row.idempotency_key + "#" + row.target);
  }
  // Whether `r` holds an unexpired claim of `row` right now (its send is safe).
  bool holds(const ModelReplica& r, const OutboxRow& row) const {
    const auto item = claims_.item(row.idempotency_key, row.target);
    return item && item->owner == r.name && !item->done && clock_.now() < item->until;
  }

  MemoryClaimStore claims_;
  FakeClock clock_{kT0};
  int sends_without_claim = 0;
  int marked_not_done = 0;      // rows marked delivered here whose claim was not done (per pass)
  int repeat_window_kills = 0;  // sends whose replica died before complete()
  int kills[kPoints] = {};
  ClaimCounts counts;
  std::map<std::string, int> deliveries_;
  std::vector<std::string> keys_;
  std::vector<std::unique_ptr<ModelReplica>> replicas_;
  bool disturb_ = true;  // claims may be slow or fail (not while recovering)

  // Whether any replica still has a pending row.
  bool owed() const {
    for (const auto& r : replicas_)
      if (!r->node->store().outbox("pending").empty()) return true;
    return false;
  }

 private:
  void add_senders(ModelReplica& r) {
    for (auto [target, limit] : {std::pair<const char*, std::size_t>{"ops", 1}, {"topic", 3}}) {
      auto& s = r.node->add_sender(target, limit);
      s.before = [this, &r](const OutboxRow& row) {
        if (!holds(r, row)) ++sends_without_claim;
        r.reach(Point::BeforeSend);
      };
      s.answer = [this, &r](const OutboxRow& row) {
        if (roll(0.05)) return Delivery{Delivery::Outcome::Retry, "503"};
        delivered(r, row);
        r.reach(Point::AfterSend);
        return Delivery{Delivery::Outcome::Delivered, "ok"};
      };
    }
  }

  void random_step() {
    for (auto& r : replicas_)  // each replica evaluates the transitions on its own schedule
      if (r->next_key < keys_.size() && roll(0.3))
        r->node->queue({keys_[r->next_key++]}, {"ops", "topic"}, clock_.now());
    auto& r = *replicas_[static_cast<std::size_t>(pick(static_cast<int>(replicas_.size())))];
    if (!r.alive) {
      r.node->restart();
      r.alive = true;
    } else if (roll(0.25)) {
      r.kill_at = static_cast<Point>(1 + pick(kPoints - 1));
      r.kill_countdown = 1 + pick(3);
      pass(r, true);
    } else {
      pass(r, true);
    }
    if (roll(0.5)) clock_.advance(Duration{pick(static_cast<int>(kLease.count()))});
  }

  // One pass of `r`; `disturb`: its claims may fail or be slow (not while recovering, nor inside a
  // pass that already interleaves).
  void pass(ModelReplica& r, bool disturb) {
    const bool outer = disturb_;
    r.in_pass = true;
    disturb_ = disturb;
    try {
      add(r.node->pass().claims);
    } catch (const Killed&) {
      ++kills[static_cast<int>(r.kill_at)];
      repeat_window_kills += static_cast<int>(r.sent_not_completed.size());
      r.alive = false;
    }
    r.sent_not_completed.clear();
    // complete() comes before the local mark: a row marked delivered here is done in the table, so a
    // kill after the mark can never make a peer send it again.
    for (const auto& row : r.node->store().outbox("delivered"))
      if (const auto item = claims_.item(row.idempotency_key, row.target); !item || !item->done)
        ++marked_not_done;
    r.kill_at = Point::None;
    r.in_pass = false;
    disturb_ = outer;
  }

  void add(const ClaimCounts& c) {
    counts.won += c.won;
    counts.peer_delivered += c.peer_delivered;
    counts.peer_held += c.peer_held;
    counts.failed += c.failed;
    counts.fenced += c.fenced;
  }

  void recover() {
    for (int round = 0; round < 50 && owed(); ++round) {
      clock_.advance(Dispatcher::backoff(10) + kLease);
      for (auto& r : replicas_) {
        if (!r->alive) r->node->restart();
        r->alive = true;
        pass(*r, false);
      }
    }
  }

  std::mt19937 rng_;
};

ModelReplica::ModelReplica(HaModel& m, std::string n) : model(m), name(std::move(n)) {}

MemoryClaimStore& ModelReplica::inner() { return model.claims_; }

Claim ModelReplica::claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
                          Duration lease) {
  reach(Point::BeforeClaim);
  if (model.disturb_ && model.roll(0.05))
    return Claim{Claim::Status::Failed, 0, "", {}, "DynamoDB table model: UpdateItem throttled"};
  auto c = inner().claim(key, target, replica, now, lease);
  if (model.disturb_ && model.roll(0.15)) {  // a slow answer: time passes, a peer may act
    model.clock_.advance(Duration{model.pick(static_cast<int>(kLease.count() * 3 / 2))});
    model.maybe_interleave(*this);
  }
  return c;
}

Result<bool> ModelReplica::complete(const std::string& key, const std::string& target, const std::string& replica,
                                    std::uint64_t token, Time now) {
  auto done = inner().complete(key, target, replica, token, now);
  sent_not_completed.erase(key + "#" + target);
  reach(Point::AfterComplete);
  return done;
}

void expect_safe_and_complete(HaModel& m, int keys) {
  EXPECT_FALSE(m.owed()) << "rows still pending after recovery";
  EXPECT_EQ(m.sends_without_claim, 0) << "a replica sent without holding an unexpired claim";
  EXPECT_EQ(m.marked_not_done, 0) << "a row was marked delivered before its claim was done";
  int repeats = 0;
  for (int k = 0; k < keys; ++k)
    for (const char* target : {"ops", "topic"}) {
      const auto n = m.deliveries_["k" + std::to_string(k) + "#" + target];
      EXPECT_GE(n, 1) << "k" << k << " " << target << " never delivered";
      repeats += n - 1;
    }
  EXPECT_EQ(repeats, m.repeat_window_kills) << "repeats beyond the kills between send and complete()";
}

void run_seeds(int replicas) {
  int kills[kPoints] = {};
  ClaimCounts counts;
  int windows = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    HaModel m(replicas, seed);
    m.run(300, 25);
    expect_safe_and_complete(m, 25);
    for (int p = 0; p < kPoints; ++p) kills[p] += m.kills[p];
    counts.fenced += m.counts.fenced;
    counts.peer_held += m.counts.peer_held;
    counts.peer_delivered += m.counts.peer_delivered;
    counts.failed += m.counts.failed;
    windows += m.repeat_window_kills;
  }
  // The schedule reached every kill point and every claim path, so the checks above mean something.
  for (int p = 1; p < kPoints; ++p) EXPECT_GT(kills[p], 0) << "kill point " << p << " never reached";
  EXPECT_GT(counts.fenced, 0);
  EXPECT_GT(counts.peer_held, 0);
  EXPECT_GT(counts.peer_delivered, 0);
  EXPECT_GT(counts.failed, 0);
  EXPECT_GT(windows, 0);
}

TEST(HaModelTest, TwoReplicasDeliverEachNotificationOnceExceptAfterAKillBetweenSendAndComplete) { run_seeds(2); }

TEST(HaModelTest, ThreeReplicasDeliverEachNotificationOnceExceptAfterAKillBetweenSendAndComplete) { run_seeds(3); }

}  // namespace
}  // namespace bw::agent
