#pragma once
// The Bedrock control plane's batch inference jobs: ListModelInvocationJobs and GetModelInvocationJob
// over rest-json (GET, signing name "bedrock"). Shapes: botocore's `bedrock` service model.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/service.hpp"

namespace bw::aws {

// One ModelInvocationJobSummary (or the same fields of a GetModelInvocationJob answer). Times are
// whole seconds (Bedrock sends ISO 8601, with or without fractional seconds); a field Bedrock left
// out is nullopt (the counts are absent until the job has started, endTime until it ended).
struct ModelInvocationJob {
  std::string job_arn;
  std::string job_name;
  std::string model_id;
  std::string status;  // as Bedrock spells it: Submitted, InProgress, Completed, ... (unknown ones kept)
  std::string message;
  std::optional<Time> submit_time;
  std::optional<Time> last_modified_time;
  std::optional<Time> end_time;
  std::optional<Time> job_expiration_time;
  std::optional<std::int64_t> timeout_duration_in_hours;
  std::string output_s3_uri;  // outputDataConfig.s3OutputDataConfig.s3Uri
  std::optional<std::int64_t> total_record_count;
  std::optional<std::int64_t> processed_record_count;
  std::optional<std::int64_t> success_record_count;
  std::optional<std::int64_t> error_record_count;
};

struct ListModelInvocationJobsRequest {
  std::optional<Time> submit_time_after;
  std::string status_equals;   // "" = every status
  int max_results = 1000;      // per page (Bedrock's limit: 1000)
};

struct ModelInvocationJobPage {
  std::vector<ModelInvocationJob> jobs;
  std::string next_token;  // "" on the last page
};

// Pure: the query string (sorted, encoded) of one page's request, and one page's JSON body parsed.
// A body that is not JSON, lacks invocationJobSummaries or has a field of the wrong type is an Error
// naming the operation and the field.
std::string list_model_invocation_jobs_query(const ListModelInvocationJobsRequest& request,
                                             std::string_view next_token);
Result<ModelInvocationJobPage> parse_model_invocation_job_page(std::string_view body);
Result<ModelInvocationJob> parse_model_invocation_job(std::string_view body);

// The IAM action an AccessDenied answer to a Bedrock call names ("bedrock:ListModelInvocationJobs"), so the
// agent can say which permission is missing; "" for any other error.
std::string denied_action(const Error& error);

class BedrockClient {
 public:
  explicit BedrockClient(ServiceClient& client) : client_(client) {}
  // Every page, followed through nextToken.
  Result<std::vector<ModelInvocationJob>> list_model_invocation_jobs(const ListModelInvocationJobsRequest& request);
  // jobIdentifier: the job's ARN (or its name).
  Result<ModelInvocationJob> get_model_invocation_job(std::string_view job_identifier);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
