// Evaluating every job rule for every tracked job, as the job watch does each `jobs.every`.
// Target (issue 11): all job rules for 1,000 jobs <= 1 ms.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "rules/jobs.hpp"

namespace {

const bw::Time kNow = bw::from_epoch(1'795'305'600 + 6 * 3600);

struct TrackedJob {
  bw::JobSnapshot snapshot;
  bw::JobHistory history;
};

// 1,000 jobs of a busy account: most running (with five progress points a minute apart), the rest
// queued or ended, across four models.
std::vector<TrackedJob> make_jobs(int n) {
  static const char* const statuses[] = {"InProgress", "InProgress", "InProgress", "InProgress", "Scheduled",
                                         "Scheduled",  "Submitted",  "Completed",  "Completed",  "Failed"};
  static const char* const models[] = {"anthropic.claude-3-haiku", "anthropic.claude-3-5-sonnet", "amazon.nova-lite",
                                       "meta.llama3-70b"};
  std::vector<TrackedJob> jobs(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& j = jobs[static_cast<std::size_t>(i)];
    j.snapshot.name = "nightly-" + std::to_string(i);
    j.snapshot.arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + j.snapshot.name;
    j.snapshot.model_id = models[i % 4];
    j.snapshot.status = statuses[i % 10];
    j.snapshot.message = j.snapshot.status == "Failed" ? "Input file is not valid JSONL" : "";
    j.snapshot.submit_time = kNow - bw::Duration{3 * 3600 + i};
    j.snapshot.last_modified_time = kNow - bw::Duration{2 * 3600};
    j.snapshot.expiration_time = kNow + bw::Duration{20 * 3600};
    j.snapshot.total = 50'000;
    const std::int64_t processed = j.snapshot.status == "InProgress" ? 20'000 + i : 0;
    j.snapshot.processed = processed;
    j.snapshot.errors = processed / 90;
    j.snapshot.success = processed - processed / 90;
    j.history.first_seen = kNow - bw::Duration{3 * 3600};
    if (processed > 0)
      for (int p = 4; p >= 0; --p)
        j.history.progress.push_back({kNow - bw::Duration{60 * p}, processed - 300 * p});
  }
  return jobs;
}

// The five kinds with INTERFACE.md's settings (job_expiry narrowed by a filter), the engine's way:
// Explain::No, reasons written only for a change.
void BM_EvaluateJobRules1000Jobs(benchmark::State& state) {
  const auto jobs = make_jobs(1000);
  const bw::JobStatusSpec status;
  const bw::JobStuckSpec stuck;
  const bw::JobErrorsSpec errors;
  const bw::JobExpirySpec expiry;
  bw::JobConcurrencySpec concurrency;
  concurrency.above = 18;
  const bw::JobFilter all, nightly_anthropic{"anthropic.*", "nightly-*"};
  const auto explain = state.range(0) ? bw::Explain::Yes : bw::Explain::No;
  std::vector<const bw::JobSnapshot*> listed;
  listed.reserve(jobs.size());
  int alarms = 0;
  for (auto _ : state) {
    alarms = 0;
    listed.clear();
    for (const auto& j : jobs) {
      if (!all.matches(j.snapshot)) continue;
      listed.push_back(&j.snapshot);
      const auto s = bw::evaluate_job_status(status, j.snapshot, j.history, bw::Duration{3 * 3600}, kNow, explain);
      const auto k = bw::evaluate_job_stuck(stuck, j.snapshot, j.history, kNow, explain);
      const auto e = bw::evaluate_job_errors(errors, j.snapshot, explain);
      alarms += (s.evaluation.state == bw::AlarmState::Alarm) + (k.state == bw::AlarmState::Alarm) +
                (e.state == bw::AlarmState::Alarm);
      if (nightly_anthropic.matches(j.snapshot)) {
        const auto x = bw::evaluate_job_expiry(expiry, j.snapshot, j.history, kNow, explain);
        alarms += x.state == bw::AlarmState::Alarm;
      }
    }
    const auto c = bw::evaluate_job_concurrency(concurrency, listed, explain);
    alarms += c.state == bw::AlarmState::Alarm;
    benchmark::DoNotOptimize(alarms);
  }
  state.counters["jobs"] = static_cast<double>(jobs.size());
  state.counters["alarms"] = alarms;
}
BENCHMARK(BM_EvaluateJobRules1000Jobs)->ArgName("explain")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
