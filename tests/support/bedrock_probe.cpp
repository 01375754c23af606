// Test-only: drives aws::BedrockClient exactly as the agent builds it from an agent file (region, endpoints,
// credentials chain, retries), so integration tests can check the client against the stand-in and botocore.
//
//   bw_bedrock_probe AGENT_FILE list [STATUS [SUBMITTED_AFTER_EPOCH]]   every page, one JSON job a line
//   bw_bedrock_probe AGENT_FILE get JOB_IDENTIFIER                      one JSON job
//
// Errors: Error::describe() on stderr (and "missing permission: ACTION" for AccessDenied), exit 2.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/cli/aws_setup.hpp"
#include "agent/clock.hpp"
#include "config/config.hpp"

namespace {

using bw::aws::ModelInvocationJob;

nlohmann::json optional_json(const auto& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, bw::aws::Time>) return v->time_since_epoch().count();
  else return *v;
}

nlohmann::json job_json(const ModelInvocationJob& j) {
  return {{"jobArn", j.job_arn},
          {"jobName", j.job_name},
          {"modelId", j.model_id},
          {"status", j.status},
          {"message", j.message},
          {"submitTime", optional_json(j.submit_time)},
          {"lastModifiedTime", optional_json(j.last_modified_time)},
          {"endTime", optional_json(j.end_time)},
          {"jobExpirationTime", optional_json(j.job_expiration_time)},
          {"timeoutDurationInHours", optional_json(j.timeout_duration_in_hours)},
          {"outputS3Uri", j.output_s3_uri},
          {"totalRecordCount", optional_json(j.total_record_count)},
          {"processedRecordCount", optional_json(j.processed_record_count)},
          {"successRecordCount", optional_json(j.success_record_count)},
          {"errorRecordCount", optional_json(j.error_record_count)}};
}

int fail(const bw::aws::Error& e) {
  std::fprintf(stderr, "%s\n", e.describe().c_str());
  if (auto action = bw::aws::denied_action(e); !action.empty())
    std::fprintf(stderr, "missing permission: %s\n", action.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::string(argv[2]) == "get" && argc != 4)) {
    std::fprintf(stderr, "usage: %s AGENT_FILE list [STATUS [EPOCH]] | get ID\n", argv[0]);
    return 64;
  }
  auto loaded = bw::config::load(argv[1]);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  bw::agent::SystemClock clock;
  std::string error;
  auto stack = bw::agent::make_aws_stack(loaded.config->aws, clock, nullptr, error);
  if (!stack) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  if (std::string(argv[2]) == "get") {
    auto job = stack->bedrock_client->get_model_invocation_job(argv[3]);
    if (!job) return fail(job.error());
    std::printf("%s\n", job_json(job.value()).dump().c_str());
    return 0;
  }
  bw::aws::ListModelInvocationJobsRequest request;
  if (argc > 3) request.status_equals = argv[3];
  if (argc > 4) request.submit_time_after = bw::aws::Time{std::chrono::seconds{std::atoll(argv[4])}};
  auto jobs = stack->bedrock_client->list_model_invocation_jobs(request);
  if (!jobs) return fail(jobs.error());
  for (const auto& j : jobs.value()) std::printf("%s\n", job_json(j).dump().c_str());
  return 0;
}
