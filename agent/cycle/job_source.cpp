#include "agent/cycle/job_source.hpp"

namespace bw::agent {

JobSnapshot to_snapshot(const aws::ModelInvocationJob& job) {
  JobSnapshot s;
  s.arn = job.job_arn;
  s.name = job.job_name;
  s.model_id = job.model_id;
  s.status = job.status;
  s.message = job.message;
  s.output_s3_uri = job.output_s3_uri;
  s.submit_time = job.submit_time;
  s.last_modified_time = job.last_modified_time;
  s.end_time = job.end_time;
  s.expiration_time = job.job_expiration_time;
  s.total = job.total_record_count;
  s.processed = job.processed_record_count;
  s.success = job.success_record_count;
  s.errors = job.error_record_count;
  return s;
}

std::vector<JobListing> AccountsJobSource::list_jobs(Time submitted_after) {
  std::vector<JobListing> out;
  for (const auto& member : members_)
    for (auto& listing : member->list_jobs(submitted_after)) out.push_back(std::move(listing));
  return out;
}

}  // namespace bw::agent
