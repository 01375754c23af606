#pragma once
// The engine tests' common ground: one wildcard threshold rule over two models, an in-memory metric
// source, a temp SQLite store, and the keys and labels of the models.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/cycle/engine.hpp"
#include "agent/delivery/notification.hpp"
#include "tests/unit/agent/cycle/fake_job_source.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent::testing {

inline const std::vector<Dimension> kM1 = {{"modelId", "m1"}};
inline const std::vector<Dimension> kM2 = {{"modelId", "m2"}};
inline const std::vector<Dimension> kM3 = {{"modelId", "m3"}};

// The series of one model as the test rules read it (Average over 1h).
inline SeriesKey key(const std::string& model) {
  return series_key(kNs, kTokens, {{"modelId", model}}, "Average", kHour);
}

// One wildcard rule "tokens-high" (> 1,000,000, N = M = 1, period 1h, delay 2m) notifying two
// targets; ListMetrics knows m1 and m2.
class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : config_(make_config({RuleBuilder("tokens-high")
                                 .dimensions({{"modelId", "*"}})
                                 .when(Comparison::Greater, 1000000)
                                 .notify({"ops-email", "pipeline"})})) {
    src_.add_listing(kNs, kTokens, kM1);
    src_.add_listing(kNs, kTokens, kM2);
  }

  Result<CycleReport> run(Time now, RunMode mode = RunMode::Record) { return engine_.run(now, *store_, mode); }

  // m1 breaches (1,250,000) and m2 does not (10) in the 05:00 period.
  void add_alarm_m1_ok_m2() {
    src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
    src_.add_point(key("m2"), at("2026-11-22T05:00:00Z"), 10);
  }

  const config::Rule& rule() const { return config_.rules[0]; }

  // `step`: the evaluated period's end, which the idempotency key is made of.
  std::string expected_payload(const std::vector<Dimension>& labels, AlarmState old_state, const Evaluation& ev,
                               Time now, Time step) const {
    return message(StateChange{&rule(), labels, old_state, ev, now, "us-east-1", nullptr, {}, step}).dump();
  }
  // A result's evaluation with its reason (a metric rule's result refers to the engine's kept one).
  std::string expected_payload(const std::vector<Dimension>& labels, AlarmState old_state, const InstanceResult& r,
                               Time now, Time step) const {
    Evaluation ev;
    ev.state = r.evaluation.state;
    ev.value = r.evaluation.value;
    ev.reason = std::string(r.reason);
    return expected_payload(labels, old_state, ev, now, step);
  }

  CapturedLog log_{LogLevel::Debug};
  config::Config config_;
  FakeMetricSource src_;
  TempDb db_;
  std::unique_ptr<StateStore> store_ = db_.open();
  Engine engine_{config_, src_, log_.log(), "us-east-1"};
};

// An engine over rules of the test's own, with an in-memory source, a log and a temp store.
struct EngineRig {
  explicit EngineRig(config::Config rules_config) : config(std::move(rules_config)) {}
  Result<CycleReport> run(std::string_view now) { return engine.run(at(now), *store, RunMode::Record); }

  config::Config config;
  FakeMetricSource src;
  FakeJobSource jobs;  // listed only when config.jobs.enabled
  CapturedLog log;
  TempDb db;
  std::unique_ptr<StateStore> store = db.open();
  Engine engine{config, src, log.log(), "us-east-1", &jobs};
};

}  // namespace bw::agent::testing
