#pragma once
// Where the job view comes from: Bedrock's ListModelInvocationJobs (the daemon), per account and
// region. Like MetricSource, a seam: tests use an in-memory source.
#include <memory>
#include <tuple>
#include <string>
#include <vector>

#include "aws/bedrock.hpp"
#include "aws/error.hpp"
#include "rules/jobs.hpp"

namespace bw::agent {

// One account and region the jobs are listed in. `account` is "" without aws.accounts (the labels
// then carry neither account nor region).
struct JobScope {
  std::string account;
  std::string region;
  bool operator<(const JobScope& o) const { return std::tie(account, region) < std::tie(o.account, o.region); }
  bool operator==(const JobScope& o) const = default;
};

// What one scope's list pass returned: every job (all pages), or why there is none. A failed scope
// leaves its jobs as they were; the others are still updated.
struct JobListing {
  JobScope scope;
  aws::Result<std::vector<JobSnapshot>> jobs;
};

class JobSource {
 public:
  virtual ~JobSource() = default;
  // Every job submitted after `submitted_after`, one listing per scope, in a fixed scope order.
  virtual std::vector<JobListing> list_jobs(Time submitted_after) = 0;
};

// The job as the rules see it (aws/ types stay out of rules/).
JobSnapshot to_snapshot(const aws::ModelInvocationJob& job);

// One account+region's Bedrock: every page of ListModelInvocationJobs.
class BedrockJobSource final : public JobSource {
 public:
  BedrockJobSource(aws::BedrockClient& client, JobScope scope) : client_(client), scope_(std::move(scope)) {}
  std::vector<JobListing> list_jobs(Time submitted_after) override;

 private:
  aws::BedrockClient& client_;
  JobScope scope_;
};

// aws.accounts: one source per account and region, asked in order; their listings concatenated.
class AccountsJobSource final : public JobSource {
 public:
  explicit AccountsJobSource(std::vector<std::unique_ptr<JobSource>> members) : members_(std::move(members)) {}
  std::vector<JobListing> list_jobs(Time submitted_after) override;

 private:
  std::vector<std::unique_ptr<JobSource>> members_;
};

}  // namespace bw::agent
