// An SNS endpoint that is down for a while, on fake time: the Dispatcher over a real StateStore (a
// temp SQLite file) keeps the notification, retries it with capped exponential backoff and full
// jitter from an injected random source, and delivers it once when the endpoint is back; past the
// target's max_age it is marked dead instead (kept, with its last error, counted).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "agent/delivery/dispatcher.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

const Time kT0 = at("2026-11-22T06:05:00Z");
constexpr Duration kTick{10};  // how often the test runs a delivery pass (fake time)
constexpr const char* kKey = "3f2a9c1e5b7d4086a1c2e3f4a5b6c7d8";
constexpr const char* kDown = "Transport: connect to 127.0.0.1:4566 failed: Connection refused";

// An SNS endpoint that refuses every request before `up_at` (fake time) and accepts after it.
class FlakyEndpoint final : public Sender {
 public:
  struct Call {
    Time at{};
    std::string key;
    int attempts_before = 0;  // the row's attempts when it was handed over
    bool delivered = false;
  };
  FlakyEndpoint(const Clock& clock, Time up_at) : clock_(clock), up_at_(up_at) {}
  Delivery deliver(const OutboxRow& row) override {
    const bool up = clock_.now() >= up_at_;
    calls.push_back({clock_.now(), row.idempotency_key, row.attempts, up});
    if (!up) return {Delivery::Outcome::Retry, kDown};
    return {Delivery::Outcome::Delivered, "msg-" + std::to_string(calls.size())};
  }
  std::vector<Call> calls;

 private:
  const Clock& clock_;
  Time up_at_;
};

// The random source handed to the dispatcher: a fixed script (then a seeded generator), every value
// it gave recorded so the test can compute the delay each one must produce.
struct RecordedRandom {
  std::vector<double> script;
  std::mt19937_64 rng{1};
  std::vector<double> given;
  double next() {
    const double r = given.size() < script.size() ? script[given.size()]
                                                   : std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    given.push_back(r);
    return r;
  }
};

// What full jitter must turn a random value into: r × backoff(attempts), at least one second.
Duration jittered(double r, int attempts_before) {
  const auto cap = Dispatcher::backoff(attempts_before);
  return std::max(Duration{1}, Duration{static_cast<std::int64_t>(r * static_cast<double>(cap.count()))});
}

class OutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_);
    StateUpdate u;
    u.state.rule = "backlog-high";
    u.state.series = "modelId=m1";
    u.state.state = AlarmState::Alarm;
    u.state.changed_at = u.state.evaluated_at = kT0;
    OutboxRow r;
    r.idempotency_key = kKey;
    r.target = "ops";
    r.subject = R"(ALARM: "backlog-high/modelId=m1" in us-east-1)";
    r.payload = R"({"AlarmName":"backlog-high/modelId=m1","NewStateValue":"ALARM"})";
    r.rule = "backlog-high";
    r.series = "modelId=m1";
    r.state = "ALARM";
    r.created_at = kT0;
    r.next_attempt_at = kT0;
    u.outbox.push_back(r);
    const auto committed = store_->commit({u});
    ASSERT_TRUE(committed.ok()) << committed.error().describe();
    ASSERT_EQ(store_->outbox().size(), 1u);
    id_ = store_->outbox()[0].id;
  }

  // A dispatcher as the daemon builds one: the endpoint as target "ops", the recorded random
  // source, and outcomes counted through the hook.
  std::unique_ptr<Dispatcher> make_dispatcher(StateStore& store, FlakyEndpoint* endpoint, Duration max_age) {
    auto d = std::make_unique<Dispatcher>(store, log_.log());
    struct Forward final : Sender {
      explicit Forward(FlakyEndpoint* to) : to_(to) {}
      Delivery deliver(const OutboxRow& row) override { return to_->deliver(row); }
      FlakyEndpoint* to_;
    };
    d->add_sender("ops", std::make_unique<Forward>(endpoint), max_age);
    d->set_random([this] { return random_.next(); });
    d->set_outcome_hook([this](const std::string& target, const std::string& outcome) { outcomes_[target + " " + outcome]++; });
    return d;
  }

  OutboxRow row(StateStore& store) const {
    for (const auto& r : store.outbox())
      if (r.id == id_) return r;
    ADD_FAILURE() << "outbox row " << id_ << " is gone";
    return {};
  }

  // One pass every kTick of fake time from kT0 until `end`; after each pass that handed the row to
  // the endpoint and got a retry, the next_attempt_at it was given.
  std::map<std::size_t, Time> drive(FakeClock& clock, Time end, FlakyEndpoint& endpoint, Dispatcher& dispatcher,
                                    StateStore& store) {
    std::map<std::size_t, Time> next_attempt;  // by call index
    for (; clock.now() <= end; clock.advance(kTick)) {
      const auto before = endpoint.calls.size();
      dispatcher.deliver_due(clock.now());
      EXPECT_LE(endpoint.calls.size(), before + 1) << "more than one attempt in a pass";
      if (endpoint.calls.size() > before) {
        const auto r = row(store);
        if (r.status == "pending") next_attempt[endpoint.calls.size() - 1] = r.next_attempt_at;
      }
    }
    return next_attempt;
  }

  testing::TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  testing::CapturedLog log_{LogLevel::Debug};
  RecordedRandom random_;
  std::map<std::string, int> outcomes_;
  std::int64_t id_ = 0;
};

TEST_F(OutageTest, SnsDownForTwoMinutesThenDeliveredExactlyOnceWithTheSameKey) {
  // Draws: 0 (the shortest delay is still 1 s, never 0), a quarter, almost 1 (just under the cap).
  random_.script = {0.0, 0.25, 0.999999};
  FakeClock clock(kT0);
  const Time up_at = kT0 + Duration{120};
  FlakyEndpoint endpoint(clock, up_at);
  auto dispatcher = make_dispatcher(*store_, &endpoint, Duration{86400});

  const auto next_attempt = drive(clock, kT0 + Duration{20 * 60}, endpoint, *dispatcher, *store_);

  // Attempts at T0 (fails; r=0 → 1 s), T0+10 (fails; 0.25 × 60 = 15 s → due T0+25), T0+30 (fails;
  // 0.999999 × 120 → 119 s → due T0+149) and T0+150: the endpoint has been back since T0+120, the
  // row goes out on the first pass after its backoff.
  ASSERT_EQ(endpoint.calls.size(), 4u);
  const std::vector<Time> expected_at = {kT0, kT0 + Duration{10}, kT0 + Duration{30}, kT0 + Duration{150}};
  for (std::size_t i = 0; i < expected_at.size(); ++i)
    EXPECT_EQ(endpoint.calls[i].at, expected_at[i]) << "call " << i << " at " << format_rfc3339(endpoint.calls[i].at);
  EXPECT_EQ(next_attempt.at(0), kT0 + Duration{1});
  EXPECT_EQ(next_attempt.at(1), kT0 + Duration{10} + Duration{15});
  EXPECT_EQ(next_attempt.at(2), kT0 + Duration{30} + Duration{119});

  // Not lost, delivered exactly once, attempts recorded, the key never changed.
  const auto r = row(*store_);
  EXPECT_EQ(r.status, "delivered");
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(r.last_error, "");
  EXPECT_EQ(r.idempotency_key, kKey);
  EXPECT_EQ(store_->outbox().size(), 1u);
  int delivered = 0;
  for (std::size_t i = 0; i < endpoint.calls.size(); ++i) {
    EXPECT_EQ(endpoint.calls[i].key, kKey) << "call " << i;
    EXPECT_EQ(endpoint.calls[i].attempts_before, static_cast<int>(i)) << "call " << i;
    delivered += endpoint.calls[i].delivered;
  }
  EXPECT_EQ(delivered, 1);
  EXPECT_TRUE(endpoint.calls.back().delivered);
  EXPECT_EQ(outcomes_["ops retried"], 3);
  EXPECT_EQ(outcomes_["ops delivered"], 1);
  EXPECT_EQ(outcomes_["ops dead"], 0);
  EXPECT_FALSE(dispatcher->next_due().has_value());
  EXPECT_EQ(random_.given.size(), 3u);  // one draw per failure, none for the delivery
}

TEST_F(OutageTest, DelaysStayWithinFullJitterBoundsAcrossARestartMidOutage) {
  // Many random sources: every delay is 0 < d ≤ backoff(attempts so far), exactly r × backoff (≥1 s);
  // the row is attempted on the first pass after it is due, and delivered once the endpoint is back,
  // even though the agent restarted (new store connection, new dispatcher) during the outage.
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    random_ = RecordedRandom{};
    random_.rng.seed(seed);
    outcomes_.clear();
    FakeClock clock(kT0);
    const Time up_at = kT0 + Duration{120};
    FlakyEndpoint endpoint(clock, up_at);

    std::map<std::size_t, Time> next_attempt;
    {
      auto dispatcher = make_dispatcher(*store_, &endpoint, Duration{86400});
      next_attempt = drive(clock, kT0 + Duration{60}, endpoint, *dispatcher, *store_);
    }
    // The restart: what was owed is read back from the file.
    auto reopened = db_.open();
    ASSERT_TRUE(reopened);
    EXPECT_EQ(row(*reopened).status, "pending");
    EXPECT_EQ(row(*reopened).idempotency_key, kKey);
    auto dispatcher = make_dispatcher(*reopened, &endpoint, Duration{86400});
    for (const auto& [call, when] : drive(clock, kT0 + Duration{30 * 60}, endpoint, *dispatcher, *reopened))
      next_attempt[call] = when;

    ASSERT_GE(endpoint.calls.size(), 2u);
    ASSERT_EQ(random_.given.size(), endpoint.calls.size() - 1);
    for (std::size_t i = 0; i + 1 < endpoint.calls.size(); ++i) {
      const auto& call = endpoint.calls[i];
      EXPECT_FALSE(call.delivered);
      EXPECT_LT(call.at, up_at);
      EXPECT_EQ(call.attempts_before, static_cast<int>(i));
      ASSERT_TRUE(next_attempt.count(i)) << "call " << i;
      const Duration delay = next_attempt[i] - call.at;
      EXPECT_GT(delay, Duration{0}) << "call " << i;
      EXPECT_LE(delay, Dispatcher::backoff(call.attempts_before)) << "call " << i;
      EXPECT_EQ(delay, jittered(random_.given[i], call.attempts_before)) << "call " << i << " r " << random_.given[i];
      // Retried on the first pass at or after it was due: not early, not a pass late.
      const auto& again = endpoint.calls[i + 1];
      EXPECT_GE(again.at, next_attempt[i]) << "call " << i + 1;
      EXPECT_LT(again.at, next_attempt[i] + kTick) << "call " << i + 1;
    }
    const auto& last = endpoint.calls.back();
    EXPECT_TRUE(last.delivered);
    EXPECT_GE(last.at, up_at);
    EXPECT_EQ(last.attempts_before, static_cast<int>(endpoint.calls.size()) - 1);
    for (const auto& call : endpoint.calls) EXPECT_EQ(call.key, kKey);

    const auto r = row(*reopened);
    EXPECT_EQ(r.status, "delivered");
    EXPECT_EQ(r.attempts, static_cast<int>(endpoint.calls.size()));
    EXPECT_EQ(r.idempotency_key, kKey);
    EXPECT_EQ(outcomes_["ops delivered"], 1);
    EXPECT_EQ(outcomes_["ops retried"], static_cast<int>(endpoint.calls.size()) - 1);

    // Put the row back as it was for the next seed.
    reopened.reset();
    db_.exec_raw("UPDATE outbox SET status='pending', attempts=0, next_attempt_at=" + std::to_string(epoch(kT0)) +
                 ", last_error='', finished_at=NULL");
  }
}

TEST_F(OutageTest, DownLongerThanMaxAgeTheRowIsDeadKeptAndCounted) {
  random_.script = {0.999999, 0.999999, 0.999999, 0.999999, 0.999999, 0.999999};
  FakeClock clock(kT0);
  const Time up_at = kT0 + Duration{30 * 60};  // back long after max_age
  FlakyEndpoint endpoint(clock, up_at);
  const Duration max_age{10 * 60};
  auto dispatcher = make_dispatcher(*store_, &endpoint, max_age);

  std::optional<Time> died;
  int dead_reports = 0;
  for (; clock.now() <= kT0 + Duration{45 * 60}; clock.advance(kTick)) {
    const auto report = dispatcher->deliver_due(clock.now());
    dead_reports += report.dead;
    if (report.dead > 0 && !died) {
      died = clock.now();
      EXPECT_EQ(report.last_error, kDown);
    }
  }

  // r just under 1: delays of 29, 59, 119, 239, 479 s. Attempts at T0, +30, +90, +210 and +450 s,
  // every one refused; the row falls due again at +929 s, past max_age: dead on the +930 s pass.
  ASSERT_EQ(endpoint.calls.size(), 5u);
  EXPECT_EQ(endpoint.calls[4].at, kT0 + Duration{450});
  for (const auto& call : endpoint.calls) {
    EXPECT_FALSE(call.delivered);
    EXPECT_EQ(call.key, kKey);
    EXPECT_LE(call.at - kT0, max_age) << "attempted after max_age";
  }
  ASSERT_TRUE(died.has_value()) << "never marked dead";
  EXPECT_EQ(*died, kT0 + Duration{930});
  EXPECT_EQ(dead_reports, 1);

  // Kept, with why, and never attempted again (not even once the endpoint is back).
  const auto r = row(*store_);
  EXPECT_EQ(r.status, "dead");
  EXPECT_EQ(r.idempotency_key, kKey);
  EXPECT_NE(r.last_error.find("older than max_age 10m"), std::string::npos) << r.last_error;
  EXPECT_NE(r.last_error.find(kDown), std::string::npos) << r.last_error;
  EXPECT_GE(r.attempts, static_cast<int>(endpoint.calls.size()));
  EXPECT_EQ(store_->outbox("dead").size(), 1u);
  EXPECT_TRUE(store_->outbox("pending").empty());
  EXPECT_TRUE(store_->due(kT0 + Duration{86400}).empty());
  EXPECT_FALSE(dispatcher->next_due().has_value());

  EXPECT_EQ(outcomes_["ops dead"], 1);
  EXPECT_EQ(outcomes_["ops retried"], static_cast<int>(endpoint.calls.size()));
  EXPECT_EQ(outcomes_["ops delivered"], 0);
  EXPECT_NE(log_.text().find("notification dead: too old to deliver"), std::string::npos) << log_.text();
  EXPECT_NE(log_.text().find(kKey), std::string::npos);
}

}  // namespace
}  // namespace bw::agent
