// Idempotency keys are made of the event, not of the cycle's clock: two replicas (two engines, each with
// its own state file) evaluating the same data at different moments key the same transition alike, and
// `ha:` lets only one of them deliver it. A later transition, a reminder and a second drain get new keys.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"

namespace bw::agent {
namespace {

using namespace testing;

config::Config with_jobs(std::vector<config::Rule> rules) {
  auto c = make_config(std::move(rules));
  c.jobs.enabled = true;
  c.jobs.every = Duration{60};
  return c;
}

// One replica: its own engine and state file, reading the shared data (metrics and jobs).
struct Replica : EngineRig {
  explicit Replica(std::vector<config::Rule> rules) : EngineRig(with_jobs(std::move(rules))) {}
  void run(const std::string& now) { ASSERT_TRUE(EngineRig::run(now).ok()) << now; }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& row : store->outbox()) out.push_back(row.state + " " + row.idempotency_key);
    return out;
  }
};

config::Rule tokens_high(std::optional<Duration> repeat = std::nullopt) {
  RuleBuilder b("tokens-high");
  b.dimensions({{"modelId", "m1"}}).notify({"ops-email"});
  if (repeat) b.repeat(*repeat);
  return b;
}

// m1: above the threshold in the 05:00 and 06:00 periods, below it from 07:00.
void breach_then_recover(FakeMetricSource& metrics) {
  metrics.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 2000000);
  metrics.add_point(key("m1"), at("2026-11-22T06:00:00Z"), 2000000);
  metrics.add_point(key("m1"), at("2026-11-22T07:00:00Z"), 10);
}

TEST(ReplicaKeys, SamePeriodAtDifferentMomentsGivesTheSameKey) {
  Replica a({tokens_high()}), b({tokens_high()});
  breach_then_recover(a.src);
  breach_then_recover(b.src);
  a.run("2026-11-22T06:02:30Z");  // both judge the period ending 06:00 (delay 2m), 37 minutes apart
  b.run("2026-11-22T06:39:41Z");
  ASSERT_EQ(a.keys().size(), 1u);
  EXPECT_EQ(a.keys(), b.keys());
  EXPECT_EQ(a.keys()[0], "ALARM " + idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T06:00:00Z")));

  a.run("2026-11-22T08:02:30Z");  // the recovery: a new transition, a new key, on both alike
  b.run("2026-11-22T08:40:00Z");
  ASSERT_EQ(a.keys().size(), 2u);
  EXPECT_EQ(a.keys(), b.keys());
  EXPECT_NE(a.keys()[0].substr(6), a.keys()[1].substr(3));
}

TEST(ReplicaKeys, ACatchUpReplicaKeysEachPeriodAsTheOneThatSawItLive) {
  Replica live({tokens_high()}), late({tokens_high()});
  breach_then_recover(live.src);
  breach_then_recover(late.src);
  for (const char* t : {"2026-11-22T04:05:00Z", "2026-11-22T05:05:00Z", "2026-11-22T06:05:00Z",
                        "2026-11-22T07:05:00Z", "2026-11-22T08:05:00Z"})
    live.run(t);
  late.run("2026-11-22T04:05:00Z");
  late.run("2026-11-22T08:05:00Z");  // down for three periods: catches them up in one cycle
  ASSERT_EQ(live.keys().size(), 2u);
  EXPECT_EQ(live.keys(), late.keys());
}

TEST(ReplicaKeys, RemindersKeepTheirScheduleAndAgreeAcrossReplicas) {
  Replica a({tokens_high(2 * kHour)}), b({tokens_high(2 * kHour)});
  for (auto* r : {&a, &b})
    for (int h = 0; h < 8; ++h) r->src.add_point(key("m1"), at("2026-11-22T05:00:00Z") + kHour * h, 2000000);
  // a's cycles start half a minute after b's, and one of a's cycles is late by 20 minutes.
  for (const char* t : {"2026-11-22T06:02:50Z", "2026-11-22T07:02:50Z", "2026-11-22T08:22:50Z",
                        "2026-11-22T09:02:50Z", "2026-11-22T10:02:50Z", "2026-11-22T11:02:50Z"})
    a.run(t);
  for (const char* t : {"2026-11-22T06:02:20Z", "2026-11-22T07:02:20Z", "2026-11-22T08:02:20Z",
                        "2026-11-22T09:02:20Z", "2026-11-22T10:02:20Z", "2026-11-22T11:02:20Z"})
    b.run(t);
  ASSERT_EQ(b.keys().size(), 3u);  // 06:00, then the reminders due 08:02 and 10:02
  EXPECT_EQ(a.keys(), b.keys());
  EXPECT_EQ(b.keys()[1], "ALARM " + idempotency_key("tokens-high", kM1, AlarmState::Alarm, at("2026-11-22T08:02:00Z")));
  EXPECT_EQ(next_reminder(at("2026-11-22T06:02:50Z"), 2 * kHour, at("2026-11-22T08:22:50Z")),
            at("2026-11-22T08:02:50Z"));
}

config::Rule drained_rule() {
  config::Rule r = RuleBuilder("records-drained")
                       .metric(kNs, kPending)
                       .dimensions({{"modelId", "m1"}})
                       .stat("Maximum")
                       .period(kMinute)
                       .notify({"pipeline"});
  DrainedSpec spec;
  spec.hold = Duration{300};
  r.spec = spec;
  return r;
}

// Two fills of m1's backlog, drained at 05:55 and at 06:25.
void two_drains(FakeMetricSource& metrics) {
  const auto key = series_key(kNs, kPending, kM1, "Maximum", kMinute);
  for (Time t = at("2026-11-22T05:40:00Z"); t < at("2026-11-22T06:40:00Z"); t += kMinute) {
    const bool full = t < at("2026-11-22T05:55:00Z") || (t >= at("2026-11-22T06:10:00Z") && t < at("2026-11-22T06:25:00Z"));
    metrics.add_point(key, t, full ? 100 : 0);
  }
}

TEST(ReplicaKeys, EachDrainHasItsOwnKeyOnEveryReplica) {
  Replica a({drained_rule()}), b({drained_rule()});
  two_drains(a.src);
  two_drains(b.src);
  for (int m = 0; m <= 40; m += 5) a.run(fmt::format("2026-11-22T06:{:02}:03Z", m));
  for (int m = 0; m <= 40; m += 5) b.run(fmt::format("2026-11-22T06:{:02}:31Z", m));
  const auto keys = a.keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys, b.keys());
  EXPECT_NE(keys[0], keys[1]);
}

TEST(ReplicaKeys, AJobRuleIsKeyedByTheJobsOwnTime) {
  config::Rule rule;
  rule.name = "job-ended-badly";
  rule.spec = JobStatusSpec{};
  rule.notify = {"ops-email"};
  Replica a({rule}), b({rule});
  for (auto* r : {&a, &b}) {
    auto& j = r->jobs.job("nightly");
    j.status = "InProgress";
    j.submit_time = at("2026-11-22T04:00:00Z");
    j.last_modified_time = at("2026-11-22T05:00:00Z");
  }
  a.run("2026-11-22T06:00:05Z");
  b.run("2026-11-22T06:00:40Z");
  for (auto* r : {&a, &b}) {
    auto& j = r->jobs.job("nightly");
    j.status = "Failed";
    j.end_time = j.last_modified_time = at("2026-11-22T06:03:00Z");
  }
  a.run("2026-11-22T06:05:05Z");
  b.run("2026-11-22T06:06:40Z");
  ASSERT_EQ(a.keys().size(), 1u);
  EXPECT_EQ(a.keys(), b.keys());
  EXPECT_EQ(job_event_time(a.jobs.job("nightly"), at("2026-11-22T06:05:05Z")), at("2026-11-22T06:03:00Z"));
}

}  // namespace
}  // namespace bw::agent
