// The real daemon loop (agent/cli/daemon_loop.hpp) on a FakeClock: when cycles start, reloads between
// cycles, and that a reloaded configuration's clients are freed. The metric source stands in for
// CloudWatch: each cycle's fetch records the time, takes the cycle's fake duration, and may fail or
// send a signal (a stop or reload request) in the middle of the cycle.
#include "agent/cli/daemon_loop.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "tests/support/fake_clock.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::kMinute;
using testing::RuleBuilder;

constexpr Duration k5m{300};

// One cycle of the table: how long it takes and whether it succeeds.
struct Step {
  Duration takes;
  bool ok = true;
};

class LoopRig;

// Lists no jobs; notes the time of each cycle that asked (submitTimeAfter is that time - jobs.lookback).
class ListTimesSource final : public JobSource {
 public:
  ListTimesSource(Duration lookback, std::vector<Time>& lists) : lookback_(lookback), lists_(lists) {}
  std::vector<JobListing> list_jobs(Time submitted_after) override {
    lists_.push_back(submitted_after + lookback_);
    return {{JobScope{}, std::vector<JobSnapshot>{}}};
  }

 private:
  Duration lookback_;
  std::vector<Time>& lists_;
};

class ScriptedSource final : public MetricSource {
 public:
  ScriptedSource(LoopRig& rig, int generation) : rig_(rig), generation_(generation) {}
  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time, Time) override;
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec&) override {
    return std::vector<std::vector<Dimension>>{};
  }

 private:
  LoopRig& rig_;
  int generation_;
};

// The daemon with everything but its clock, source and senders real (SQLite on a temp file, the
// delivery thread). configs[0] starts it; each reload loads the next one.
class LoopRig {
 public:
  explicit LoopRig(Time start, std::vector<config::Config> configs)
      : clock(start), idle(start), configs_(std::move(configs)) {
    for (auto& c : configs_) c.state_path = db_.path();
  }

  // Runs `steps` (one per cycle, stopping after the last) and returns when each cycle started.
  std::vector<Time> run(std::vector<Step> steps) {
    steps_ = std::move(steps);
    Daemon daemon(options_, DaemonDeps{clock, idle, generations(), [this] { return next_config(); }}, control,
                  log_.log());
    EXPECT_TRUE(daemon.start(std::make_unique<config::Config>(configs_[0])));
    daemon.run();
    daemon.stop();
    reloads_succeeded = daemon.metrics().registry().value("batchwatch_config_reloads_total", {{"result", "success"}});
    return starts;
  }

  // The cycle's part of a fetch (its first; rules of several periods fetch more than once): record,
  // take the step's time, run `during`, fail if told.
  bool on_fetch(int generation) {
    const double cycles_done = metrics_->registry().value("batchwatch_cycles_total");
    if (!starts.empty() && cycles_done == cycles_seen_) return steps_[starts.size() - 1].ok;
    cycles_seen_ = cycles_done;
    const std::size_t i = starts.size();
    starts.push_back(clock.now());
    generation_of_cycle.push_back(generation);
    if (i + 1 >= steps_.size()) control.request_stop();
    const Step step = i < steps_.size() ? steps_[i] : Step{Duration{0}};
    clock.advance(step.takes);
    if (during) during(i);
    return step.ok;
  }

  FakeClock clock;
  FakeClock idle;
  RunControl control;
  std::function<void(std::size_t cycle)> during;
  std::vector<Time> starts;
  std::vector<int> generation_of_cycle;
  std::vector<std::weak_ptr<void>> clients;  // one per configuration built
  double reloads_succeeded = 0;
  int heartbeats = 0;
  std::vector<Time> job_lists;  // when each generation's job source was asked

 private:
  GenerationFactory generations() {
    return [this](std::shared_ptr<const config::Config> cfg, AgentMetrics& metrics, std::string&) {
      metrics_ = &metrics;
      Generation gen;
      const int number = static_cast<int>(clients.size());
      gen.source = std::make_unique<ScriptedSource>(*this, number);
      auto held = std::make_shared<int>(number);  // stands for the AWS stack
      clients.push_back(held);
      gen.clients = held;
      gen.cfg = std::move(cfg);
      gen.region = "us-east-1";
      gen.add_senders = [](Dispatcher&) {};
      gen.heartbeat = [this] { ++heartbeats; };
      if (gen.cfg->jobs.enabled) gen.jobs = std::make_unique<ListTimesSource>(gen.cfg->jobs.lookback, job_lists);
      return std::optional<Generation>(std::move(gen));
    };
  }
  config::LoadResult next_config() {
    config::LoadResult r;
    if (++loads_ < configs_.size()) r.config = configs_[loads_];
    else r.diagnostics.push_back({"agent.yaml", 1, 1, "no further configuration in this test"});
    return r;
  }

  testing::TempDb db_;
  testing::CapturedLog log_;
  RunOptions options_{"agent.yaml", std::nullopt, std::nullopt};
  std::vector<config::Config> configs_;
  std::size_t loads_ = 0;
  std::vector<Step> steps_;
  const AgentMetrics* metrics_ = nullptr;
  double cycles_seen_ = -1;
};

aws::Result<std::vector<std::vector<Datapoint>>> ScriptedSource::fetch(const std::vector<SeriesKey>& keys, Time,
                                                                        Time) {
  if (!rig_.on_fetch(generation_)) return testing::api_error("monitoring", "GetMetricData", "InternalFailure");
  return std::vector<std::vector<Datapoint>>(keys.size());
}

config::Config minutely(Duration delay) { return testing::make_config({RuleBuilder("r").period(kMinute)}, delay); }

TEST(DaemonLoop, FirstAtStartThenAlignedSlowAndFailedCyclesNeverStack) {
  LoopRig rig(at("2026-11-22T06:05:10Z"), {minutely(Duration{90})});
  const auto starts = rig.run({
      {Duration{2}},         // 06:05:10 the first cycle: at start, not aligned
      {Duration{1}},         // 06:05:30 aligned: boundary 06:04 + 1m + 90s
      {Duration{150}},       // 06:06:30 a slow cycle: ends 06:09:00, past 2 boundaries
      {Duration{5}, false},  // 06:09:30 the next boundary, not 06:07:30 nor 06:08:30
      {Duration{1}, false},  // 06:10:05 retried 30 s after the failure
      {Duration{1}},         // 06:10:30 the schedule is sooner than 06:10:36
      {Duration{1}},         // 06:11:30
  });
  const std::vector<Time> expected = {at("2026-11-22T06:05:10Z"), at("2026-11-22T06:05:30Z"),
                                      at("2026-11-22T06:06:30Z"), at("2026-11-22T06:09:30Z"),
                                      at("2026-11-22T06:10:05Z"), at("2026-11-22T06:10:30Z"),
                                      at("2026-11-22T06:11:30Z")};
  ASSERT_EQ(starts.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(starts[i], expected[i]) << "cycle " << i << " started at " << format_rfc3339(starts[i]);
}

TEST(DaemonLoop, AHeartbeatAfterEachSuccessfulCycleOnly) {
  LoopRig rig(at("2026-11-22T06:05:10Z"), {minutely(Duration{0})});
  rig.run({{Duration{1}}, {Duration{1}, false}, {Duration{1}, false}, {Duration{1}}});
  EXPECT_EQ(rig.heartbeats, 2);
}

TEST(DaemonLoop, CycleSlowerThanSeveralPeriodsRunsOnceAtTheNextBoundary) {
  // 1m and 5m rules, delay 0: a cycle that takes 7m30s is followed by exactly one cycle at the next
  // minute boundary, never a burst for the boundaries it missed, and never one in the past.
  LoopRig rig(at("2026-11-22T06:00:00Z"),
              {testing::make_config({RuleBuilder("five").period(k5m), RuleBuilder("one").period(kMinute)}, Duration{0})});
  const auto starts = rig.run({{Duration{450}}, {Duration{10}}, {Duration{10}}});
  EXPECT_EQ(starts, (std::vector<Time>{at("2026-11-22T06:00:00Z"), at("2026-11-22T06:08:00Z"),
                                       at("2026-11-22T06:09:00Z")}));
}

TEST(DaemonLoop, EveryStartIsAfterThePreviousCycleEnded) {
  const std::vector<Step> pattern = {{Duration{0}},         {Duration{59}},        {Duration{60}, false},
                                     {Duration{61}},        {Duration{29}, false}, {Duration{31}, false},
                                     {Duration{300}},       {Duration{1}, false},  {Duration{3700}},
                                     {Duration{45}, false}, {Duration{2}}};
  LoopRig rig(at("2026-11-22T06:05:17Z"),
              {testing::make_config({RuleBuilder("five").period(k5m), RuleBuilder("one").period(kMinute)}, Duration{120})});
  const auto starts = rig.run(pattern);
  ASSERT_EQ(starts.size(), pattern.size());
  for (std::size_t i = 1; i < starts.size(); ++i) {
    const Time ended = starts[i - 1] + pattern[i - 1].takes;
    EXPECT_GT(starts[i], ended) << "cycle " << i;
    EXPECT_LE(starts[i], ended + (pattern[i - 1].ok ? kMinute : Duration{30})) << "cycle " << i;
  }
}

TEST(DaemonLoop, ASighupDuringACycleReloadsBeforeTheNextAndFreesTheOldConfiguration) {
  // Cycle 1 gets a SIGHUP and then backs off 2 s for a throttled call: the backoff is not cut short,
  // the loop reloads as soon as the cycle ends and runs the new (5-minute) configuration right away,
  // then on its schedule. The first configuration's clients are gone; the running one's are kept.
  LoopRig rig(at("2026-11-22T06:05:10Z"),
              {minutely(Duration{90}), testing::make_config({RuleBuilder("r").period(k5m)}, Duration{0})});
  Time backoff_ended{};
  rig.during = [&](std::size_t cycle) {
    if (cycle != 1) return;
    rig.control.request_reload();
    rig.clock.sleep_for(std::chrono::milliseconds(2000));  // a retry backoff, as aws::RetryPolicy sleeps
    backoff_ended = rig.clock.now();
  };
  const auto starts = rig.run({{Duration{1}}, {Duration{1}}, {Duration{1}}, {Duration{1}}});
  EXPECT_EQ(starts, (std::vector<Time>{at("2026-11-22T06:05:10Z"), at("2026-11-22T06:05:30Z"),
                                       at("2026-11-22T06:05:33Z"), at("2026-11-22T06:10:00Z")}));
  EXPECT_EQ(backoff_ended, at("2026-11-22T06:05:33Z"));  // 06:05:30 + 1 s of work + the whole 2 s
  EXPECT_EQ(rig.generation_of_cycle, (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(rig.reloads_succeeded, 1);
  ASSERT_EQ(rig.clients.size(), 2u);
  EXPECT_TRUE(rig.clients[0].expired()) << "the replaced configuration's clients are still held";
}

TEST(DaemonLoop, ASighupDoesNotListTheJobsAgainBeforeJobsEvery) {
  // The reloaded engine carries the time of the last list over: the next list is jobs.every (5 min)
  // after the first, not at the first cycle after the reload.
  auto config = minutely(Duration{0});
  config.jobs.enabled = true;
  config.jobs.every = k5m;
  LoopRig rig(at("2026-11-22T06:05:10Z"), {config, config});
  rig.during = [&](std::size_t cycle) {
    if (cycle == 1) rig.control.request_reload();
  };
  const auto starts = rig.run(std::vector<Step>(8, Step{Duration{1}}));
  ASSERT_EQ(starts.size(), 8u);
  EXPECT_EQ(rig.generation_of_cycle.back(), 1);
  EXPECT_EQ(rig.job_lists, (std::vector<Time>{at("2026-11-22T06:05:10Z"), at("2026-11-22T06:11:00Z")}));
}

}  // namespace
}  // namespace bw::agent
