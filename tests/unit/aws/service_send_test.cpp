// ServiceClient::send against a scripted transport: signing every attempt with the injected clock,
// retrying what is retryable with the policy's delays, and naming what failed.
#include "aws/service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
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

const Headers kThrottlingHeaders{{"x-amzn-query-error", "Throttling;Sender"},
                                 {"Content-Type", "application/x-amz-json-1.0"}};
const std::string kThrottlingBody = R"({"__type":"com.amazonaws.cloudwatch#Throttling","message":"Rate exceeded"})";

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

}  // namespace
}  // namespace bw::aws
