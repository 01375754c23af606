#pragma once
// The job view: every Bedrock batch job the agent tracks, per account and region, with what it
// observed of each (first seen, a bounded tail of progress points, vanished). Pure: lists and the
// time come in, the changed rows (to commit with the cycle's states) go out.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "agent/cycle/job_source.hpp"
#include "agent/state/state_store.hpp"

namespace bw::agent {

// Progress points kept per job: enough for the rate estimate of job_expiry (which looks at the
// newest ones), bounded so a week-long job does not grow its row every minute.
inline constexpr std::size_t kJobProgressPoints = 32;

struct JobKey {
  std::string account;
  std::string region;
  std::string arn;
  bool operator<(const JobKey& o) const {
    return std::tie(account, region, arn) < std::tie(o.account, o.region, o.arn);
  }
};

class TrackedJobs {
 public:
  // The view as the state file holds it (a new engine, or a restart).
  void load(std::vector<StoredJob> stored);
  // One scope's complete list at `now`: a new job is first seen now, a job whose processed count
  // changed gets a progress point, and a job of the scope missing from the list is marked vanished
  // (kept, so its states and history stay). Every changed row is added to `update`.
  void apply(const JobScope& scope, std::vector<JobSnapshot> listed, Time now, JobViewUpdate& update);
  // Forgets jobs submitted (or, lacking that, first seen) before `lookback_cutoff` (no longer
  // listed), and vanished jobs last changed before `retention_cutoff` (state.retention).
  void prune(Time lookback_cutoff, Time retention_cutoff, JobViewUpdate& update);

  const std::map<JobKey, StoredJob>& jobs() const { return jobs_; }
  bool empty() const { return jobs_.empty(); }

 private:
  std::map<JobKey, StoredJob> jobs_;
};

// The history after one more observation of `job` at `now` (a point only when the count moved).
void observe_progress(JobHistory& history, const JobSnapshot& job, Time now);

}  // namespace bw::agent
