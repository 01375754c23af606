// The ClaimGate in the Dispatcher (`ha:`): each path of a claim (won, delivered by a peer, held by a
// peer, failed), a batch whose rows end differently, and fencing on a fake clock: a replica whose
// claim got old sends nothing, a peer takes over after the lease, and the old holder's complete()
// is refused.
#include "agent/delivery/claim_gate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fake_clock.hpp"
#include "tests/support/memory_claims.hpp"
#include "tests/unit/agent/delivery/ha_replica.hpp"

namespace bw::agent {
namespace {

using ::testing::HasSubstr;
using testing::HaReplica;
using testing::MemoryClaimStore;

const Time kT0 = testing::at("2026-11-22T06:05:00Z");
constexpr Duration kLease{30};

// A ClaimStore whose claim() takes `delay` of the replica's clock (a slow or retried UpdateItem).
class SlowClaims final : public ClaimStore {
 public:
  SlowClaims(ClaimStore& inner, FakeClock& clock, Duration delay) : inner_(inner), clock_(clock), delay_(delay) {}
  Claim claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
              Duration lease) override {
    auto c = inner_.claim(key, target, replica, now, lease);
    clock_.advance(delay_);
    return c;
  }
  Result<bool> complete(const std::string& key, const std::string& target, const std::string& replica,
                        std::uint64_t token, Time now) override {
    return inner_.complete(key, target, replica, token, now);
  }
  Result<bool> release(const std::string& key, const std::string& target, const std::string& replica,
                       std::uint64_t token) override {
    released++;
    if (fail_release) return state_error("claims", "unreachable");
    return inner_.release(key, target, replica, token);
  }
  int released = 0;
  bool fail_release = false;

 private:
  ClaimStore& inner_;
  FakeClock& clock_;
  Duration delay_;
};

class ClaimGateTest : public ::testing::Test {
 protected:
  FakeClock clock_{kT0};
  MemoryClaimStore claims_;
  HaReplica a_{"a", claims_, clock_, kLease};
  HaReplica b_{"b", claims_, clock_, kLease};
};

TEST_F(ClaimGateTest, AWonRowIsSentThenCompletedBeforeItIsMarked) {
  auto& sent = a_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  const auto report = a_.pass();
  ASSERT_EQ(sent.sent.size(), 1u);
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(report.claims.won, 1);
  const auto item = claims_.item("k1", "ops");
  ASSERT_TRUE(item);
  EXPECT_TRUE(item->done);
  EXPECT_EQ(item->owner, "a");
  EXPECT_EQ(item->token, 1u);
  EXPECT_EQ(item->done_at, kT0);
  EXPECT_EQ(a_.row("k1", "ops").status, "delivered");
}

TEST_F(ClaimGateTest, ARowAPeerDeliveredIsMarkedDeliveredWithoutASendOrAnAttempt) {
  auto& sent_a = a_.add_sender("ops");
  b_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  b_.queue({"k1"}, {"ops"}, kT0);
  ASSERT_EQ(b_.pass().delivered, 1);
  const auto report = a_.pass();
  EXPECT_TRUE(sent_a.sent.empty());
  EXPECT_EQ(report.delivered, 0);
  EXPECT_EQ(report.claims.peer_delivered, 1);
  const auto row = a_.row("k1", "ops");
  EXPECT_EQ(row.status, "delivered");
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.last_error, "delivered by replica b");
  EXPECT_THAT(a_.log(), HasSubstr("notification delivered by another replica"));
}

TEST_F(ClaimGateTest, ARowAPeerHoldsWaitsUntilItsClaimLapsesThenIsTakenOver) {
  auto& sent_a = a_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  // b claimed it at kT0 and died before sending: its claim holds until kT0 + 30s.
  ASSERT_EQ(claims_.claim("k1", "ops", "b", kT0, kLease).status, Claim::Status::Won);
  clock_.advance(Duration{5});
  const auto held = a_.pass();
  EXPECT_TRUE(sent_a.sent.empty());
  EXPECT_EQ(held.claims.peer_held, 1);
  EXPECT_EQ(held.retrying, 0);
  auto row = a_.row("k1", "ops");
  EXPECT_EQ(row.status, "pending");
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.next_attempt_at, kT0 + kLease + Duration{1});
  EXPECT_THAT(row.last_error, HasSubstr("held by replica b until 2026-11-22T06:05:30Z"));
  EXPECT_TRUE(a_.store().due(kT0 + kLease).empty());

  clock_.advance(kLease);  // past b's `until`
  const auto taken = a_.pass();
  ASSERT_EQ(sent_a.sent.size(), 1u);
  EXPECT_EQ(taken.claims.won, 1);
  EXPECT_EQ(claims_.item("k1", "ops")->token, 2u);
  EXPECT_EQ(claims_.item("k1", "ops")->owner, "a");
  EXPECT_EQ(a_.row("k1", "ops").status, "delivered");
}

TEST_F(ClaimGateTest, AFailedClaimSendsNothingAndIsRetriedWithTheUsualBackoff) {
  auto& sent = a_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  claims_.failing = true;
  const auto report = a_.pass();
  EXPECT_TRUE(sent.sent.empty());
  EXPECT_EQ(report.claims.failed, 1);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_THAT(report.last_error, HasSubstr("DynamoDB table memory-claims"));
  auto row = a_.row("k1", "ops");
  EXPECT_EQ(row.status, "pending");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.next_attempt_at, kT0 + Dispatcher::backoff(0));
  EXPECT_THAT(a_.log(), HasSubstr("its claim could not be made"));
  EXPECT_THAT(a_.log(), HasSubstr("memory-claims"));

  claims_.failing = false;
  clock_.advance(Dispatcher::backoff(0));
  EXPECT_EQ(a_.pass().delivered, 1);
  EXPECT_EQ(sent.sent.size(), 1u);
}

TEST_F(ClaimGateTest, ARowNotDeliveredIsReleasedSoAPeerMayTryAtOnce) {
  auto& sent_a = a_.add_sender("ops");
  auto& sent_b = b_.add_sender("ops");
  sent_a.answer = [](const OutboxRow&) { return Delivery{Delivery::Outcome::Retry, "503 from the target"}; };
  a_.queue({"k1"}, {"ops"}, kT0);
  b_.queue({"k1"}, {"ops"}, kT0);
  EXPECT_EQ(a_.pass().retrying, 1);
  EXPECT_EQ(claims_.item("k1", "ops")->until, Time{});
  EXPECT_FALSE(claims_.item("k1", "ops")->done);
  EXPECT_EQ(b_.pass().delivered, 1);
  EXPECT_EQ(sent_a.sent.size(), 1u);
  EXPECT_EQ(sent_b.sent.size(), 1u);
}

TEST_F(ClaimGateTest, ABatchSendsOnlyTheRowsItWonAndSettlesTheOthersInOnePass) {
  auto& sent = a_.add_sender("topic", 10);
  a_.queue({"k1", "k2", "k3", "k4"}, {"topic"}, kT0);
  ASSERT_EQ(claims_.claim("k2", "topic", "b", kT0, kLease).status, Claim::Status::Won);
  ASSERT_TRUE(claims_.complete("k2", "topic", "b", 1, kT0).value());
  ASSERT_EQ(claims_.claim("k3", "topic", "b", kT0, kLease).status, Claim::Status::Won);

  const auto report = a_.pass();
  ASSERT_EQ(sent.batches, std::vector<std::size_t>{2});
  EXPECT_EQ(sent.sent[0].idempotency_key, "k1");
  EXPECT_EQ(sent.sent[1].idempotency_key, "k4");
  EXPECT_EQ(report.delivered, 2);
  EXPECT_EQ(report.claims.won, 2);
  EXPECT_EQ(report.claims.peer_delivered, 1);
  EXPECT_EQ(report.claims.peer_held, 1);
  EXPECT_EQ(a_.row("k1", "topic").status, "delivered");
  EXPECT_EQ(a_.row("k2", "topic").status, "delivered");
  EXPECT_EQ(a_.row("k3", "topic").status, "pending");
  EXPECT_EQ(a_.row("k4", "topic").status, "delivered");
  EXPECT_TRUE(claims_.item("k4", "topic")->done);
  EXPECT_FALSE(claims_.item("k3", "topic")->done);
}

TEST_F(ClaimGateTest, AReplicaRetakesItsOwnClaimAfterARestart) {
  auto& sent = a_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  // a claimed it, then was killed before sending; restarted within its own lease.
  ASSERT_EQ(claims_.claim("k1", "ops", "a", kT0, kLease).status, Claim::Status::Won);
  clock_.advance(Duration{3});
  a_.restart();
  EXPECT_EQ(a_.pass().delivered, 1);
  EXPECT_EQ(sent.sent.size(), 1u);
  EXPECT_EQ(claims_.item("k1", "ops")->token, 2u);
}

// Half the lease passes while claiming (a slow table): the claim is too old to send safely, so
// nothing is sent, the claim is released and the row waits for the next pass, no attempt counted.
TEST_F(ClaimGateTest, AClaimOlderThanHalfTheLeaseIsNotSentButReleased) {
  SlowClaims slow(claims_, clock_, kLease / 2);
  HaReplica a("a", slow, clock_, kLease);
  auto& sent = a.add_sender("ops");
  a.queue({"k1"}, {"ops"}, kT0);
  const auto report = a.pass();
  EXPECT_TRUE(sent.sent.empty());
  EXPECT_EQ(report.claims.won, 1);
  EXPECT_EQ(report.claims.fenced, 1);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_EQ(slow.released, 1);
  EXPECT_EQ(claims_.item("k1", "ops")->until, Time{});
  const auto row = a.row("k1", "ops");
  EXPECT_EQ(row.status, "pending");
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.next_attempt_at, kT0 + kLease / 2);
  EXPECT_THAT(a.log(), HasSubstr("too old to send safely"));

  auto& sent_b = b_.add_sender("ops");
  b_.queue({"k1"}, {"ops"}, kT0);
  EXPECT_EQ(b_.pass().delivered, 1);  // released: b needs no wait
  EXPECT_EQ(sent_b.sent.size(), 1u);
}

// The release is lost too (the table went away): b waits for a's lease, then takes over, and a's
// rows are never sent by a.
TEST_F(ClaimGateTest, AFencedClaimThatCannotBeReleasedIsTakenOverAfterTheLease) {
  SlowClaims slow(claims_, clock_, kLease / 2);
  slow.fail_release = true;
  HaReplica a("a", slow, clock_, kLease);
  auto& sent_a = a.add_sender("ops");
  auto& sent_b = b_.add_sender("ops");
  a.queue({"k1"}, {"ops"}, kT0);
  b_.queue({"k1"}, {"ops"}, kT0);
  a.pass();
  EXPECT_THAT(a.log(), HasSubstr("claim not released"));
  EXPECT_EQ(b_.pass().claims.peer_held, 1);
  clock_.advance(kLease);
  EXPECT_EQ(b_.pass().delivered, 1);
  EXPECT_TRUE(sent_a.sent.empty());
  EXPECT_EQ(sent_b.sent.size(), 1u);
}

// The one window of a repeat: a's send outlasts its lease, b takes over and delivers, and a's late
// complete() is refused (logged as an error); a still marks its row delivered.
TEST_F(ClaimGateTest, ALateCompleteAfterATakeOverIsRefusedAndLogged) {
  auto& sent_a = a_.add_sender("ops");
  auto& sent_b = b_.add_sender("ops");
  a_.queue({"k1"}, {"ops"}, kT0);
  b_.queue({"k1"}, {"ops"}, kT0);
  sent_a.before = [&](const OutboxRow&) {
    clock_.advance(kLease);
    EXPECT_EQ(b_.pass().delivered, 1);
  };
  EXPECT_EQ(a_.pass().delivered, 1);
  EXPECT_EQ(sent_a.sent.size(), 1u);
  EXPECT_EQ(sent_b.sent.size(), 1u);
  const auto item = claims_.item("k1", "ops");
  EXPECT_EQ(item->owner, "b");
  EXPECT_EQ(item->token, 2u);
  EXPECT_TRUE(item->done);
  EXPECT_EQ(claims_.complete("k1", "ops", "a", 1, clock_.now()).value(), false);
  EXPECT_THAT(a_.log(), HasSubstr("delivered after losing the claim"));
  EXPECT_EQ(a_.row("k1", "ops").status, "delivered");
}

TEST_F(ClaimGateTest, ACompleteTheTableRefusesStillMarksTheRowDeliveredAndSaysARepeatMayFollow) {
  auto& sent = a_.add_sender("ops");
  sent.before = [&](const OutboxRow&) { claims_.failing = true; };
  a_.queue({"k1"}, {"ops"}, kT0);
  EXPECT_EQ(a_.pass().delivered, 1);
  EXPECT_EQ(a_.row("k1", "ops").status, "delivered");
  EXPECT_THAT(a_.log(), HasSubstr("its claim could not be marked done"));
}

TEST_F(ClaimGateTest, EveryOutcomeReachesTheHookWithItsMetricsName) {
  std::vector<std::string> seen;
  a_.dispatcher().set_claim_hook([&](ClaimOutcome o) { seen.emplace_back(to_string(o)); });
  a_.add_sender("ops");
  a_.queue({"k1", "k2", "k3"}, {"ops"}, kT0);
  ASSERT_EQ(claims_.claim("k2", "ops", "b", kT0, kLease).status, Claim::Status::Won);
  ASSERT_TRUE(claims_.complete("k2", "ops", "b", 1, kT0).value());
  ASSERT_EQ(claims_.claim("k3", "ops", "b", kT0, kLease).status, Claim::Status::Won);
  a_.pass();
  EXPECT_EQ(seen, (std::vector<std::string>{"won", "peer_delivered", "peer_held"}));
  EXPECT_EQ(to_string(ClaimOutcome::Failed), "failed");
  EXPECT_EQ(to_string(ClaimOutcome::Fenced), "fenced");
}

}  // namespace
}  // namespace bw::agent
