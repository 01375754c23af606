// The shared service layer: error parsing, Error, RetryPolicy, ServiceClient::send/call_json, against a
// scripted transport.
#include "aws/service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/error.hpp"
#include "aws/sigv4.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::Harness;
using fake::header_count;
using fake::kT0;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

HttpResponse response(long status, std::string body, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

const Headers kThrottlingHeaders{{"x-amzn-query-error", "Throttling;Sender"},
                                 {"Content-Type", "application/x-amz-json-1.0"}};
const std::string kThrottlingBody = R"({"__type":"com.amazonaws.cloudwatch#Throttling","message":"Rate exceeded"})";

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

// ---- RetryPolicy ----

TEST(RetryPolicy, DelayDoublesFromBaseUpToCap) {
  RetryPolicy p;  // base 1s, cap 20s
  p.random = [] { return 0.5; };
  EXPECT_EQ(p.delay(0), milliseconds{500});
  EXPECT_EQ(p.delay(1), milliseconds{1000});
  EXPECT_EQ(p.delay(2), milliseconds{2000});
  EXPECT_EQ(p.delay(3), milliseconds{4000});
  EXPECT_EQ(p.delay(4), milliseconds{8000});
  EXPECT_EQ(p.delay(5), milliseconds{10000});  // 32s capped at 20s
  EXPECT_EQ(p.delay(30), milliseconds{10000});
  EXPECT_EQ(p.delay(1000), milliseconds{10000});  // no shift overflow
}

TEST(RetryPolicy, CapIsTwentySecondsByDefault) {
  RetryPolicy p;
  EXPECT_EQ(p.base, milliseconds{1000});
  EXPECT_EQ(p.cap, milliseconds{20000});
  EXPECT_EQ(p.max_attempts, 3);
  p.random = [] { return 0.999999; };
  EXPECT_EQ(p.delay(10), milliseconds{19999});
  p.random = [] { return 0.0; };
  EXPECT_EQ(p.delay(10), milliseconds{0});
}

TEST(RetryPolicy, DelayStaysWithinJitterBounds) {
  RetryPolicy p;
  p.base = milliseconds{100};
  p.cap = milliseconds{1000};
  for (double r : {0.0, 0.1, 0.37, 0.5, 0.9, 0.999}) {
    p.random = [r] { return r; };
    for (int attempt = 0; attempt < 12; ++attempt) {
      const std::int64_t ceiling = std::min<std::int64_t>(100LL << attempt, 1000);
      const auto d = p.delay(attempt).count();
      EXPECT_GE(d, 0) << r << " " << attempt;
      EXPECT_LE(d, ceiling) << r << " " << attempt;
      EXPECT_EQ(d, static_cast<std::int64_t>(r * static_cast<double>(ceiling))) << r << " " << attempt;
    }
  }
}

// ---- endpoints ----

TEST(Endpoint, DefaultUrls) {
  EXPECT_EQ(default_endpoint_url("monitoring", "us-east-1"), "https://monitoring.us-east-1.amazonaws.com");
  EXPECT_EQ(default_endpoint_url("sns", "eu-west-3"), "https://sns.eu-west-3.amazonaws.com");
  EXPECT_EQ(default_endpoint_url("monitoring", "cn-north-1"), "https://monitoring.cn-north-1.amazonaws.com.cn");
}

// ---- ServiceClient::send ----

HttpRequest get_metric_data_request() {
  HttpRequest req;
  req.method = "POST";
  req.url = "http://localhost:5000/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"}};
  req.body = R"({"MetricDataQueries":[]})";
  return req;
}

TEST(ServiceClientSend, SignsEveryAttemptWithTheInjectedClock) {
  Harness h;
  h.clock_step = Duration{1};
  h.transport.respond(400, kThrottlingBody, kThrottlingHeaders).respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(h.transport.requests.size(), 2u);
  const char* dates[] = {"20260115T100000Z", "20260115T100001Z"};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& sent = h.transport.requests[i];
    EXPECT_EQ(find_header(sent.headers, "X-Amz-Date"), dates[i]);
    EXPECT_EQ(header_count(sent.headers, "Authorization"), 1u);
    EXPECT_EQ(header_count(sent.headers, "X-Amz-Date"), 1u);
    EXPECT_EQ(find_header(sent.headers, "Host"), "localhost:5000");
    EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
                ::testing::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/monitoring/"
                                      "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                      "Signature="));
    // The same signature the signer gives the unsigned request at that time: region/service/time passed through.
    HttpRequest expected = get_metric_data_request();
    sigv4::SigningParams params;
    params.region = "us-east-1";
    params.service = "monitoring";
    params.time = at(kT0 + static_cast<std::int64_t>(i));
    sigv4::sign(expected, h.credentials->credentials().value(), params);
    EXPECT_EQ(find_header(sent.headers, "Authorization"), find_header(expected.headers, "Authorization"));
    EXPECT_EQ(sent.body, R"({"MetricDataQueries":[]})");
    EXPECT_EQ(sent.url, "http://localhost:5000/");
  }
  EXPECT_NE(find_header(h.transport.requests[0].headers, "Authorization"),
            find_header(h.transport.requests[1].headers, "Authorization"));
  EXPECT_EQ(h.clock_reads.size(), 2u);
}

TEST(ServiceClientSend, SessionTokenIsSent) {
  Harness h;
  h.credentials = make_static_provider(Credentials{"ASIAEXAMPLE", "secret", "token/with+chars", std::nullopt});
  h.transport.respond(200, "{}");
  auto client = h.client();
  ASSERT_TRUE(client.send("GetMetricData", get_metric_data_request()).ok());
  ASSERT_EQ(h.transport.requests.size(), 1u);
  EXPECT_EQ(find_header(h.transport.requests[0].headers, "X-Amz-Security-Token"), "token/with+chars");
  EXPECT_THAT(std::string(find_header(h.transport.requests[0].headers, "Authorization")),
              ::testing::HasSubstr("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"));
}

TEST(ServiceClientSend, RetriesThrottlingTwiceThenSucceeds) {
  Harness h;
  h.jitter = 0.25;
  h.transport.respond(400, kThrottlingBody, kThrottlingHeaders)
      .respond(400, kThrottlingBody, kThrottlingHeaders)
      .respond(200, R"({"ok":true})", {{"x-amzn-RequestId", "r-3"}});
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(r->header("X-Amzn-RequestId"), "r-3");
  EXPECT_EQ(h.transport.requests.size(), 3u);

  RetryPolicy policy;
  policy.random = [] { return 0.25; };
  EXPECT_THAT(h.sleeps, ElementsAre(policy.delay(0), policy.delay(1)));
  EXPECT_THAT(h.sleeps, ElementsAre(milliseconds{250}, milliseconds{500}));

  EXPECT_THAT(h.observer.responses,
              ElementsAre("monitoring GetMetricData Throttling", "monitoring GetMetricData Throttling",
                          "monitoring GetMetricData 200"));
  EXPECT_THAT(h.observer.retries, ElementsAre("monitoring GetMetricData", "monitoring GetMetricData"));
}

TEST(ServiceClientSend, GivesUpAfterMaxAttempts) {
  Harness h;
  const std::string body =
      "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>Please retry</Message></Error></ErrorResponse>";
  h.transport.respond(503, body).respond(503, body).respond(503, body).respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.kind, Error::Kind::Api);
  EXPECT_EQ(e.code, "ServiceUnavailable");
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(e.attempts, 3);
  EXPECT_EQ(e.describe(), "monitoring GetMetricData: ServiceUnavailable (HTTP 503): Please retry [after 3 attempts]");
  EXPECT_EQ(h.transport.requests.size(), 3u);
  EXPECT_EQ(h.transport.pending(), 1u);  // the fourth answer was never asked for
  EXPECT_THAT(h.sleeps, ElementsAre(milliseconds{250}, milliseconds{500}));  // none after the last attempt
  EXPECT_EQ(h.observer.responses.size(), 3u);
  EXPECT_EQ(h.observer.retries.size(), 2u);
}

TEST(ServiceClientSend, MaxAttemptsIsConfigurable) {
  Harness h;
  h.transport.respond(400, kThrottlingBody, kThrottlingHeaders).respond(200, "{}");
  auto client = h.client("monitoring", "http://localhost:5000", 1);
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Throttling");
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_EQ(h.transport.requests.size(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_TRUE(h.observer.retries.empty());
}

TEST(ServiceClientSend, DoesNotRetryAccessDenied) {
  Harness h;
  h.transport
      .respond(403, R"({"__type":"com.amazonaws.cloudwatch#AccessDenied","message":"User is not authorized"})")
      .respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AccessDenied");
  EXPECT_EQ(r.error().http_status, 403);
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_EQ(r.error().describe(), "monitoring GetMetricData: AccessDenied (HTTP 403): User is not authorized");
  EXPECT_EQ(h.transport.requests.size(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_THAT(h.observer.responses, ElementsAre("monitoring GetMetricData AccessDenied"));
  EXPECT_TRUE(h.observer.retries.empty());
}

TEST(ServiceClientSend, RetriesTransportErrors) {
  Harness h;
  h.transport.fail("CouldNotConnect", "Failed to connect").fail("RequestTimeout", "timed out", true).respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(h.transport.requests.size(), 3u);
  EXPECT_THAT(h.observer.responses,
              ElementsAre("monitoring GetMetricData CouldNotConnect", "monitoring GetMetricData RequestTimeout",
                          "monitoring GetMetricData 200"));
  EXPECT_EQ(h.sleeps.size(), 2u);
}

TEST(ServiceClientSend, TransportErrorAfterLastAttemptIsNamed) {
  Harness h;
  h.transport.fail("CouldNotConnect", "Failed to connect").fail("CouldNotConnect", "Failed to connect");
  auto client = h.client("sns", "http://localhost:5000", 2);
  auto r = client.send("Publish", get_metric_data_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Transport);
  EXPECT_EQ(r.error().service, "sns");
  EXPECT_EQ(r.error().operation, "Publish");
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(r.error().describe(), "sns Publish: CouldNotConnect: Failed to connect [after 2 attempts]");
  EXPECT_THAT(h.sleeps, ElementsAre(milliseconds{250}));
}

std::optional<std::string> empty_env(const char*) { return std::nullopt; }

TEST(ServiceClientSend, CredentialsFailureIsReportedWithoutSending) {
  Harness h;
  h.credentials = make_environment_provider(empty_env);
  h.transport.respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", get_metric_data_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Credentials);
  EXPECT_EQ(r.error().code, "NoCredentials");
  EXPECT_EQ(r.error().service, "monitoring");
  EXPECT_EQ(r.error().operation, "GetMetricData");
  EXPECT_EQ(r.error().message, "AWS_ACCESS_KEY_ID is not set");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_TRUE(h.transport.requests.empty());
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(ServiceClientSend, WorksWithoutObserver) {
  Harness h;
  h.transport.respond(500, "").respond(200, "{}");
  ServiceContext ctx = h.context();
  ctx.observer = nullptr;
  ServiceClient client(std::move(ctx), Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
  ASSERT_TRUE(client.send("GetMetricData", get_metric_data_request()).ok());
  EXPECT_EQ(h.transport.requests.size(), 2u);
  EXPECT_TRUE(h.observer.responses.empty());
}

// ---- call_json ----

TEST(CallJson, RequestShape) {
  Harness h;
  h.transport.respond(200, R"({"MetricDataResults":[],"Messages":[]})");
  auto client = h.client();
  const nlohmann::json body{{"StartTime", 1}, {"EndTime", 2}};
  auto r = client.call_json("GraniteServiceVersion20100801", "GetMetricData", body, "application/x-amz-json-1.0");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), nlohmann::json::parse(R"({"MetricDataResults":[],"Messages":[]})"));
  ASSERT_EQ(h.transport.requests.size(), 1u);
  const auto& sent = h.transport.requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://localhost:5000/");
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Target"), "GraniteServiceVersion20100801.GetMetricData");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(sent.body, R"({"EndTime":2,"StartTime":1})");
  EXPECT_THAT(h.observer.responses, ElementsAre("monitoring GetMetricData 200"));
}

TEST(CallJson, UrlWithPathIsKept) {
  Harness h;
  h.transport.respond(200, "{}").respond(200, "{}");
  auto with_path = h.client("monitoring", "https://proxy.example.com/cloudwatch");
  ASSERT_TRUE(with_path.call_json("GraniteServiceVersion20100801", "ListMetrics", nlohmann::json::object(),
                                  "application/x-amz-json-1.0")
                  .ok());
  auto with_slash = h.client("monitoring", "https://monitoring.us-east-1.amazonaws.com/");
  ASSERT_TRUE(with_slash.call_json("GraniteServiceVersion20100801", "ListMetrics", nlohmann::json::object(),
                                   "application/x-amz-json-1.0")
                  .ok());
  ASSERT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(h.transport.requests[0].url, "https://proxy.example.com/cloudwatch");
  EXPECT_EQ(h.transport.requests[1].url, "https://monitoring.us-east-1.amazonaws.com/");
  EXPECT_EQ(h.transport.requests[0].body, "{}");
}

TEST(CallJson, MalformedResponseIsAProtocolError) {
  Harness h;
  h.transport.respond(200, "<html>proxy login</html>");
  auto client = h.client();
  auto r = client.call_json("GraniteServiceVersion20100801", "GetMetricData", nlohmann::json::object(),
                            "application/x-amz-json-1.0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Protocol);
  EXPECT_EQ(r.error().service, "monitoring");
  EXPECT_EQ(r.error().operation, "GetMetricData");
  EXPECT_EQ(r.error().code, "MalformedResponse");
  EXPECT_EQ(r.error().message, "response is not JSON: <html>proxy login</html>");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(h.transport.requests.size(), 1u);  // a protocol error is not retried
}

TEST(CallJson, ApiErrorPassesThrough) {
  Harness h;
  h.transport.respond(
      400, R"({"__type":"com.amazonaws.cloudwatch#InvalidParameterValue","message":"Period must be a multiple of 60"})");
  auto client = h.client();
  auto r = client.call_json("GraniteServiceVersion20100801", "GetMetricData", nlohmann::json::object(),
                            "application/x-amz-json-1.0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(),
            "monitoring GetMetricData: InvalidParameterValue (HTTP 400): Period must be a multiple of 60");
}

// ---- call_query ----

TEST(CallQuery, FormEncodesActionVersionThenParams) {
  Harness h;
  h.transport.respond(200, "<ok/>");
  auto client = h.client("sns", "http://localhost:5000");
  auto r = client.call_query("ListTopics", "2010-03-31", {{"NextToken", "a=b/c&d"}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), "<ok/>");
  ASSERT_EQ(h.transport.requests.size(), 1u);
  EXPECT_EQ(h.transport.requests[0].body, "Action=ListTopics&Version=2010-03-31&NextToken=a%3Db%2Fc%26d");
  EXPECT_EQ(find_header(h.transport.requests[0].headers, "Content-Type"),
            "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(h.transport.requests[0].url, "http://localhost:5000/");
}

}  // namespace
}  // namespace bw::aws
