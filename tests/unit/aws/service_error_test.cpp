// How the service layer reads a failure: parse_error over JSON, Query (XML) and bare HTTP answers,
// Error::describe, and which errors are retryable.
#include <gtest/gtest.h>

#include <string>

#include "aws/error.hpp"
#include "aws/http.hpp"
#include "aws/service.hpp"

namespace bw::aws {
namespace {

HttpResponse response(long status, std::string body, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// ---- parse_error ----

TEST(ParseError, JsonTypeWithNamespace) {
  const auto e = parse_error(
      "monitoring", "GetMetricData",
      response(400, R"({"__type":"com.amazonaws.cloudwatch#InvalidParameterValue","message":"The parameter Period must be a multiple of 60."})"));
  EXPECT_EQ(e.kind, Error::Kind::Api);
  EXPECT_EQ(e.service, "monitoring");
  EXPECT_EQ(e.operation, "GetMetricData");
  EXPECT_EQ(e.code, "InvalidParameterValue");
  EXPECT_EQ(e.message, "The parameter Period must be a multiple of 60.");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.attempts, 1);
}

TEST(ParseError, JsonTypeWithUrlSuffix) {
  const auto e = parse_error(
      "monitoring", "GetMetricData",
      response(400, R"({"__type":"ValidationError:http://internal.amazon.com/coral/com.amazon.coral.validate/","Message":"1 validation error detected"})"));
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message, "1 validation error detected");
}

TEST(ParseError, JsonNamespaceAndUrlSuffix) {
  const auto e = parse_error(
      "monitoring", "ListMetrics",
      response(400, R"({"__type":"com.amazon.coral.service#SerializationException:http://internal.amazon.com/","message":"bad"})"));
  EXPECT_EQ(e.code, "SerializationException");
  EXPECT_EQ(e.message, "bad");
}

TEST(ParseError, QueryErrorHeaderWinsOverBodyType) {
  const auto e = parse_error("monitoring", "GetMetricData",
                             response(400, R"({"__type":"com.amazonaws.cloudwatch#SomethingElse","message":"Rate exceeded"})",
                                      {{"X-Amzn-Query-Error", "Throttling;Sender"}}));
  EXPECT_EQ(e.code, "Throttling");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_EQ(e.http_status, 400);
}

TEST(ParseError, QueryErrorHeaderWithoutBody) {
  const auto e = parse_error("monitoring", "GetMetricData", response(400, "", {{"x-amzn-query-error", "Throttling;Sender"}}));
  EXPECT_EQ(e.code, "Throttling");
  EXPECT_EQ(e.message, "");
}

TEST(ParseError, XmlErrorResponse) {
  const auto e = parse_error(
      "monitoring", "GetMetricData",
      response(403, "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">\n"
                    "  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
                    "<Message>The request signature we calculated does not match the signature you provided.</Message>"
                    "</Error>\n  <RequestId>abc-123</RequestId>\n</ErrorResponse>\n"));
  EXPECT_EQ(e.kind, Error::Kind::Api);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message, "The request signature we calculated does not match the signature you provided.");
  EXPECT_EQ(e.http_status, 403);
}

TEST(ParseError, XmlWithLeadingWhitespaceAndDeclaration) {
  const auto e = parse_error("sns", "Publish",
                             response(400, "\r\n  <?xml version=\"1.0\"?><ErrorResponse><Error><Code>InvalidParameter</Code>"
                                           "<Message>Invalid parameter: TopicArn</Message></Error></ErrorResponse>"));
  EXPECT_EQ(e.code, "InvalidParameter");
  EXPECT_EQ(e.message, "Invalid parameter: TopicArn");
}

TEST(ParseError, HtmlServerErrorPage) {
  const std::string html =
      "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
      "<body><h1>Internal Server Error</h1></body></html>";
  const auto e = parse_error("monitoring", "GetMetricData", response(500, html));
  EXPECT_EQ(e.kind, Error::Kind::Api);
  EXPECT_EQ(e.code, "HTTP500");
  EXPECT_EQ(e.message, html);
  EXPECT_EQ(e.http_status, 500);
  EXPECT_TRUE(e.retryable());
}

TEST(ParseError, LongUnparseableBodyIsTruncatedTo200Characters) {
  const std::string body(300, 'x');
  const auto e = parse_error("monitoring", "GetMetricData", response(502, body));
  EXPECT_EQ(e.code, "HTTP502");
  EXPECT_EQ(e.message, std::string(200, 'x'));
}

TEST(ParseError, TooManyRequestsWithEmptyBody) {
  const auto e = parse_error("monitoring", "GetMetricData", response(429, ""));
  EXPECT_EQ(e.code, "TooManyRequests");
  EXPECT_EQ(e.message, "");
  EXPECT_EQ(e.http_status, 429);
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.describe(), "monitoring GetMetricData: TooManyRequests (HTTP 429)");
}

TEST(ParseError, MalformedJsonFallsBackToStatus) {
  const auto e = parse_error("monitoring", "GetMetricData", response(503, "{not json"));
  EXPECT_EQ(e.code, "HTTP503");
  EXPECT_EQ(e.message, "{not json");
}

// ---- Error ----

TEST(ErrorDescribe, ApiError) {
  Error e;
  e.service = "monitoring";
  e.operation = "GetMetricData";
  e.code = "Throttling";
  e.http_status = 400;
  e.message = "Rate exceeded";
  EXPECT_EQ(e.describe(), "monitoring GetMetricData: Throttling (HTTP 400): Rate exceeded");
  e.attempts = 3;
  EXPECT_EQ(e.describe(), "monitoring GetMetricData: Throttling (HTTP 400): Rate exceeded [after 3 attempts]");
}

TEST(ErrorDescribe, TransportErrorHasNoStatus) {
  Error e;
  e.kind = Error::Kind::Transport;
  e.service = "sns";
  e.operation = "Publish";
  e.code = "CouldNotConnect";
  e.message = "Failed to connect to localhost port 5000";
  EXPECT_EQ(e.describe(), "sns Publish: CouldNotConnect: Failed to connect to localhost port 5000");
}

TEST(ErrorDescribe, EmptyFieldsHaveDefaults) {
  Error e;
  EXPECT_EQ(e.describe(), "aws request: Error");
}

Error api(std::string code, long status) {
  Error e;
  e.kind = Error::Kind::Api;
  e.code = std::move(code);
  e.http_status = status;
  return e;
}

TEST(ErrorRetryable, ThrottlingCodes) {
  for (const char* code : {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                           "SlowDown", "RequestThrottled", "ProvisionedThroughputExceededException"})
    EXPECT_TRUE(api(code, 400).retryable()) << code;
}

TEST(ErrorRetryable, ServerErrors) {
  for (long status : {500L, 502L, 503L, 504L}) EXPECT_TRUE(api("HTTP" + std::to_string(status), status).retryable()) << status;
  EXPECT_TRUE(api("InternalFailure", 500).retryable());
  EXPECT_TRUE(api("ServiceUnavailable", 503).retryable());
  EXPECT_FALSE(api("HTTP501", 501).retryable());
}

TEST(ErrorRetryable, TransportErrors) {
  Error e;
  e.kind = Error::Kind::Transport;
  e.code = "CouldNotConnect";
  EXPECT_TRUE(e.retryable());
  e.code = "RequestTimeout";
  e.timeout = true;
  EXPECT_TRUE(e.retryable());
}

TEST(ErrorRetryable, ClientErrorsAreFinal) {
  EXPECT_FALSE(api("AccessDenied", 403).retryable());
  EXPECT_FALSE(api("AccessDeniedException", 400).retryable());
  EXPECT_FALSE(api("ValidationError", 400).retryable());
  EXPECT_FALSE(api("SignatureDoesNotMatch", 403).retryable());
  EXPECT_FALSE(api("NotFound", 404).retryable());
}

TEST(ErrorRetryable, CredentialsAndProtocolErrorsAreFinal) {
  Error creds;
  creds.kind = Error::Kind::Credentials;
  creds.code = "Throttling";  // the kind decides, not the code
  EXPECT_FALSE(creds.retryable());
  Error proto;
  proto.kind = Error::Kind::Protocol;
  proto.http_status = 500;
  EXPECT_FALSE(proto.retryable());
}

}  // namespace
}  // namespace bw::aws
