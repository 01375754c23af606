// Clock skew: HTTP dates, when a rejection is a clock problem, and ServiceClient's one corrected retry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/retry.hpp"
#include "aws/service.hpp"
#include "aws/sigv4.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::Harness;
using fake::kT0;  // 2026-01-15T10:00:00Z

// Records clock corrections on top of what RecordingObserver records.
class SkewObserver final : public RequestObserver {
 public:
  void on_response(std::string_view, std::string_view, std::string_view code) override { codes.emplace_back(code); }
  void on_retry(std::string_view, std::string_view) override { ++retries; }
  void on_clock_skew(std::string_view service, std::string_view operation, Duration offset) override {
    skews.push_back(std::string(service) + " " + std::string(operation) + " " + std::to_string(offset.count()));
  }
  std::vector<std::string> codes, skews;
  int retries = 0;
};

HttpRequest request() {
  HttpRequest req;
  req.url = "http://localhost:5000/";
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"}};
  req.body = "{}";
  return req;
}

const std::string kTooSkewed =
    "<ErrorResponse><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and "
    "the current time is too large.</Message></Error></ErrorResponse>";

// ---- parse_http_date ----

TEST(HttpDate, ImfFixdate) {
  EXPECT_EQ(parse_http_date("Thu, 15 Jan 2026 10:00:00 GMT"), at(kT0));
  EXPECT_EQ(parse_http_date("Thu, 15 Jan 2026 10:20:00 GMT"), at(kT0 + 1200));
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(784111777));
}

TEST(HttpDate, ObsoleteForms) {
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), at(784111777));
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), at(784111777));
}

TEST(HttpDate, GarbageIsNullopt) {
  for (const char* bad : {"", "yesterday", "Thu, 32 Jan 2026 10:00:00 GMT", "Thu, 15 Foo 2026 10:00:00 GMT",
                          "Thu, 15 Jan 2026 25:00:00 GMT", "Thu, 15 Jan 2026", "1768471200",
                          "Thu, 29 Feb 2025 10:00:00 GMT"})
    EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
  EXPECT_EQ(parse_http_date(std::string(10000, ':')), std::nullopt);
}

// ---- skew_correction ----

Error api(std::string code, std::string message = "") {
  Error e;
  e.kind = Error::Kind::Api;
  e.code = std::move(code);
  e.message = std::move(message);
  e.http_status = 403;
  return e;
}

HttpResponse dated(std::string date) {
  HttpResponse r;
  r.status = 403;
  r.headers = {{"Date", std::move(date)}};
  return r;
}

TEST(SkewCorrection, TimeCodesCorrectFromTheDateHeader) {
  const auto server = dated("Thu, 15 Jan 2026 10:20:00 GMT");
  for (const char* code : {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"})
    EXPECT_EQ(skew_correction(api(code), server, at(kT0), at(kT0)), Duration{1200}) << code;
  // The offset is relative to the local clock, not to the (already offset) signing time.
  EXPECT_EQ(skew_correction(api("RequestTimeTooSkewed"), server, at(kT0 + 600), at(kT0)), Duration{1200});
}

TEST(SkewCorrection, SignatureErrorsOnlyWhenAboutTime) {
  const auto far = dated("Thu, 15 Jan 2026 10:20:00 GMT");
  const auto near = dated("Thu, 15 Jan 2026 10:01:00 GMT");
  const Error plain = api("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
  EXPECT_EQ(skew_correction(plain, near, at(kT0), at(kT0)), std::nullopt);  // a wrong secret, not a clock
  EXPECT_EQ(skew_correction(plain, far, at(kT0), at(kT0)), Duration{1200});  // > 4 minutes apart
  const Error expired = api("InvalidSignatureException", "Signature expired: 20260115T100000Z is now earlier than 20260115T100100Z");
  EXPECT_EQ(skew_correction(expired, near, at(kT0), at(kT0)), Duration{60});
  EXPECT_EQ(skew_correction(api("AuthFailure", "not yet current"), near, at(kT0), at(kT0)), Duration{60});
}

TEST(SkewCorrection, NothingToCorrectWith) {
  EXPECT_EQ(skew_correction(api("RequestTimeTooSkewed"), HttpResponse{}, at(kT0), at(kT0)), std::nullopt);
  EXPECT_EQ(skew_correction(api("RequestTimeTooSkewed"), dated("garbage"), at(kT0), at(kT0)), std::nullopt);
  EXPECT_EQ(skew_correction(api("Throttling"), dated("Thu, 15 Jan 2026 10:20:00 GMT"), at(kT0), at(kT0)), std::nullopt);
  Error transport = api("RequestTimeTooSkewed");
  transport.kind = Error::Kind::Transport;
  EXPECT_EQ(skew_correction(transport, dated("Thu, 15 Jan 2026 10:20:00 GMT"), at(kT0), at(kT0)), std::nullopt);
}

// ---- ServiceClient: a clock 20 minutes slow ----

TEST(ClockSkewRetry, TwentyMinutesOffRecoversAfterOneRetry) {
  Harness h;  // local clock: 10:00:00, the server's: 10:20:00
  SkewObserver observer;
  ServiceContext ctx = h.context();
  ctx.observer = &observer;
  ServiceClient client(ctx, Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
  h.transport.respond(403, kTooSkewed, {{"Date", "Thu, 15 Jan 2026 10:20:00 GMT"}}).respond(200, "{}");
  auto r = client.send("GetMetricData", request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(find_header(h.transport.requests[0].headers, "X-Amz-Date"), "20260115T100000Z");
  EXPECT_EQ(find_header(h.transport.requests[1].headers, "X-Amz-Date"), "20260115T102000Z");
  // The retried request carries a valid signature for the corrected time.
  HttpRequest expected = request();
  sigv4::SigningParams params;
  params.region = "us-east-1";
  params.service = "monitoring";
  params.time = at(kT0 + 1200);
  sigv4::sign(expected, h.credentials->credentials().value(), params);
  EXPECT_EQ(find_header(h.transport.requests[1].headers, "Authorization"), find_header(expected.headers, "Authorization"));
  EXPECT_TRUE(h.sleeps.empty());  // corrected at once, no backoff
  EXPECT_THAT(observer.skews, ::testing::ElementsAre("monitoring GetMetricData 1200"));
  EXPECT_EQ(observer.retries, 1);
  EXPECT_EQ(client.context().skew->offset(), Duration{1200});

  // Later requests are signed with the corrected clock straight away.
  h.now = at(kT0 + 60);
  h.transport.respond(200, "{}");
  ASSERT_TRUE(client.send("GetMetricData", request()).ok());
  EXPECT_EQ(find_header(h.transport.requests[2].headers, "X-Amz-Date"), "20260115T102100Z");
}

TEST(ClockSkewRetry, SharedSkewCorrectsEveryClientOfTheContext) {
  Harness h;
  ServiceContext ctx = h.context();
  ctx.skew = std::make_shared<ClockSkew>();
  ServiceClient cw(ctx, Endpoint{"http://localhost:5000", "us-east-1", "monitoring"});
  ServiceClient sns(ctx, Endpoint{"http://localhost:5000", "us-east-1", "sns"});
  h.transport.respond(403, kTooSkewed, {{"Date", "Thu, 15 Jan 2026 09:40:00 GMT"}}).respond(200, "{}").respond(200, "<ok/>");
  ASSERT_TRUE(cw.send("GetMetricData", request()).ok());
  ASSERT_TRUE(sns.send("Publish", request()).ok());
  EXPECT_EQ(ctx.skew->offset(), Duration{-1200});
  EXPECT_EQ(find_header(h.transport.requests[2].headers, "X-Amz-Date"), "20260115T094000Z");
}

TEST(ClockSkewRetry, OnlyOneCorrectedRetryPerCall) {
  Harness h;
  h.transport.respond(403, kTooSkewed, {{"Date", "Thu, 15 Jan 2026 10:20:00 GMT"}})
      .respond(403, kTooSkewed, {{"Date", "Thu, 15 Jan 2026 10:40:00 GMT"}})
      .respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RequestTimeTooSkewed");
  EXPECT_EQ(r.error().attempts, 2);
  EXPECT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(h.transport.pending(), 1u);
}

TEST(ClockSkewRetry, CorrectedRetryDoesNotUseUpThrottlingRetries) {
  Harness h;
  const Headers throttled{{"x-amzn-query-error", "Throttling;Sender"}};
  h.transport.respond(400, "", throttled)
      .respond(400, "", throttled)
      .respond(403, kTooSkewed, {{"Date", "Thu, 15 Jan 2026 10:20:00 GMT"}})
      .respond(200, "{}");
  auto client = h.client();
  auto r = client.send("GetMetricData", request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(h.transport.requests.size(), 4u);
}

TEST(ClockSkewRetry, WrongSecretIsNotRetried) {
  Harness h;
  h.transport.respond(403,
                      "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
                      "calculated does not match the signature you provided.</Message></Error></ErrorResponse>",
                      {{"Date", "Thu, 15 Jan 2026 10:00:02 GMT"}});
  auto client = h.client();
  auto r = client.send("GetMetricData", request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(h.transport.requests.size(), 1u);
  EXPECT_EQ(client.context().skew->offset(), Duration{0});
}

}  // namespace
}  // namespace bw::aws
