// The real JobSource: one account+region's Bedrock control plane (in a file of its own, so code that
// only converts jobs does not pull the Bedrock client in).
#include "agent/cycle/job_source.hpp"

namespace bw::agent {

std::vector<JobListing> BedrockJobSource::list_jobs(Time submitted_after) {
  aws::ListModelInvocationJobsRequest request;
  request.submit_time_after = submitted_after;
  auto listed = client_.list_model_invocation_jobs(request);
  std::vector<JobListing> out;
  if (!listed) {
    out.push_back({scope_, listed.error()});
    return out;
  }
  std::vector<JobSnapshot> jobs;
  jobs.reserve(listed->size());
  for (const auto& job : listed.value()) jobs.push_back(to_snapshot(job));
  out.push_back({scope_, std::move(jobs)});
  return out;
}

}  // namespace bw::agent
