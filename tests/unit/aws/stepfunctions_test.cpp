// Step Functions StartExecution over AWS JSON 1.0: the request, the answer, ExecutionAlreadyExists.
#include "aws/stepfunctions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using ::testing::ElementsAre;
using ::testing::StartsWith;

constexpr const char* kMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl";

StartExecutionRequest request() { return {kMachine, "bw-0123456789abcdef", R"({"AlarmName":"x"})"}; }

TEST(StartExecutionRequestBody, NameAndInputOnlyWhenSet) {
  EXPECT_EQ(start_execution_request(request()),
            nlohmann::json::parse(R"({"stateMachineArn":")" + std::string(kMachine) +
                                  R"(","name":"bw-0123456789abcdef","input":"{\"AlarmName\":\"x\"}"})"));
  EXPECT_EQ(start_execution_request({kMachine, "", ""}), nlohmann::json({{"stateMachineArn", kMachine}}));
}

TEST(StepFunctionsStartExecution, SignedJson10CallAndItsAnswer) {
  Harness h;
  h.transport.respond(200, R"({"executionArn":"arn:aws:states:us-east-1:123456789012:execution:start-etl:bw-0123456789abcdef","startDate":1768471200.25})");
  auto service = h.client("states", "http://localhost:5000");
  StepFunctionsClient sfn(service);
  auto r = sfn.start_execution(request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->execution_arn, "arn:aws:states:us-east-1:123456789012:execution:start-etl:bw-0123456789abcdef");
  EXPECT_EQ(r->start_date, fake::at(fake::kT0));
  const auto& sent = h.transport.requests.at(0);
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Target"), "AWSStepFunctions.StartExecution");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
              StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/states/aws4_request, "));
  EXPECT_EQ(nlohmann::json::parse(sent.body), start_execution_request(request()));
  EXPECT_THAT(h.observer.responses, ElementsAre("states StartExecution 200"));
}

TEST(StepFunctionsStartExecution, ExecutionAlreadyExistsIsAnErrorWithThatCode) {
  Harness h;
  h.transport.respond(400, R"({"__type":"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists",)"
                           R"("message":"Execution Already Exists: 'bw-0123456789abcdef'"})");
  auto service = h.client("states", "http://localhost:5000");
  StepFunctionsClient sfn(service);
  auto r = sfn.start_execution(request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Api);
  EXPECT_EQ(r.error().code, "ExecutionAlreadyExists");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(h.transport.requests.size(), 1u);
}

TEST(StepFunctionsStartExecution, AnswerWithoutAnArnIsAProtocolError) {
  Harness h;
  h.transport.respond(200, R"({"startDate":1})");
  auto service = h.client("states", "http://localhost:5000");
  StepFunctionsClient sfn(service);
  auto r = sfn.start_execution(request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Protocol);
  EXPECT_EQ(r.error().code, "MalformedResponse");
}

}  // namespace
}  // namespace bw::aws
