// The Bedrock job answers parsed: every member of a ModelInvocationJobSummary, absent and null members,
// timestamp forms, and malformed pages refused with the operation and the field named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "aws/bedrock.hpp"
#include "fake_transport.hpp"
#include "tests/support/bedrock_pages.hpp"

namespace bw::aws {
namespace {

using ::testing::HasSubstr;

Time at(std::int64_t epoch) { return fake::at(epoch); }

TEST(BedrockJobPage, EveryMemberParsed) {
  auto page = parse_model_invocation_job_page(test::bedrock_job_page_json(3, 1, "tok-2"));
  ASSERT_TRUE(page.ok()) << page.error().describe();
  EXPECT_EQ(page->next_token, "tok-2");
  ASSERT_EQ(page->jobs.size(), 1u);
  const ModelInvocationJob& j = page->jobs[0];
  EXPECT_EQ(j.job_arn, "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job00000003");
  EXPECT_EQ(j.job_name, "nightly-3");
  EXPECT_EQ(j.model_id, "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_EQ(j.status, "InProgress");
  EXPECT_EQ(j.message, "");
  EXPECT_EQ(j.submit_time, at(1795298580));          // 2026-11-21T22:03:00.123Z: the fraction dropped
  EXPECT_EQ(j.last_modified_time, at(1795309203));   // 2026-11-22T01:00:03Z
  EXPECT_EQ(j.end_time, std::nullopt);
  EXPECT_EQ(j.job_expiration_time, at(1795471200));  // 2026-11-23T22:00:00+00:00
  EXPECT_EQ(j.timeout_duration_in_hours, 24);
  EXPECT_EQ(j.output_s3_uri, "s3://out/batch-3/");  // not inputDataConfig's s3Uri
  EXPECT_EQ(j.total_record_count, 50003);
  EXPECT_EQ(j.processed_record_count, 20003);
  EXPECT_EQ(j.success_record_count, 19993);
  EXPECT_EQ(j.error_record_count, 10);
}

TEST(BedrockJobPage, AbsentAndNullMembersAreNullopt) {
  auto page = parse_model_invocation_job_page(
      R"({"invocationJobSummaries":[{"jobArn":"arn:1","status":"Submitted","submitTime":"2026-11-22T01:00:00Z",)"
      R"("endTime":null,"message":null,"totalRecordCount":null,"outputDataConfig":{}}],"nextToken":null})");
  ASSERT_TRUE(page.ok()) << page.error().describe();
  EXPECT_EQ(page->next_token, "");
  const ModelInvocationJob& j = page->jobs.at(0);
  EXPECT_EQ(j.status, "Submitted");
  EXPECT_EQ(j.job_name, "");
  EXPECT_EQ(j.message, "");
  EXPECT_EQ(j.last_modified_time, std::nullopt);
  EXPECT_EQ(j.end_time, std::nullopt);
  EXPECT_EQ(j.job_expiration_time, std::nullopt);
  EXPECT_EQ(j.timeout_duration_in_hours, std::nullopt);
  EXPECT_EQ(j.output_s3_uri, "");
  EXPECT_EQ(j.total_record_count, std::nullopt);
  EXPECT_EQ(j.processed_record_count, std::nullopt);
  EXPECT_EQ(j.success_record_count, std::nullopt);
  EXPECT_EQ(j.error_record_count, std::nullopt);
}

TEST(BedrockJobPage, EmptyPageAndUnknownMembersIgnored) {
  auto page = parse_model_invocation_job_page(
      R"({"future":{"a":[1,{"b":null}]},"invocationJobSummaries":[],"x":true})");
  ASSERT_TRUE(page.ok()) << page.error().describe();
  EXPECT_TRUE(page->jobs.empty());
  EXPECT_EQ(page->next_token, "");
}

TEST(BedrockJobPage, UnknownStatusKeptAsSpelt) {
  auto page = parse_model_invocation_job_page(R"({"invocationJobSummaries":[{"jobArn":"a","status":"Paused"}]})");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->jobs.at(0).status, "Paused");
}

TEST(BedrockJobTimes, FractionalOffsetAndWholeSecondForms) {
  const std::pair<const char*, std::int64_t> cases[] = {
      {"2026-11-22T01:00:03Z", 1795309203},
      {"2026-11-22T01:00:03.999Z", 1795309203},          // truncated, never rounded up
      {"2026-11-22T01:00:03.123456789Z", 1795309203},
      {"2026-11-22T02:00:03+01:00", 1795309203},
      {"2026-11-21T19:00:03.5-06:00", 1795309203},
      {"2026-11-22T01:00:03+0000", 1795309203},
  };
  for (const auto& [text, epoch] : cases) {
    auto page = parse_model_invocation_job_page(
        std::string(R"({"invocationJobSummaries":[{"jobArn":"a","endTime":")") + text + R"("}]})");
    ASSERT_TRUE(page.ok()) << text << ": " << page.error().describe();
    EXPECT_EQ(page->jobs.at(0).end_time, at(epoch)) << text;
  }
}

// Each malformed body and the message it must produce.
struct Malformed {
  const char* name;
  const char* body;
  const char* message;
  friend void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }
};

std::string case_name(const ::testing::TestParamInfo<Malformed>& info) { return info.param.name; }

class BedrockMalformedPage : public ::testing::TestWithParam<Malformed> {};

TEST_P(BedrockMalformedPage, IsAnErrorNamingOperationAndField) {
  auto page = parse_model_invocation_job_page(GetParam().body);
  ASSERT_FALSE(page.ok()) << GetParam().body;
  const Error& e = page.error();
  EXPECT_EQ(e.kind, Error::Kind::Protocol);
  EXPECT_EQ(e.code, "MalformedResponse");
  EXPECT_EQ(e.service, "bedrock");
  EXPECT_EQ(e.operation, "ListModelInvocationJobs");
  EXPECT_EQ(e.message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Pages, BedrockMalformedPage,
    ::testing::Values(
        Malformed{"html", "<html>502 Bad Gateway</html>", "response is not JSON: <html>502 Bad Gateway</html>"},
        Malformed{"truncated", R"({"invocationJobSummaries":[)",
                  R"(response is not JSON: {"invocationJobSummaries":[)"},
        Malformed{"empty_body", "", "response is not JSON: "},
        Malformed{"top_level_array", "[]", "response is not a JSON object of the expected shape"},
        Malformed{"no_summaries", R"({"nextToken":"x"})", "response has no invocationJobSummaries"},
        Malformed{"summaries_object", R"({"invocationJobSummaries":{}})", "invocationJobSummaries: expected a list"},
        Malformed{"summaries_null", R"({"invocationJobSummaries":null})", "invocationJobSummaries: expected a list"},
        Malformed{"summaries_twice", R"({"invocationJobSummaries":[],"invocationJobSummaries":[]})",
                  "invocationJobSummaries: given twice"},
        Malformed{"summary_string", R"({"invocationJobSummaries":["a"]})",
                  "invocationJobSummaries[0]: expected an object (a ModelInvocationJobSummary)"},
        Malformed{"second_job_without_arn", R"({"invocationJobSummaries":[{"jobArn":"a"},{"jobName":"b"}]})",
                  "invocationJobSummaries[1].jobArn: missing"},
        Malformed{"arn_number", R"({"invocationJobSummaries":[{"jobArn":7}]})",
                  "invocationJobSummaries[0].jobArn: expected a string"},
        Malformed{"status_list", R"({"invocationJobSummaries":[{"jobArn":"a","status":["InProgress"]}]})",
                  "invocationJobSummaries[0].status: expected a string"},
        Malformed{"submit_time_epoch", R"({"invocationJobSummaries":[{"jobArn":"a","submitTime":1795309203}]})",
                  "invocationJobSummaries[0].submitTime: expected an ISO 8601 timestamp string"},
        Malformed{"end_time_words", R"({"invocationJobSummaries":[{"jobArn":"a","endTime":"yesterday"}]})",
                  R"(invocationJobSummaries[0].endTime: expected an ISO 8601 timestamp, got "yesterday")"},
        Malformed{"end_time_feb_30", R"({"invocationJobSummaries":[{"jobArn":"a","endTime":"2026-02-30T00:00:00Z"}]})",
                  R"(invocationJobSummaries[0].endTime: expected an ISO 8601 timestamp, got "2026-02-30T00:00:00Z")"},
        Malformed{"processed_fraction", R"({"invocationJobSummaries":[{"jobArn":"a","processedRecordCount":1.5}]})",
                  "invocationJobSummaries[0].processedRecordCount: expected a non-negative integer"},
        Malformed{"errors_negative", R"({"invocationJobSummaries":[{"jobArn":"a","errorRecordCount":-1}]})",
                  "invocationJobSummaries[0].errorRecordCount: expected a non-negative integer"},
        Malformed{"total_overflows",
                  R"({"invocationJobSummaries":[{"jobArn":"a","totalRecordCount":99999999999999999999}]})",
                  "invocationJobSummaries[0].totalRecordCount: expected a non-negative integer"},
        Malformed{"timeout_boolean", R"({"invocationJobSummaries":[{"jobArn":"a","timeoutDurationInHours":true}]})",
                  "invocationJobSummaries[0].timeoutDurationInHours: expected a non-negative integer"},
        Malformed{"output_config_string", R"({"invocationJobSummaries":[{"jobArn":"a","outputDataConfig":"s3://x"}]})",
                  "invocationJobSummaries[0].outputDataConfig: expected an object"},
        Malformed{"s3_uri_number",
                  R"({"invocationJobSummaries":[{"jobArn":"a","outputDataConfig":{"s3OutputDataConfig":{"s3Uri":1}}}]})",
                  "invocationJobSummaries[0].outputDataConfig.s3OutputDataConfig.s3Uri: expected a string"},
        Malformed{"status_twice",
                  R"({"invocationJobSummaries":[{"jobArn":"a","status":"Failed","status":"Completed"}]})",
                  "invocationJobSummaries[0].status: given twice"},
        Malformed{"next_token_number", R"({"invocationJobSummaries":[],"nextToken":5})",
                  "nextToken: expected a string"}),
    case_name);

TEST(BedrockGetAnswer, TheDocumentIsTheJob) {
  auto job = parse_model_invocation_job(
      R"({"jobArn":"arn:x","jobName":"n","status":"Completed","endTime":"2026-11-22T01:00:03Z",)"
      R"("roleArn":"r","inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://in/"}},)"
      R"("outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://out/"}},"processedRecordCount":0})");
  ASSERT_TRUE(job.ok()) << job.error().describe();
  EXPECT_EQ(job->status, "Completed");
  EXPECT_EQ(job->end_time, at(1795309203));
  EXPECT_EQ(job->output_s3_uri, "s3://out/");
  EXPECT_EQ(job->processed_record_count, 0);
}

TEST(BedrockGetAnswer, MalformedNamesGetModelInvocationJob) {
  auto job = parse_model_invocation_job(R"({"jobArn":"arn:x","submitTime":false})");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().describe(),
            "bedrock GetModelInvocationJob: MalformedResponse: submitTime: expected an ISO 8601 timestamp string");
  EXPECT_EQ(parse_model_invocation_job(R"({"jobName":"n"})").error().message, "jobArn: missing");
}

}  // namespace
}  // namespace bw::aws
