#pragma once
// One cycle: discover series, plan, fetch what is not cached, evaluate every (rule, series) at each
// period step since its last evaluation (catch-up), and record new states with the notifications
// they owe in one transaction. Delivery is the Dispatcher's job.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/error.hpp"
#include "agent/log.hpp"
#include "agent/cycle/evaluate.hpp"
#include "agent/cycle/metric_source.hpp"
#include "agent/cycle/planner.hpp"
#include "agent/cycle/series_cache.hpp"
#include "agent/cycle/series_trails.hpp"
#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct InstanceResult {
  const config::Rule* rule = nullptr;
  std::vector<Dimension> labels;
  AlarmState old_state = AlarmState::InsufficientData;  // before this cycle
  Evaluation evaluation;                                 // the newest
  bool transition = false;                               // any change during this cycle
  std::size_t notifications = 0;                         // outbox rows queued by this cycle
  bool evaluated = true;  // false: no new period since the last evaluation; the stored state is shown
  Time since{};           // when the state last changed (as stored after this cycle)
};

// A transition, as `backtest` prints it.
struct Transition {
  Time at{};
  const config::Rule* rule = nullptr;
  std::vector<Dimension> labels;
  AlarmState from = AlarmState::InsufficientData;
  AlarmState to = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
};

struct CycleReport {
  Time now{};
  std::vector<InstanceResult> results;
  std::vector<Transition> transitions;
  std::size_t series = 0;             // unique series the rules need
  std::size_t series_fetched = 0;     // of which fetched this cycle (the billed unit)
  std::size_t fetch_calls = 0;        // MetricSource::fetch calls (one per time range)
  std::size_t query_groups = 0;       // time ranges queried
  std::size_t datapoints = 0;
  std::size_t notifications = 0;
  std::map<std::string, std::size_t> silenced;  // of the notifications, those recorded as silenced, by target
  std::vector<std::pair<std::string, Time>> newest_datapoint;  // per series with data: its newest period start
  SeriesTrails trails;  // per result (composites have none): the recent curve the status page draws
};

// The states a rule notifies on: its notify_on, else ALARM and OK (DRAINED for a drained rule).
const std::vector<AlarmState>& notify_on(const config::Rule& rule);

// Whether a change to `state` owes a notification, given the last state one was owed for and the
// rule's notify_on(): OK only when it resolves a notified problem (no "OK" mail for every new series).
bool owes_notification(AlarmState state, const std::string& last_notified, const std::vector<AlarmState>& notify_on);

// Whether a run writes what it evaluated: a dry run reads the stored states and writes nothing.
enum class RunMode { Record, DryRun };

class CycleRecorder;  // engine.cpp: turns each evaluation into the update and notifications it owes

class Engine {
 public:
  Engine(const config::Config& config, MetricSource& source, Logger& log, std::string region)
      : config_(config), source_(source), log_(log), region_(std::move(region)) {}

  // Evaluates as of `now`, each (rule, series) from its state in `store`, and (RunMode::Record)
  // commits the new states with the notifications they owe.
  // `recorded_at` is the wall-clock time owed notifications are queued at (their age for max_age);
  // it differs from `now` when evaluating as of another time (`once --now`, backtest).
  Result<CycleReport> run(Time now, StateStore& store, RunMode mode, std::optional<Time> recorded_at = std::nullopt);

  // Whether every newest result carries a reason written for this evaluation (`once` prints them).
  // Otherwise, to save the formatting, a result that did not change state carries the reason of its
  // last change, as a CloudWatch alarm's StateReason does.
  void explain_results(bool on) { explain_results_ = on; }

 private:
  // A planned (rule, series) before evaluation: its stored state and the period ends to evaluate.
  struct PendingInstance {
    std::optional<StoredState> prev;
    std::vector<Time> steps;
  };
  struct CycleWork {
    Plan plan;
    std::vector<PendingInstance> instances;  // parallel to plan.instances
  };
  // Every (rule, series) state computed this cycle, read by the composite rules: rule -> series -> state.
  using StatesByRule = std::map<std::string, std::map<std::string, AlarmState>>;

  aws::Result<std::vector<std::vector<std::vector<Dimension>>>> discover(Time now);
  aws::Result<CycleWork> plan_cycle(Time now, const StateStore& store);
  // Fills the cache with what the plan lacks, counting the calls, and notes each series' newest datapoint.
  aws::Result<std::size_t> fetch(Plan& plan, CycleReport& report);
  StatesByRule evaluate_instances(CycleWork& work, Time now, CycleRecorder& recorder, CycleReport& report);
  InstanceResult evaluate_steps(const Instance& inst, const Plan& plan, PendingInstance& pending, Time now,
                                WindowScratch& scratch, CycleRecorder& recorder);
  void evaluate_composites(StatesByRule& states, Time now, const StateStore& store, CycleRecorder& recorder,
                           CycleReport& report);

  const config::Config& config_;
  MetricSource& source_;
  Logger& log_;
  std::string region_;
  bool explain_results_ = false;
  SeriesCache cache_;
  struct Discovered {
    Time expires{};
    std::vector<std::vector<Dimension>> series;
  };
  std::map<std::string, Discovered> discovered_;  // by metric (namespace|name|dimension pattern)
};

}  // namespace bw::agent
