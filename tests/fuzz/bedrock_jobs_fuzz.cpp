// Bedrock job answers (ListModelInvocationJobs pages, GetModelInvocationJob documents) through the scanner the
// client uses, checked against the DOM parse: when the scanner accepts a body, the body is JSON, a page's job
// count and nextToken are the DOM's, every job has its jobArn and no negative count. When it refuses, the
// error names the operation and is MalformedResponse.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/bedrock.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using bw::aws::ModelInvocationJob;
using bw::fuzz::property_failed;

void check_job(const ModelInvocationJob& j) {
  if (j.job_arn.empty()) property_failed("a job without jobArn was accepted");
  for (const auto& count : {j.total_record_count, j.processed_record_count, j.success_record_count,
                            j.error_record_count, j.timeout_duration_in_hours})
    if (count && *count < 0) property_failed("a negative count was accepted");
}

void check_refusal(const bw::aws::Error& e, const char* operation) {
  if (e.code != "MalformedResponse" || e.operation != operation || e.service != "bedrock")
    property_failed("a refusal that does not name bedrock " + std::string(operation) + ": " + e.describe());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = bw::fuzz::as_text(data, size);
  const auto dom = nlohmann::json::parse(body, nullptr, false);

  auto page = bw::aws::parse_model_invocation_job_page(body);
  if (!page) {
    check_refusal(page.error(), "ListModelInvocationJobs");
  } else {
    if (dom.is_discarded()) property_failed("a page that is not JSON was accepted");
    const auto& jobs = dom.at("invocationJobSummaries");
    if (!jobs.is_array() || jobs.size() != page->jobs.size()) property_failed("job count differs from the DOM");
    const auto token = dom.find("nextToken");
    const std::string expected = token != dom.end() && token->is_string() ? token->get<std::string>() : "";
    if (page->next_token != expected) property_failed("nextToken differs from the DOM");
    for (const auto& j : page->jobs) check_job(j);
  }

  auto job = bw::aws::parse_model_invocation_job(body);
  if (!job) {
    check_refusal(job.error(), "GetModelInvocationJob");
  } else {
    if (dom.is_discarded()) property_failed("a job document that is not JSON was accepted");
    check_job(job.value());
  }
  return 0;
}
