#include "agent/cycle/job_watch.hpp"

#include <algorithm>
#include <type_traits>

namespace bw::agent {
namespace {

std::string label_value(const std::vector<Dimension>& labels, std::string_view name) {
  for (const auto& d : labels)
    if (d.name == name) return d.value;
  return "";
}

// The scope a series of a metric rule belongs to: its account and region labels (aws.accounts), or
// the one scope of a single account.
JobScope scope_of(const std::vector<Dimension>& labels) {
  const auto account = label_value(labels, config::kAccountDimension);
  if (account.empty()) return {};
  return {account, label_value(labels, config::kRegionDimension)};
}

Time ended_at(const JobSnapshot& job) {
  return job.end_time.value_or(job.last_modified_time.value_or(job.submit_time.value_or(Time{})));
}

}  // namespace

// The job's own latest time: the same on every replica that lists it, and it moves when the job changes
// status (a job stuck again in its next status is a new event). A job without times is keyed by the minute.
Time job_event_time(const JobSnapshot& job, Time now) {
  if (job.last_modified_time) return *job.last_modified_time;
  if (job.end_time) return *job.end_time;
  return job.submit_time.value_or(std::chrono::floor<std::chrono::minutes>(now));
}

namespace {

// One job under one per-job rule kind.
JobVerdict judge_job(const config::Rule& rule, const StoredJob& job, Duration catch_up, Time now, Explain explain) {
  return std::visit(
      [&](const auto& spec) -> JobVerdict {
        using S = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<S, JobStatusSpec>) {
          return evaluate_job_status(spec, job.job, job.history, catch_up, now, explain);
        } else if constexpr (std::is_same_v<S, JobStuckSpec>) {
          return {evaluate_job_stuck(spec, job.job, job.history, now, explain)};  // knows a vanished job
        } else if constexpr (std::is_same_v<S, JobErrorsSpec>) {
          return {evaluate_job_errors(spec, job.job, explain)};
        } else if constexpr (std::is_same_v<S, JobExpirySpec>) {
          return {evaluate_job_expiry(spec, job.job, job.history, now, explain)};
        } else {
          return {};  // not a per-job kind (job_concurrency is judged per account and region)
        }
      },
      rule.spec);
}

bool is_access_denied(const aws::Error& error) {
  return error.code.starts_with("AccessDenied") || error.code == "UnauthorizedOperation";
}

}  // namespace

std::vector<Dimension> job_labels(const JobScope& scope, const JobSnapshot& job) {
  if (scope.account.empty()) return {{"jobName", job.name}, {"modelId", job.model_id}};
  return {{config::kAccountDimension, scope.account},
          {"jobName", job.name},
          {"modelId", job.model_id},
          {config::kRegionDimension, scope.region}};
}

bool JobWatch::enabled() const { return config_.jobs.enabled; }

void JobWatch::refresh(Time now, const StateStore& store, CycleReport& report) {
  update_ = {};
  failed_.clear();
  pass_at_.reset();
  if (!enabled()) return;
  if (!view_) {
    view_.emplace();
    view_->load(store.jobs());
  }
  if (source_ && (!last_list_ || now - *last_list_ >= config_.jobs.every || now < *last_list_)) {
    auto listings = source_->list_jobs(now - config_.jobs.lookback);
    report.job_lists += listings.size();
    apply_listings(std::move(listings), now);
    if (failed_.empty()) pass_at_ = now;
  }
  view_->prune(now - config_.jobs.lookback, now - config_.state_retention, update_);
  forget_states_of_removed_jobs();
}

// The job rules' states of each job that just left the view go with it in the same commit; a series
// a job still in the view also has (the same name and model) keeps its state.
void JobWatch::forget_states_of_removed_jobs() {
  if (update_.removed.empty()) return;
  std::set<std::string> kept;
  for (const auto& [key, job] : view_->jobs()) kept.insert(labels_text(job_labels({job.account, job.region}, job.job)));
  for (const auto& job : update_.removed) {
    auto series = labels_text(job_labels({job.account, job.region}, job.job));
    if (kept.count(series)) continue;
    for (const auto& rule : config_.rules)
      if (rule.is_job_rule() && !std::holds_alternative<JobConcurrencySpec>(rule.spec))
        update_.removed_states.emplace_back(rule.name, series);
  }
}

void JobWatch::apply_listings(std::vector<JobListing> listings, Time now) {
  for (auto& listing : listings) {
    if (!listing.jobs) {
      failed_.insert(listing.scope);
      report_list_failure(listing.scope, listing.jobs.error());
      continue;
    }
    warn_unknown_statuses(listing.scope, listing.jobs.value());
    view_->apply(listing.scope, std::move(listing.jobs).value(), now, update_);
  }
}

void JobWatch::warn_unknown_statuses(const JobScope& scope, const std::vector<JobSnapshot>& jobs) {
  for (const auto& job : jobs) {
    if (is_known_job_status(job.status) || !warned_.insert({job.arn, job.status}).second) continue;
    constexpr auto kWhat = "Bedrock job in a status batchwatch does not know; job rules judge it as neither running "
                           "nor ended";
    if (scope.account.empty())
      log_.warn(kWhat, {{"job", job.name}, {"arn", job.arn}, {"status", job.status}});
    else
      log_.warn(kWhat, {{"job", job.name}, {"arn", job.arn}, {"status", job.status}, {"account", scope.account},
                        {"region", scope.region}});
  }
}

void JobWatch::report_list_failure(const JobScope& scope, const aws::Error& error) {
  const std::string where = scope.account.empty() ? "" : " in account " + scope.account + " " + scope.region;
  if (is_access_denied(error)) {
    log_.error("job watch: access denied" + where +
                   ": the credentials lack the IAM action bedrock:ListModelInvocationJobs (job rules keep their "
                   "states; metric rules are unaffected)",
               {{"operation", "ListModelInvocationJobs"}, {"error", error.describe()}});
    return;
  }
  log_.error("job watch: ListModelInvocationJobs failed" + where + ": " + error.describe() +
                 " (job rules keep their states until a list succeeds; metric rules are unaffected)",
             {{"operation", "ListModelInvocationJobs"}});
}

void JobWatch::evaluate(Time now, const StateStore& store, CycleRecorder& recorder, CycleReport& report,
                        bool explain) {
  if (!enabled() || !view_) return;
  for (const auto& rule : config_.rules) {
    if (!rule.is_job_rule()) continue;
    if (std::holds_alternative<JobConcurrencySpec>(rule.spec)) {
      evaluate_concurrency(rule, now, store, recorder, report, explain);
      continue;
    }
    for (const auto& [key, job] : view_->jobs()) {
      if (!rule.jobs.matches(job.job)) continue;
      if (failed_.count(JobScope{job.account, job.region})) {
        show_stored(rule, job_labels({job.account, job.region}, job.job), store, report);
        continue;
      }
      evaluate_job(rule, job, now, store, recorder, report, explain);
    }
  }
  report.jobs.clear();
  report.jobs.reserve(view_->jobs().size());
  for (const auto& [key, job] : view_->jobs()) report.jobs.push_back(job);
}

void JobWatch::evaluate_job(const config::Rule& rule, const StoredJob& job, Time now, const StateStore& store,
                            CycleRecorder& recorder, CycleReport& report, bool explain) {
  const auto labels = job_labels({job.account, job.region}, job.job);
  const auto prev = store.get(rule.name, labels_text(labels));
  StoredState cur = prev.value_or(StoredState{});
  // The reason is written only where someone reads it, as for metric rules (Engine::evaluate_steps).
  auto verdict = judge_job(rule, job, config_.poll.catch_up, now, Explain::No);
  const auto state = verdict.evaluation.state;
  if (!prev || state != cur.state || repeat_due(rule, cur, state, now) || explain)
    verdict = judge_job(rule, job, config_.poll.catch_up, now, Explain::Yes);
  InstanceResult res{&rule, share_labels(labels), cur.state, verdict.evaluation};
  if (!recorder.record(rule, labels, cur, prev.has_value(), verdict.evaluation, job_event_time(job.job, now), now, res,
                       {&job.job, verdict.quiet}))
    recorder.checkpoint(cur, prev->evaluated_at);
  res.reason = report.keep_text(verdict.evaluation.reason.empty() ? cur.reason : verdict.evaluation.reason);
  res.since = cur.changed_at;
  report.results.push_back(std::move(res));
}

void JobWatch::evaluate_concurrency(const config::Rule& rule, Time now, const StateStore& store,
                                    CycleRecorder& recorder, CycleReport& report, bool explain) {
  const auto& spec = std::get<JobConcurrencySpec>(rule.spec);
  std::map<JobScope, std::vector<const JobSnapshot*>> by_scope;
  if (config_.aws.accounts.empty()) by_scope[JobScope{}];  // one instance even before any job is seen
  for (const auto& [key, job] : view_->jobs()) {
    auto& jobs = by_scope[JobScope{job.account, job.region}];
    if (!job.history.vanished && rule.jobs.matches(job.job)) jobs.push_back(&job.job);
  }
  for (const auto& [scope, jobs] : by_scope) {
    std::vector<Dimension> labels;
    if (!scope.account.empty())
      labels = {{config::kAccountDimension, scope.account}, {config::kRegionDimension, scope.region}};
    if (failed_.count(scope)) {
      show_stored(rule, labels, store, report);
      continue;
    }
    const auto prev = store.get(rule.name, labels_text(labels));
    StoredState cur = prev.value_or(StoredState{});
    auto eval = evaluate_job_concurrency(spec, jobs, Explain::No);
    if (!prev || eval.state != cur.state || repeat_due(rule, cur, eval.state, now) || explain)
      eval = evaluate_job_concurrency(spec, jobs, Explain::Yes);
    InstanceResult res{&rule, share_labels(labels), cur.state, eval};
    // The newest change among the scope's jobs: a job starting or ending is what moves the count.
    Time event = std::chrono::floor<std::chrono::minutes>(now);
    if (!jobs.empty()) {
      event = Time{};
      for (const auto* job : jobs) event = std::max(event, job_event_time(*job, now));
    }
    if (!recorder.record(rule, labels, cur, prev.has_value(), eval, event, now, res))
      recorder.checkpoint(cur, prev->evaluated_at);
    res.reason = report.keep_text(eval.reason.empty() ? cur.reason : eval.reason);
    res.since = cur.changed_at;
    report.results.push_back(std::move(res));
  }
}

// A (rule, series) not judged this cycle (its scope's list failed): shown as stored, if it ever was.
void JobWatch::show_stored(const config::Rule& rule, const std::vector<Dimension>& labels, const StateStore& store,
                           CycleReport& report) const {
  const auto prev = store.get(rule.name, labels_text(labels));
  if (!prev) return;
  InstanceResult res{&rule, share_labels(labels), prev->state,
                     {prev->state, prev->value, {}, std::nullopt, prev->marker}, false};
  res.reason = report.keep_text(prev->reason);
  res.since = prev->changed_at;
  report.results.push_back(std::move(res));
}

void JobWatch::committed(bool ok) {
  if (ok && pass_at_) last_list_ = pass_at_;
  if (!ok) view_.reset();  // what was not written is read back, and listed again, next cycle
  update_ = {};
  pass_at_.reset();
}

const JobSnapshot* JobWatch::active_job(const std::vector<Dimension>& labels) const {
  if (!view_) return nullptr;
  const auto scope = scope_of(labels);
  const auto model = label_value(labels, "modelId");
  for (const auto& [key, job] : view_->jobs())
    if (key.account == scope.account && key.region == scope.region && job.job.model_id == model &&
        !job.history.vanished && is_active_job_status(job.job.status))
      return &job.job;
  return nullptr;
}

std::vector<JobSnapshot> JobWatch::finished_jobs(const std::vector<Dimension>& labels,
                                                 std::optional<Time> drain_marker, Duration period, Time now) const {
  std::vector<JobSnapshot> out;
  if (!view_) return out;
  const auto scope = scope_of(labels);
  const auto model = label_value(labels, "modelId");
  // The backlog was last above zero in the period before the drain's first zero period.
  const Time lookback = now - config_.jobs.lookback;
  const Time since = drain_marker ? std::max(*drain_marker - period, lookback) : lookback;
  for (const auto& [key, job] : view_->jobs())
    if (key.account == scope.account && key.region == scope.region && job.job.model_id == model &&
        is_terminal_job_status(job.job.status) && ended_at(job.job) >= since)
      out.push_back(job.job);
  std::stable_sort(out.begin(), out.end(),
                   [](const JobSnapshot& a, const JobSnapshot& b) { return ended_at(a) < ended_at(b); });
  return out;
}

}  // namespace bw::agent
