// SDK "standard" retries: the retry quota, x-amz-retry-after, backoff bounds, and the final error.
#include "aws/retry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "aws/service.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

const Headers kThrottling{{"x-amzn-query-error", "Throttling;Sender"}, {"Content-Type", "application/x-amz-json-1.0"}};
const std::string kThrottlingBody = R"({"__type":"com.amazonaws.cloudwatch#Throttling","message":"Rate exceeded"})";

HttpRequest request() {
  HttpRequest req;
  req.url = "http://localhost:5000/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"}};
  req.body = "{}";
  return req;
}

// ---- RetryQuota ----

TEST(RetryQuota, StartsFullAndCharges5Or10) {
  RetryQuota q;
  EXPECT_EQ(q.capacity(), 500);
  EXPECT_EQ(q.available(), 500);
  EXPECT_EQ(q.acquire(false), 5);
  EXPECT_EQ(q.available(), 495);
  EXPECT_EQ(q.acquire(true), 10);
  EXPECT_EQ(q.available(), 485);
}

TEST(RetryQuota, RefusesWhatItCannotPayAndTakesNothing) {
  RetryQuota q(12);
  EXPECT_EQ(q.acquire(false), 5);
  EXPECT_EQ(q.acquire(true), std::nullopt);  // 7 left, a timeout retry costs 10
  EXPECT_EQ(q.available(), 7);
  EXPECT_EQ(q.acquire(false), 5);
  EXPECT_EQ(q.acquire(false), std::nullopt);
  EXPECT_EQ(q.available(), 2);
}

TEST(RetryQuota, SuccessRefundsTheLastRetryOrOneToken) {
  RetryQuota q;
  q.release(0);  // a first-attempt success: +1, but never above capacity
  EXPECT_EQ(q.available(), 500);
  ASSERT_EQ(q.acquire(false), 5);
  ASSERT_EQ(q.acquire(true), 10);
  EXPECT_EQ(q.available(), 485);
  q.release(10);  // the retry that succeeded paid 10: refunded
  EXPECT_EQ(q.available(), 495);
  q.release(0);
  EXPECT_EQ(q.available(), 496);
}

// ---- x-amz-retry-after ----

TEST(RetryAfter, ParsesMilliseconds) {
  HttpResponse r;
  EXPECT_EQ(retry_after(r), std::nullopt);
  r.headers = {{"X-Amz-Retry-After", "1500"}};
  EXPECT_EQ(retry_after(r), milliseconds{1500});
  r.headers = {{"x-amz-retry-after", " 0 "}};
  EXPECT_EQ(retry_after(r), milliseconds{0});
  for (const char* bad : {"-1", "1.5", "soon", "", "99999999999999999999999"}) {
    r.headers = {{"x-amz-retry-after", bad}};
    EXPECT_EQ(retry_after(r), std::nullopt) << bad;
  }
}

// ---- ServiceClient::send under throttling ----

TEST(StandardRetries, TwoThrottlesThenSuccessBackoffWithinBounds) {
  // Real jitter this time: every delay must fall in [0, min(1 s * 2^n, 20 s)).
  for (unsigned seed = 1; seed <= 50; ++seed) {
    Harness h;
    h.transport.respond(400, kThrottlingBody, kThrottling).respond(400, kThrottlingBody, kThrottling).respond(200, "{}");
    ServiceContext ctx = h.context();
    auto rng = std::make_shared<std::mt19937_64>(seed);
    ctx.retry.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
    ServiceClient client(ctx, Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
    auto r = client.send("GetMetricData", request());
    ASSERT_TRUE(r.ok()) << r.error().describe();
    ASSERT_EQ(h.transport.requests.size(), 3u);
    ASSERT_EQ(h.sleeps.size(), 2u);
    EXPECT_EQ(h.observer.retries.size(), 2u);
    EXPECT_GE(h.sleeps[0].count(), 0);
    EXPECT_LT(h.sleeps[0], milliseconds{1000});
    EXPECT_GE(h.sleeps[1].count(), 0);
    EXPECT_LT(h.sleeps[1], milliseconds{2000});
  }
}

TEST(StandardRetries, FiveThrottlesGiveAClearFinalError) {
  Harness h;
  for (int i = 0; i < 5; ++i) h.transport.respond(400, kThrottlingBody, kThrottling);
  auto client = h.client();
  auto r = client.send("GetMetricData", request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "Throttling");
  EXPECT_EQ(r.error().attempts, 3);
  EXPECT_EQ(r.error().describe(), "monitoring GetMetricData: Throttling (HTTP 400): Rate exceeded [after 3 attempts]");
  EXPECT_EQ(h.transport.requests.size(), 3u);  // max 3 attempts
  EXPECT_EQ(h.transport.pending(), 2u);
  EXPECT_THAT(h.sleeps, ElementsAre(milliseconds{250}, milliseconds{500}));
}

TEST(StandardRetries, RetryAfterHeaderReplacesTheBackoff) {
  Harness h;
  Headers with_after = kThrottling;
  with_after.emplace_back("x-amz-retry-after", "1234");
  Headers huge = kThrottling;
  huge.emplace_back("x-amz-retry-after", "600000");
  h.transport.respond(400, kThrottlingBody, with_after).respond(503, "", huge).respond(200, "{}");
  auto client = h.client();
  ASSERT_TRUE(client.send("GetMetricData", request()).ok());
  EXPECT_THAT(h.sleeps, ElementsAre(milliseconds{1234}, milliseconds{20000}));  // capped at the 20 s maximum
}

TEST(StandardRetries, QuotaIsPerClientByDefault) {
  Harness h;
  h.transport.respond(500, "").respond(200, "{}").respond(200, "{}");
  auto a = h.client();
  auto b = h.client();
  ASSERT_TRUE(a.send("GetMetricData", request()).ok());
  ASSERT_TRUE(b.send("GetMetricData", request()).ok());
  ASSERT_NE(a.context().quota, nullptr);
  EXPECT_NE(a.context().quota, b.context().quota);
  EXPECT_EQ(a.context().quota->available(), 500);  // 500 - 5 + 5 (refund of the retry that succeeded)
  EXPECT_EQ(b.context().quota->available(), 500);
}

TEST(StandardRetries, ExhaustedQuotaStopsRetrying) {
  Harness h;
  ServiceContext ctx = h.context();
  ctx.quota = std::make_shared<RetryQuota>(7);  // pays one retry
  ServiceClient a(ctx, Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
  ServiceClient b(ctx, Endpoint{"http://localhost:5000", "us-east-1", "sns"});  // shares it
  h.transport.fail("CouldNotConnect", "refused").fail("CouldNotConnect", "refused");
  auto r = a.send("GetMetricData", request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().attempts, 2);  // one retry paid (5 of 7), the second refused
  EXPECT_EQ(r.error().describe(),
            "monitoring GetMetricData: CouldNotConnect: refused (retry quota exhausted) [after 2 attempts]");
  EXPECT_EQ(ctx.quota->available(), 2);
  h.transport.respond(503, "");
  auto r2 = b.send("Publish", request());
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().attempts, 1);
  EXPECT_EQ(h.sleeps.size(), 1u);
}

TEST(StandardRetries, TimeoutsCostTen) {
  Harness h;
  ServiceContext ctx = h.context();
  ctx.quota = std::make_shared<RetryQuota>(500);
  ServiceClient client(ctx, Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
  h.transport.fail("RequestTimeout", "timed out", true).fail("RequestTimeout", "timed out", true).fail("RequestTimeout", "", true);
  ASSERT_FALSE(client.send("GetMetricData", request()).ok());
  EXPECT_EQ(ctx.quota->available(), 480);
}

TEST(StandardRetries, NonRetryableCodesAreNotRetried) {
  Harness h;
  h.transport.respond(400, R"({"__type":"InvalidParameterCombination","message":"bad"})");
  auto client = h.client();
  auto r = client.send("GetMetricData", request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().attempts, 1);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(StandardRetries, RetriesEveryTransientStatus) {
  for (long status : {500L, 502L, 503L, 504L, 429L}) {
    Harness h;
    h.transport.respond(status, "").respond(200, "{}");
    auto client = h.client();
    ASSERT_TRUE(client.send("GetMetricData", request()).ok()) << status;
    EXPECT_EQ(h.transport.requests.size(), 2u) << status;
  }
}

TEST(UnsignedRequests, NoCredentialsProviderMeansNoSignature) {
  Harness h;
  ServiceContext ctx = h.context();
  ctx.credentials = nullptr;
  h.transport.respond(200, "<ok/>");
  ServiceClient client(ctx, Endpoint{"http://localhost:5000", "us-east-1", "sts"});
  auto r = client.call_query("AssumeRoleWithWebIdentity", "2011-06-15", {{"RoleArn", "arn"}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& sent = h.transport.requests.at(0);
  EXPECT_EQ(find_header(sent.headers, "Authorization"), "");
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Date"), "");
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Security-Token"), "");
}

}  // namespace
}  // namespace bw::aws
