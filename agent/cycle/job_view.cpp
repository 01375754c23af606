#include "agent/cycle/job_view.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace bw::agent {

void observe_progress(JobHistory& history, const JobSnapshot& job, Time now) {
  if (!job.processed) return;
  if (!history.progress.empty() && history.progress.back().processed == *job.processed) return;
  history.progress.push_back({now, *job.processed});
  if (history.progress.size() > kJobProgressPoints)
    history.progress.erase(history.progress.begin(),
                           history.progress.begin() + static_cast<std::ptrdiff_t>(history.progress.size() -
                                                                                   kJobProgressPoints));
}

void TrackedJobs::load(std::vector<StoredJob> stored) {
  jobs_.clear();
  for (auto& s : stored) {
    JobKey key{s.account, s.region, s.job.arn};
    jobs_.insert_or_assign(std::move(key), std::move(s));
  }
}

namespace {

bool same_snapshot(const JobSnapshot& a, const JobSnapshot& b) {
  return a.status == b.status && a.message == b.message && a.last_modified_time == b.last_modified_time &&
         a.end_time == b.end_time && a.expiration_time == b.expiration_time && a.total == b.total &&
         a.processed == b.processed && a.success == b.success && a.errors == b.errors &&
         a.output_s3_uri == b.output_s3_uri && a.name == b.name && a.model_id == b.model_id &&
         a.submit_time == b.submit_time;
}

}  // namespace

void TrackedJobs::apply(const JobScope& scope, std::vector<JobSnapshot> listed, Time now, JobViewUpdate& update) {
  std::set<std::string> seen;
  for (auto& job : listed) {
    seen.insert(job.arn);
    JobKey key{scope.account, scope.region, job.arn};
    auto it = jobs_.find(key);
    if (it == jobs_.end()) {
      StoredJob fresh{scope.account, scope.region, std::move(job), JobHistory{now, {}, false}};
      observe_progress(fresh.history, fresh.job, now);
      update.upserts.push_back(fresh);
      jobs_.emplace(std::move(key), std::move(fresh));
      continue;
    }
    auto& stored = it->second;
    const auto points = stored.history.progress.size();
    const bool changed = !same_snapshot(stored.job, job) || stored.history.vanished;
    stored.job = std::move(job);
    stored.history.vanished = false;
    observe_progress(stored.history, stored.job, now);
    if (changed || stored.history.progress.size() != points) update.upserts.push_back(stored);
  }
  for (auto& [key, stored] : jobs_) {
    if (key.account != scope.account || key.region != scope.region || seen.count(key.arn) || stored.history.vanished)
      continue;
    stored.history.vanished = true;
    update.upserts.push_back(stored);
  }
}

void TrackedJobs::prune(Time lookback_cutoff, Time retention_cutoff, JobViewUpdate& update) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const auto& [job, history] = std::tie(it->second.job, it->second.history);
    const Time submitted = job.submit_time.value_or(history.first_seen);
    const Time changed = std::max(job.last_modified_time.value_or(history.first_seen), history.first_seen);
    if (submitted >= lookback_cutoff && !(history.vanished && changed < retention_cutoff)) {
      ++it;
      continue;
    }
    update.removed.push_back(std::move(it->second));
    it = jobs_.erase(it);
  }
}

}  // namespace bw::agent
