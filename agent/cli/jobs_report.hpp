#pragma once
// What `batchwatch jobs` prints, from the jobs it listed: pure, so the table and the JSON lines are
// tested without Bedrock.
#include <optional>
#include <string>
#include <vector>

#include "agent/cycle/job_source.hpp"
#include "rules/jobs.hpp"

namespace bw::agent {

struct JobRow {
  JobScope scope;  // account and region; "" without aws.accounts
  JobSnapshot job;
  std::optional<Time> eta;  // project_job_finish: nullopt when ended or not projectable
};

// Newest submitted first (then by name), as the table and the JSON lines list them.
void sort_job_rows(std::vector<JobRow>& rows);

// A table: job, model, status, progress (processed / total and %), errors, submitted, ETA or end,
// output location; with an account/region column when any row has one. "no jobs ..." when empty.
std::string jobs_table(const std::vector<JobRow>& rows, Time now);

// One JSON object: Bedrock's field names (as in notifications' batchwatch.job), "eta" (RFC 3339 or
// null), and "account"/"region" when set.
std::string job_json_line(const JobRow& row);

}  // namespace bw::agent
