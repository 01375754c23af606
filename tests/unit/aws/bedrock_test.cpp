// BedrockClient over rest-json against a scripted transport: the GETs it sends (query, paging, the ARN as one
// path segment and its signature), retries on throttling, and errors carrying code and message.
#include "aws/bedrock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fake_transport.hpp"
#include "tests/support/bedrock_pages.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kEndpoint = "http://localhost:5000";
constexpr const char* kJobArn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl";

// 2026-11-19T06:00:00Z
constexpr std::int64_t kSubmittedAfter = 1795068000;

std::string query_of(const HttpRequest& r) { return split_url(r.url).query; }

TEST(ListModelInvocationJobsQuery, SortedEncodedAndOnlyWhatIsSet) {
  ListModelInvocationJobsRequest request;
  EXPECT_EQ(list_model_invocation_jobs_query(request, ""), "maxResults=1000");
  request.submit_time_after = fake::at(kSubmittedAfter);
  request.status_equals = "InProgress";
  request.max_results = 10;
  EXPECT_EQ(list_model_invocation_jobs_query(request, "a+b/c="),
            "maxResults=10&nextToken=a%2Bb%2Fc%3D&statusEquals=InProgress&submitTimeAfter=2026-11-19T06%3A00%3A00Z");
  request.max_results = 5000;  // Bedrock's range is 1..1000
  EXPECT_THAT(list_model_invocation_jobs_query(request, ""), ::testing::StartsWith("maxResults=1000&"));
}

TEST(BedrockList, FollowsNextTokenThroughEveryPage) {
  Harness h;
  h.transport.respond(200, test::bedrock_job_page_json(0, 2, "page-2 token"))
      .respond(200, test::bedrock_job_page_json(2, 2, "page3"))
      .respond(200, test::bedrock_job_page_json(4, 1));
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  ListModelInvocationJobsRequest request;
  request.submit_time_after = fake::at(kSubmittedAfter);
  auto jobs = bedrock.list_model_invocation_jobs(request);
  ASSERT_TRUE(jobs.ok()) << jobs.error().describe();
  ASSERT_EQ(jobs->size(), 5u);
  EXPECT_EQ(jobs->at(0).job_name, "nightly-0");
  EXPECT_EQ(jobs->at(4).job_name, "nightly-4");

  ASSERT_EQ(h.transport.requests.size(), 3u);
  for (const auto& r : h.transport.requests) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(split_url(r.url).path, "/model-invocation-jobs");
    EXPECT_TRUE(r.body.empty());
    EXPECT_THAT(std::string(find_header(r.headers, "Authorization")), HasSubstr("/us-east-1/bedrock/aws4_request"));
  }
  const std::string after = "submitTimeAfter=2026-11-19T06%3A00%3A00Z";
  EXPECT_EQ(query_of(h.transport.requests[0]), "maxResults=1000&" + after);
  EXPECT_EQ(query_of(h.transport.requests[1]), "maxResults=1000&nextToken=page-2%20token&" + after);
  EXPECT_EQ(query_of(h.transport.requests[2]), "maxResults=1000&nextToken=page3&" + after);
}

TEST(BedrockList, AnEndpointWithATrailingSlashOrAPathKeepsIt) {
  Harness h;
  h.transport.respond(200, R"({"invocationJobSummaries":[]})");
  auto service = h.client("bedrock", "http://localhost:4566/bedrock/");
  BedrockClient bedrock(service);
  ASSERT_TRUE(bedrock.list_model_invocation_jobs({}).ok());
  EXPECT_EQ(h.transport.requests.at(0).url, "http://localhost:4566/bedrock/model-invocation-jobs?maxResults=1000");
}

TEST(BedrockList, ARepeatedNextTokenIsAnErrorNotAnEndlessLoop) {
  Harness h;
  h.transport.respond(200, test::bedrock_job_page_json(0, 1, "same"))
      .respond(200, test::bedrock_job_page_json(1, 1, "same"));
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto jobs = bedrock.list_model_invocation_jobs({});
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().code, "MalformedResponse");
  EXPECT_THAT(jobs.error().message, HasSubstr("nextToken repeated"));
  EXPECT_EQ(h.transport.requests.size(), 2u);
}

TEST(BedrockList, AMalformedPageIsAnErrorNamingTheOperationAndField) {
  Harness h;
  h.transport.respond(200, test::bedrock_job_page_json(0, 1, "next"))
      .respond(200, R"({"invocationJobSummaries":[{"jobArn":"a","totalRecordCount":"12"}]})");
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto jobs = bedrock.list_model_invocation_jobs({});
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().describe(),
            "bedrock ListModelInvocationJobs: MalformedResponse: invocationJobSummaries[0].totalRecordCount: "
            "expected a non-negative integer");
}

TEST(BedrockList, ThrottlingIsRetriedAfterTheBackoff) {
  Harness h;
  h.transport
      .respond(429, R"({"message":"Too many requests, please wait before trying again."})",
               {{"x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}})
      .respond(200, test::bedrock_job_page_json(0, 3));
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto jobs = bedrock.list_model_invocation_jobs({});
  ASSERT_TRUE(jobs.ok()) << jobs.error().describe();
  EXPECT_EQ(jobs->size(), 3u);
  EXPECT_EQ(h.transport.requests.size(), 2u);
  EXPECT_THAT(h.observer.responses, ElementsAre("bedrock ListModelInvocationJobs ThrottlingException",
                                                "bedrock ListModelInvocationJobs 200"));
  EXPECT_THAT(h.observer.retries, ElementsAre("bedrock ListModelInvocationJobs"));
  EXPECT_THAT(h.sleeps, ElementsAre(std::chrono::milliseconds(250)));  // jitter 0.25 x base 1 s
}

TEST(BedrockList, AccessDeniedIsAnErrorWithCodeMessageAndTheMissingAction) {
  Harness h;
  h.transport.respond(403,
                      R"({"message":"User: arn:aws:iam::123456789012:user/bw is not authorized to perform: )"
                      R"(bedrock:ListModelInvocationJobs"})",
                      {{"x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/"}});
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto jobs = bedrock.list_model_invocation_jobs({});
  ASSERT_FALSE(jobs.ok());
  const Error& e = jobs.error();
  EXPECT_EQ(e.code, "AccessDeniedException");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_THAT(e.message, HasSubstr("is not authorized to perform: bedrock:ListModelInvocationJobs"));
  EXPECT_EQ(denied_action(e), "bedrock:ListModelInvocationJobs");
  EXPECT_EQ(h.transport.requests.size(), 1u);  // not retried
}

TEST(BedrockList, AccessDeniedNamedOnlyInTheBody) {
  Harness h;
  h.transport.respond(403, R"({"__type":"AccessDeniedException","message":"no"})");
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto jobs = bedrock.get_model_invocation_job("abcdefghijkl");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().code, "AccessDeniedException");
  EXPECT_EQ(jobs.error().message, "no");
  EXPECT_EQ(denied_action(jobs.error()), "bedrock:GetModelInvocationJob");
}

TEST(DeniedAction, OnlyForAccessDeniedOfABedrockCall) {
  Error e;
  e.service = "bedrock";
  e.operation = "ListModelInvocationJobs";
  e.code = "ThrottlingException";
  EXPECT_EQ(denied_action(e), "");
  e.code = "AccessDeniedException";
  e.service = "monitoring";
  EXPECT_EQ(denied_action(e), "");
}

TEST(BedrockGet, TheArnIsOnePercentEncodedPathSegment) {
  Harness h;
  h.transport.respond(200, test::bedrock_job_summary_json(7));
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto job = bedrock.get_model_invocation_job(kJobArn);
  ASSERT_TRUE(job.ok()) << job.error().describe();
  EXPECT_EQ(job->job_name, "nightly-7");
  const auto& sent = h.transport.requests.at(0);
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.url, std::string(kEndpoint) +
                          "/model-invocation-job/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job"
                          "%2Fabcdefghijkl");
}

// The expected signature was computed by botocore 1.43 (SigV4Auth, service "bedrock") for the same GET at
// 2026-01-15T10:00:00Z: its canonical URI encodes the already-encoded ARN once more ("%253A", "%252F").
TEST(BedrockGet, SignatureMatchesBotocoresForTheEncodedArn) {
  Harness h;
  h.transport.respond(200, test::bedrock_job_summary_json(7));
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  ASSERT_TRUE(bedrock.get_model_invocation_job(kJobArn).ok());
  EXPECT_EQ(find_header(h.transport.requests.at(0).headers, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/bedrock/aws4_request, "
            "SignedHeaders=accept;host;x-amz-date, "
            "Signature=102764b09147df7ef6b34ea06d505f8da3ee602fbfa944192bcb6f2fe735388a");
}

TEST(BedrockGet, NotFoundCarriesCodeAndMessage) {
  Harness h;
  h.transport.respond(404, R"({"message":"Could not find job"})",
                      {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/"}});
  auto service = h.client("bedrock", kEndpoint);
  BedrockClient bedrock(service);
  auto job = bedrock.get_model_invocation_job("abcdefghijkl");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().describe(),
            "bedrock GetModelInvocationJob: ResourceNotFoundException (HTTP 404): Could not find job");
  EXPECT_EQ(denied_action(job.error()), "");
}

}  // namespace
}  // namespace bw::aws
