#pragma once
// An in-memory JobSource: the jobs Bedrock would list now (per scope), changed by the test between
// cycles; a listing can be made to fail; every call is recorded.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/cycle/job_source.hpp"

namespace bw::agent::testing {

class FakeJobSource final : public JobSource {
 public:
  std::vector<JobListing> list_jobs(Time submitted_after) override {
    calls.push_back(submitted_after);
    std::vector<JobListing> out;
    for (const auto& scope : scopes) {
      if (auto e = errors.find(scope); e != errors.end()) {
        out.push_back({scope, e->second});
        continue;
      }
      std::vector<JobSnapshot> listed;
      for (const auto& job : jobs[scope])
        if (!job.submit_time || *job.submit_time > submitted_after) listed.push_back(job);
      out.push_back({scope, std::move(listed)});
    }
    return out;
  }

  // The job named `name` of the single scope, added if absent.
  JobSnapshot& job(const std::string& name, const JobScope& scope = {}) {
    auto& list = jobs[scope];
    for (auto& j : list)
      if (j.name == name) return j;
    JobSnapshot j;
    j.name = name;
    j.arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + name;
    j.model_id = "m1";
    j.output_s3_uri = "s3://out/" + name + "/";
    list.push_back(j);
    return list.back();
  }

  std::vector<JobScope> scopes{JobScope{}};
  std::map<JobScope, std::vector<JobSnapshot>> jobs;
  std::map<JobScope, aws::Error> errors;
  std::vector<Time> calls;  // submitted_after of each call
};

}  // namespace bw::agent::testing
