#include "agent/status_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace bw::agent {
namespace {

Time at(std::string_view text) { return parse_rfc3339(text).value_or(Time{}); }

StatusSnapshot ready_snapshot() {
  StatusSnapshot s;
  s.ready = true;
  s.last_cycle = at("2026-11-22T06:00:00Z");
  s.alerts.push_back({"drain", "drain", {{"modelId", "m1"}}, AlarmState::Drained, 0.0, "queue drained",
                      at("2026-11-22T05:00:00Z")});
  s.alerts.push_back({"tokens-high", "threshold", {{"modelId", "m2"}}, AlarmState::Ok, 12.5, "below",
                      at("2026-11-22T04:00:00Z")});
  s.alerts.push_back({"tokens-high", "threshold", {{"modelId", "m3"}}, AlarmState::Alarm, std::nullopt, "missing",
                      at("2026-11-22T03:00:00Z")});
  s.outbox["ops"] = {2, 1};
  return s;
}

class StatusServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<StatusServer>(metrics_);
    ASSERT_EQ(server_->start("127.0.0.1:0"), "");
    ASSERT_GT(server_->port(), 0);
    ASSERT_TRUE(server_->running());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_connection_timeout(5);
    client_->set_read_timeout(5);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  AgentMetrics metrics_;
  std::unique_ptr<StatusServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StatusServerTest, HealthzIsAlwaysOk) {
  auto res = client_->Get("/healthz");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok\n");
}

TEST_F(StatusServerTest, ReadyzIs503UntilASnapshotSaysReady) {
  auto before = client_->Get("/readyz");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 503);
  EXPECT_NE(before->body.find("no poll cycle has completed yet"), std::string::npos) << before->body;

  server_->publish(ready_snapshot());
  auto after = client_->Get("/readyz");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(StatusServerTest, MetricsUsesTheExpositionContentType) {
  metrics_.record_cycle(0.2);
  metrics_.on_response("monitoring", "GetMetricData", "200");
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << res->get_header_value("Content-Type");
  EXPECT_NE(res->body.find("\nbatchwatch_cycles_total 1\n"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("\nbatchwatch_getmetricdata_calls_total 1\n"), std::string::npos);
}

TEST_F(StatusServerTest, AlertsListsNonOkSeriesByDefaultAndAllOnRequest) {
  server_->publish(ready_snapshot());
  auto res = client_->Get("/api/v1/alerts");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(res->body);
  ASSERT_EQ(body["alerts"].size(), 2u);
  const auto& drain = body["alerts"][0];
  EXPECT_EQ(drain["rule"], "drain");
  EXPECT_EQ(drain["kind"], "drain");
  EXPECT_EQ(drain["state"], "DRAINED");
  EXPECT_EQ(drain["labels"], nlohmann::json({{"modelId", "m1"}}));
  EXPECT_EQ(drain["value"], 0.0);
  EXPECT_EQ(drain["reason"], "queue drained");
  EXPECT_EQ(drain["since"], "2026-11-22T05:00:00Z");
  EXPECT_TRUE(body["alerts"][1]["value"].is_null());
  EXPECT_EQ(body["last_cycle"], "2026-11-22T06:00:00Z");

  auto all = client_->Get("/api/v1/alerts?all=1");
  ASSERT_TRUE(all);
  EXPECT_EQ(nlohmann::json::parse(all->body)["alerts"].size(), 3u);
}

TEST_F(StatusServerTest, RootIsASummaryAndUnknownPathsAre404) {
  server_->publish(ready_snapshot());
  auto root = client_->Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_NE(root->body.find("ready: yes"), std::string::npos) << root->body;
  EXPECT_NE(root->body.find("ops: 2 pending, 1 dead"), std::string::npos) << root->body;

  auto missing = client_->Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(StatusServerTest, StartOnAPortInUseReturnsAnError) {
  StatusServer second(metrics_);
  const auto error = second.start("127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_NE(error, "");
  EXPECT_NE(error.find(std::to_string(server_->port())), std::string::npos) << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  EXPECT_FALSE(second.running());
  // The first server is unaffected.
  auto res = client_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(StatusServerTest, StopIsCleanAndIdempotent) {
  server_->stop();
  EXPECT_FALSE(server_->running());
  server_->stop();
  EXPECT_FALSE(client_->Get("/healthz"));
}

TEST(StatusServerAddress, ParsesHostPortAndRejectsMalformedAddresses) {
  std::string error;
  auto a = parse_listen_address("127.0.0.1:9917", error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9917);
  auto v6 = parse_listen_address("[::1]:0", error);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"", "9917", "localhost", ":9917", "host:", "host:70000", "host:12x", "[::1]9917"}) {
    error.clear();
    EXPECT_FALSE(parse_listen_address(bad, error)) << bad;
    EXPECT_NE(error, "") << bad;
  }
  AgentMetrics metrics;
  StatusServer server(metrics);
  EXPECT_NE(server.start("nonsense"), "");
  EXPECT_FALSE(server.running());
}

}  // namespace
}  // namespace bw::agent
