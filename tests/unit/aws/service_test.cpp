// The shared service layer: RetryPolicy delays, default endpoints, and ServiceClient::call_json and
// call_query against a scripted transport. (Errors: service_error_test.cpp; send: service_send_test.cpp.)
#include "aws/service.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

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
