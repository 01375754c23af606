// /api/v1/series, /api/v1/jobs and the bearer token, through a real StatusServer on loopback.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/status/status_api.hpp"
#include "tests/unit/agent/status/page_fixtures.hpp"

namespace bw::agent {
namespace {

class StatusApiTest : public ::testing::Test {
 protected:
  void start(const std::string& token = "") {
    server_ = std::make_unique<StatusServer>(metrics_);
    if (!token.empty()) server_->require_token(token);
    ASSERT_EQ(server_->start("127.0.0.1:0"), "");
    server_->publish(testing::small_snapshot());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5);
  }
  httplib::Result get(const std::string& path, const std::string& authorization = "") {
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    return client_->Get(path, headers);
  }

  AgentMetrics metrics_;
  std::unique_ptr<StatusServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StatusApiTest, SeriesOfARuleAreThePointsBehindItsSparklines) {
  start();
  auto res = get("/api/v1/series?rule=tokens-high");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(res->body);
  ASSERT_EQ(body["series"].size(), 2u);
  const auto& m3 = body["series"][1];
  EXPECT_EQ(m3["series"], "modelId=m3");
  EXPECT_EQ(m3["labels"]["modelId"], "m3");
  EXPECT_EQ(m3["state"], "ALARM");
  EXPECT_EQ(m3["period"], 60);
  EXPECT_EQ(m3["reference"], (nlohmann::json{{"kind", "threshold"}, {"value", 1000000.0}}));
  ASSERT_EQ(m3["points"].size(), 30u);
  EXPECT_EQ(m3["points"][0], (nlohmann::json{{"timestamp", "2026-11-22T05:30:00Z"}, {"value", nullptr}}));
  EXPECT_EQ(m3["points"][29], (nlohmann::json{{"timestamp", "2026-11-22T05:59:00Z"}, {"value", 1262500.0}}));
  EXPECT_EQ(body["last_cycle"], "2026-11-22T06:00:00Z");

  // Shortest float text: a value that is not exact in a float reads as it was written.
  const auto m2 = nlohmann::json::parse(get("/api/v1/series?rule=tokens-high&series=modelId%3Dm2")->body);
  ASSERT_EQ(m2["series"].size(), 1u);
  EXPECT_EQ(m2["series"][0]["points"][1]["value"].dump(), "10.1");

  const auto all = nlohmann::json::parse(get("/api/v1/series")->body);
  EXPECT_EQ(all["series"].size(), 3u);  // the composite has no metric
}

TEST_F(StatusApiTest, UnknownRuleOrSeriesIs404WithTheReason) {
  start();
  auto res = get("/api/v1/series?rule=nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "no series with a metric for rule \"nope\"");
  res = get("/api/v1/series?rule=tokens-high&series=modelId%3Dm9");
  EXPECT_EQ(res->status, 404);
  res = get("/api/v1/series?rule=both-bad");  // a composite: no metric
  EXPECT_EQ(res->status, 404);
}

TEST_F(StatusApiTest, JobsUseBedrockFieldNamesAndTheEta) {
  start();
  auto res = get("/api/v1/jobs");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto jobs = nlohmann::json::parse(res->body)["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0]["jobName"], "night-1");
  EXPECT_EQ(jobs[0]["jobArn"], "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc1");
  EXPECT_EQ(jobs[0]["modelId"], "anthropic.claude-3-haiku");
  EXPECT_EQ(jobs[0]["status"], "InProgress");
  EXPECT_EQ(jobs[0]["totalRecordCount"], 5000);
  EXPECT_EQ(jobs[0]["processedRecordCount"], 1200);
  EXPECT_EQ(jobs[0]["errorRecordCount"], 3);
  EXPECT_EQ(jobs[0]["successRecordCount"], nullptr);
  EXPECT_EQ(jobs[0]["outputS3Uri"], "s3://out/night-1/");
  EXPECT_EQ(jobs[0]["eta"], "2026-11-22T08:30:00Z");
  EXPECT_EQ(jobs[0]["endTime"], nullptr);
  EXPECT_EQ(jobs[1]["endTime"], "2026-11-22T04:00:00Z");
  EXPECT_EQ(jobs[1]["eta"], nullptr);
  for (const char* field : {"message", "submitTime", "lastModifiedTime", "jobExpirationTime"})
    EXPECT_TRUE(jobs[0].contains(field)) << field;
}

TEST_F(StatusApiTest, WithATokenEveryPathButTheProbesNeedsTheBearer) {
  start("s3cret-token");
  for (const char* path : {"/", "/metrics", "/api/v1/alerts", "/api/v1/series", "/api/v1/jobs", "/nope"}) {
    auto none = get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"batchwatch\"") << path;
    EXPECT_EQ(none->body.find("s3cret"), std::string::npos) << path;
    for (const char* wrong : {"Bearer s3cret-tokem", "Bearer s3cret", "Bearer s3cret-token2", "Basic s3cret-token",
                              "bearer s3cret-token", "s3cret-token"})
      EXPECT_EQ(get(path, wrong)->status, 401) << path << " " << wrong;
  }
  for (const char* path : {"/", "/metrics", "/api/v1/alerts", "/api/v1/series", "/api/v1/jobs"})
    EXPECT_EQ(get(path, "Bearer s3cret-token")->status, 200) << path;
  EXPECT_EQ(get("/nope", "Bearer s3cret-token")->status, 404);
  EXPECT_EQ(get("/healthz")->status, 200);
  EXPECT_EQ(get("/readyz")->status, 200);
}

TEST_F(StatusApiTest, WithoutATokenNothingAsksForOne) {
  start();
  EXPECT_EQ(get("/")->status, 200);
  EXPECT_EQ(get("/api/v1/jobs", "Bearer whatever")->status, 200);
}

}  // namespace
}  // namespace bw::agent
