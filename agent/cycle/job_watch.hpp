#pragma once
// The job step of a cycle (Engine::run calls it; no scheduler of its own): list the jobs when
// jobs.every has passed since the last successful list, keep the job view, and judge every job rule
// on it, recording through the cycle's CycleRecorder like any other rule. Also what drained rules
// read of the jobs: the active job of a model (wait_for_jobs) and the jobs that finished since a
// drain began (`batchwatch.jobs`).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/cycle/cycle_recorder.hpp"
#include "agent/cycle/job_source.hpp"
#include "agent/cycle/job_view.hpp"
#include "agent/log.hpp"
#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

// {jobName, modelId}, plus account and region when the agent watches several accounts.
std::vector<Dimension> job_labels(const JobScope& scope, const JobSnapshot& job);

class JobWatch final : public JobFacts {
 public:
  // `source` may be null: then jobs are never listed (the view stays as the state file has it).
  JobWatch(const config::Config& config, JobSource* source, Logger& log)
      : config_(config), source_(source), log_(log) {}

  // Whether this configuration watches jobs at all (jobs.enabled).
  bool enabled() const;

  // Loads the view (first cycle), lists every scope if a pass is due, applies the listings and
  // prunes. A failed scope is logged (once per cycle, naming the operation, or the IAM action for
  // AccessDenied); its jobs stay as they were and are not judged this cycle.
  void refresh(Time now, const StateStore& store, CycleReport& report);
  // Every job rule over the view, through `recorder`; results and the view go into `report`.
  void evaluate(Time now, const StateStore& store, CycleRecorder& recorder, CycleReport& report, bool explain);
  // The changes to commit with this cycle's states.
  const JobViewUpdate& update() const { return update_; }
  // After the commit: the pass counts (or, when the commit failed, the view is read again next time).
  void committed(bool ok);
  // When every scope was last listed (committed); a reload hands it to the new watch so that a SIGHUP
  // does not list every account's jobs again before jobs.every has passed.
  std::optional<Time> last_list() const { return last_list_; }
  void resume_listing_after(std::optional<Time> last_list) { last_list_ = last_list; }

  // A job of the model named in `labels` (same account and region) still Submitted, Validating,
  // Scheduled, InProgress or Stopping; null when none.
  const JobSnapshot* active_job(const std::vector<Dimension>& labels) const;
  std::vector<JobSnapshot> finished_jobs(const std::vector<Dimension>& labels, std::optional<Time> drain_marker,
                                         Duration period, Time now) const override;

 private:
  void apply_listings(std::vector<JobListing> listings, Time now);
  void forget_states_of_removed_jobs();
  void warn_unknown_statuses(const JobScope& scope, const std::vector<JobSnapshot>& jobs);
  void report_list_failure(const JobScope& scope, const aws::Error& error);
  void evaluate_job(const config::Rule& rule, const StoredJob& job, Time now, const StateStore& store,
                    CycleRecorder& recorder, CycleReport& report, bool explain);
  void evaluate_concurrency(const config::Rule& rule, Time now, const StateStore& store, CycleRecorder& recorder,
                            CycleReport& report, bool explain);
  void show_stored(const config::Rule& rule, const std::vector<Dimension>& labels, const StateStore& store,
                   CycleReport& report) const;

  const config::Config& config_;
  JobSource* source_;
  Logger& log_;
  std::optional<TrackedJobs> view_;        // loaded from the store on the first cycle
  std::optional<Time> last_list_;      // the last pass every scope answered (and its commit held)
  std::optional<Time> pass_at_;        // a pass made this cycle, not committed yet
  std::set<JobScope> failed_;          // scopes whose list failed this cycle
  std::set<std::pair<std::string, std::string>> warned_;  // (job ARN, unknown status) already warned of
  JobViewUpdate update_;
};

}  // namespace bw::agent
