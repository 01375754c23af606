#pragma once
// The Bedrock batch job rule kinds (INTERFACE.md, "Bedrock batch jobs"). Pure like every kind: a job
// snapshot, what the agent observed of it before, and `now` in; state, value and reason out.
// Instances: one per job (labels jobName, modelId), job_concurrency one per account+region.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/alarm.hpp"
#include "rules/time.hpp"

namespace bw {

// One job as the agent last saw it (Bedrock's ModelInvocationJobSummary, without the aws/ types).
struct JobSnapshot {
  std::string arn;
  std::string name;
  std::string model_id;
  std::string status;  // Bedrock's spelling; an unknown status is kept as sent
  std::string message;
  std::string output_s3_uri;
  std::optional<Time> submit_time;
  std::optional<Time> last_modified_time;
  std::optional<Time> end_time;
  std::optional<Time> expiration_time;  // jobExpirationTime
  std::optional<std::int64_t> total;    // totalRecordCount
  std::optional<std::int64_t> processed;
  std::optional<std::int64_t> success;
  std::optional<std::int64_t> errors;
};

// processedRecordCount as observed at one poll.
struct JobProgress {
  Time observed{};
  std::int64_t processed = 0;
};

// What the agent remembers of a job between polls (persisted in the state file).
struct JobHistory {
  Time first_seen{};               // the first poll that listed it
  std::vector<JobProgress> progress;  // oldest first; the agent keeps a bounded tail
  bool vanished = false;           // listed before, missing from the latest complete list
};

// Completed Failed Stopped Expired PartiallyCompleted.
bool is_terminal_job_status(std::string_view status);
// Submitted Validating Scheduled InProgress Stopping: work that may still land on the model.
bool is_active_job_status(std::string_view status);
// Every status Bedrock documents (the two lists above); false means "warn, do not crash".
bool is_known_job_status(std::string_view status);

// Every documented status, active ones first (for messages that list the valid names).
std::vector<std::string_view> known_job_statuses();

// When the job ended: endTime, else lastModifiedTime of a job in a terminal status; nullopt while active.
std::optional<Time> job_end(const JobSnapshot& job);

// The processing rate the estimator uses (docs/rules.md, "Job rules"): between the oldest and the newest
// progress point within kJobRateWindow (counts that went backwards cut the run: never a negative rate);
// `observed` false when it is the single-observation fallback, processed / (observed − processing start).
// A zero rate means no progress over a whole window (a stall).
inline constexpr Duration kJobRateWindow{3600};
struct JobRate {
  double per_second = 0;
  Time from{};
  Time to{};
  bool observed = true;
};
std::optional<JobRate> job_processing_rate(const JobSnapshot& job, const JobHistory& history, Time now);

// When the job will have processed all its records at the rate the agent observed; nullopt when it
// cannot be told (ended, no total, no progress seen yet). Documented in docs/rules.md.
std::optional<Time> project_job_finish(const JobSnapshot& job, const JobHistory& history, Time now);

// `jobs: {model: "*", name: "*"}` on any job rule: globs (`*`, `?`) on modelId and jobName.
struct JobFilter {
  std::string model = "*";
  std::string name = "*";
  bool matches(const JobSnapshot& job) const;
};

struct JobStatusSpec {
  std::vector<std::string> statuses{"Failed", "Stopped", "Expired", "PartiallyCompleted"};
};
struct JobStuckSpec {
  std::vector<std::string> statuses{"Submitted", "Validating", "Scheduled"};
  Duration for_{7200};
};
struct JobErrorsSpec {
  double above = 0.01;  // fraction: `above: 1%`
  std::int64_t min_processed = 100;
};
struct JobExpirySpec {
  Duration margin{3600};
};
struct JobConcurrencySpec {
  std::vector<std::string> statuses{"Submitted", "Validating", "Scheduled", "InProgress"};
  double above = 0;
};

// Per job. `catch_up` is poll.catch_up: a job that ended more than that before the agent first saw it
// is judged as usual but `quiet` (no flood of old failures on a first start).
struct JobVerdict {
  Evaluation evaluation;
  bool quiet = false;  // record the state, owe no notification (an old job seen on first start)
};
JobVerdict evaluate_job_status(const JobStatusSpec& spec, const JobSnapshot& job, const JobHistory& history,
                               Duration catch_up, Time now, Explain explain);
Evaluation evaluate_job_stuck(const JobStuckSpec& spec, const JobSnapshot& job, Time now, Explain explain);
// The same, INSUFFICIENT_DATA for a vanished job (a condition no longer observed must not keep alarming).
Evaluation evaluate_job_stuck(const JobStuckSpec& spec, const JobSnapshot& job, const JobHistory& history, Time now,
                              Explain explain);
Evaluation evaluate_job_errors(const JobErrorsSpec& spec, const JobSnapshot& job, Explain explain);
Evaluation evaluate_job_expiry(const JobExpirySpec& spec, const JobSnapshot& job, const JobHistory& history, Time now,
                               Explain explain);
// One account+region: the listed jobs the rule's filter kept (a vanished job is not passed: it no
// longer takes a slot of the quota, as far as anyone can tell).
Evaluation evaluate_job_concurrency(const JobConcurrencySpec& spec, const std::vector<const JobSnapshot*>& jobs,
                                    Explain explain);

}  // namespace bw
