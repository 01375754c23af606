#pragma once
// Shared builders for the job rule tests: times as minutes after a fixed base, jobs by a few fields.
#include <string>
#include <vector>

#include "rules/jobs.hpp"

namespace bw::jobs_test {

inline const Time kBase = from_epoch(1'795'305'600);  // 2026-11-22T00:00:00Z
inline Time at_min(int minutes) { return kBase + Duration{60} * minutes; }

inline JobSnapshot job(std::string status, std::string name = "nightly-42") {
  JobSnapshot j;
  j.arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + name;
  j.name = std::move(name);
  j.model_id = "anthropic.claude-3-haiku";
  j.status = std::move(status);
  j.submit_time = at_min(0);
  j.last_modified_time = at_min(0);
  return j;
}

// "0:0 10:600 20:1200": minute:processed pairs, oldest first.
inline std::vector<JobProgress> progress(const std::string& text) {
  std::vector<JobProgress> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const auto token = text.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    const auto colon = token.find(':');
    out.push_back(JobProgress{at_min(std::stoi(token.substr(0, colon))), std::stoll(token.substr(colon + 1))});
  }
  return out;
}

}  // namespace bw::jobs_test
