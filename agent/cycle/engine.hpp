#pragma once
// One cycle: discover series, plan, fetch what is not cached, list the Bedrock jobs when due (the
// job step, job_watch.hpp), evaluate every (rule, series) at each period step since its last
// evaluation (catch-up) and every job rule on the job view, and record new states, the job view and
// the notifications they owe in one transaction. Delivery is the Dispatcher's job.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/error.hpp"
#include "agent/log.hpp"
#include "agent/cycle/cycle_recorder.hpp"
#include "agent/cycle/evaluate.hpp"
#include "agent/cycle/job_watch.hpp"
#include "agent/cycle/known_states.hpp"
#include "agent/cycle/metric_source.hpp"
#include "agent/cycle/planner.hpp"
#include "agent/cycle/series_cache.hpp"
#include "agent/cycle/series_trails.hpp"
#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

class Engine {
 public:
  // `jobs` lists the Bedrock jobs when the configuration watches them (jobs.enabled); null: the job
  // rules are judged on the job view the state file holds, never refreshed.
  Engine(const config::Config& config, MetricSource& source, Logger& log, std::string region,
         JobSource* jobs = nullptr)
      : config_(config), source_(source), log_(log), region_(std::move(region)), job_watch_(config, jobs, log) {}

  // Evaluates as of `now`, each (rule, series) from its state in `store`, and (RunMode::Record)
  // commits the new states with the notifications they owe.
  // `recorded_at` is the wall-clock time owed notifications are queued at (their age for max_age);
  // it differs from `now` when evaluating as of another time (`once --now`, backtest).
  Result<CycleReport> run(Time now, StateStore& store, RunMode mode, std::optional<Time> recorded_at = std::nullopt);

  // Whether every newest result carries a reason written for this evaluation (`once` prints them).
  // Otherwise, to save the formatting, a result that did not change state carries the reason of its
  // last change, as a CloudWatch alarm's StateReason does.
  void explain_results(bool on) { explain_results_ = on; }

  // Whether the report carries each series' recent curve (CycleReport::trails) for a status page.
  // Drawing it keeps SeriesTrails::kTrailPeriods periods of every series fetched and cached, where
  // evaluation needs a rule's few periods: `once`, and a daemon without a status server, skip it.
  void draw_trails(bool on) { draw_trails_ = on; }
  // Whether the report lists every transition in time order (CycleReport::transitions): backtest prints
  // them; `once` and `run` show the results, and a first cycle has one per series.
  void list_transitions(bool on) { list_transitions_ = on; }

  // How far a state row may lag its newest evaluation when nothing else changed (kStateCheckpoint).
  // Zero writes every evaluated row (`once`: the process ends after its one cycle).
  void checkpoint_every(Duration interval) { checkpoint_ = interval; }
  // Writes every state whose newest evaluation the store lacks: before the engine is dropped (SIGTERM,
  // a reload), so that the next one resumes where this one stopped.
  Result<Unit> flush(StateStore& store);
  // When the jobs were last listed, for the engine a reload builds (JobWatch::resume_listing_after).
  std::optional<Time> last_job_list() const { return job_watch_.last_list(); }
  void resume_job_listing_after(std::optional<Time> last_list) { job_watch_.resume_listing_after(last_list); }

 private:
  // A planned (rule, series) before evaluation: its known state and the first period end to evaluate
  // (then every period up to the instance's window_end).
  struct PendingInstance {
    std::size_t known = KnownStates::npos;  // index in known_; npos: nothing stored yet
    std::optional<Time> first;    // nullopt: no whole period is new
  };
  struct CycleWork {
    Plan plan;
    std::vector<PendingInstance> instances;  // parallel to plan.instances
  };
  // Every (rule, series) state computed this cycle, read by the composite rules: rule -> series -> state.
  using StatesByRule = std::map<std::string, std::map<std::string, AlarmState>>;

  aws::Result<std::vector<std::vector<LabelSet>>> discover(Time now);
  aws::Result<CycleWork> plan_cycle(Time now, const StateStore& store);
  // Fills the cache with what the plan lacks, counting the calls, and notes each series' newest datapoint.
  aws::Result<std::size_t> fetch(Plan& plan, CycleReport& report);
  StatesByRule evaluate_instances(CycleWork& work, Time now, CycleRecorder& recorder, CycleReport& report);
  InstanceResult evaluate_steps(const Instance& inst, const Plan& plan, const PendingInstance& pending, Time now,
                                WindowScratch& scratch, CycleRecorder& recorder);
  void evaluate_composites(StatesByRule& states, Time now, const StateStore& store, CycleRecorder& recorder,
                           CycleReport& report);
  Time composite_time(const CompositeSpec& spec, Time now) const;

  const config::Config& config_;
  MetricSource& source_;
  Logger& log_;
  std::string region_;
  bool explain_results_ = false;
  bool draw_trails_ = true;
  bool list_transitions_ = true;
  Duration checkpoint_ = kStateCheckpoint;
  KnownStates known_;  // the metric rules' states (job and composite rules read their few rows from the store)
  SeriesCache cache_;
  struct Discovered {
    Time expires{};
    std::vector<LabelSet> series;
  };
  std::map<std::string, Discovered> discovered_;  // by metric (namespace|name|dimension pattern)
  // This cycle's newest evaluated period end per rule: a composite's time for its idempotency keys.
  std::map<std::string, Time> newest_step_;
  JobWatch job_watch_;
};

}  // namespace bw::agent
