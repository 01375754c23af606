#pragma once
// ListModelInvocationJobs pages as Bedrock writes them (botocore's ModelInvocationJobSummary members, the
// members batchwatch ignores included), for the unit tests and the parse benchmark.
#include <fmt/format.h>

#include <string>

namespace bw::test {

// Job `i`: every member present; its counts and times differ per job so a mix-up shows.
inline std::string bedrock_job_summary_json(int i) {
  return fmt::format(
      R"({{"jobArn":"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job{:08d}",)"
      R"("jobName":"nightly-{}","modelId":"anthropic.claude-3-haiku-20240307-v1:0",)"
      R"("clientRequestToken":"tok-{}","roleArn":"arn:aws:iam::123456789012:role/bedrock-batch",)"
      R"("status":"InProgress","message":"",)"
      R"("submitTime":"2026-11-21T22:{:02}:00.123Z","lastModifiedTime":"2026-11-22T01:00:{:02}Z",)"
      R"("jobExpirationTime":"2026-11-23T22:00:00+00:00",)"
      R"("inputDataConfig":{{"s3InputDataConfig":{{"s3InputFormat":"JSONL","s3Uri":"s3://in/batch-{}.jsonl"}}}},)"
      R"("outputDataConfig":{{"s3OutputDataConfig":{{"s3Uri":"s3://out/batch-{}/","s3EncryptionKeyId":"k"}}}},)"
      R"("vpcConfig":{{"subnetIds":["subnet-1"],"securityGroupIds":["sg-1"]}},)"
      R"("timeoutDurationInHours":24,"modelInvocationType":"InvokeModel",)"
      R"("totalRecordCount":{},"processedRecordCount":{},"successRecordCount":{},"errorRecordCount":{}}})",
      i, i, i, i % 60, i % 60, i, i, 50000 + i, 20000 + i, 19990 + i, 10);
}

// A page of `count` jobs starting at `first`, with `next_token` unless it is empty.
inline std::string bedrock_job_page_json(int first, int count, const std::string& next_token = "") {
  std::string body = R"({"invocationJobSummaries":[)";
  for (int i = first; i < first + count; ++i) {
    if (i != first) body += ',';
    body += bedrock_job_summary_json(i);
  }
  body += ']';
  if (!next_token.empty()) body += R"(,"nextToken":")" + next_token + '"';
  return body + '}';
}

}  // namespace bw::test
