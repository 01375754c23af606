#include "agent/status/status_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
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
  s.outbox["ops"] = {2, 1, at("2026-11-22T05:30:00Z")};
  return s;
}

// What /api/v1/alerts must send for `s`, built as one DOM and dumped at once.
std::string whole_document_json(const StatusSnapshot& s, bool all) {
  auto list = nlohmann::json::array();
  for (const auto& a : s.alerts) {
    if (!all && a.state == AlarmState::Ok) continue;
    auto labels = nlohmann::json::object();
    for (const auto& d : a.labels) labels[std::string(d.name)] = d.value;
    list.push_back({{"rule", a.rule},
                    {"kind", a.kind},
                    {"labels", labels},
                    {"state", std::string(to_string(a.state))},
                    {"value", a.value ? nlohmann::json(*a.value) : nlohmann::json(nullptr)},
                    {"reason", a.reason},
                    {"since", format_rfc3339(a.since)}});
  }
  const auto last = s.last_cycle ? nlohmann::json(format_rfc3339(*s.last_cycle)) : nlohmann::json(nullptr);
  const nlohmann::json whole = {{"alerts", list}, {"last_cycle", last}};
  return whole.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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

TEST_F(StatusServerTest, LargeBodiesAreSentChunkedAndWhole) {
  std::vector<RuleStateSample> states;
  StatusSnapshot s;
  s.ready = true;
  s.last_cycle = at("2026-11-22T06:00:00Z");
  for (int r = 0; r < 10; ++r)
    for (int i = 0; i < 1000; ++i) {
      const std::vector<Dimension> labels{{"modelId", "model-" + std::to_string(i)}};
      const auto state = i % 3 == 0 ? AlarmState::Ok : AlarmState::Alarm;
      states.push_back({"rule-" + std::to_string(r), labels, state});
      s.alerts.add("rule-" + std::to_string(r), "threshold", labels, state, i * 1.5, "reason " + std::to_string(i % 7),
                   at("2026-11-22T05:00:00Z"));
    }
  metrics_.set_rule_states(states);
  server_->publish(std::move(s));

  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(metrics->body, metrics_.render());
  EXPECT_GT(metrics->body.size(), 4 * MetricsRegistry::kRenderChunk);

  auto alerts = client_->Get("/api/v1/alerts?all=1");
  ASSERT_TRUE(alerts);
  EXPECT_EQ(alerts->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(alerts->body, whole_document_json(*server_->snapshot(), true));
  const auto body = nlohmann::json::parse(alerts->body);
  ASSERT_EQ(body["alerts"].size(), 10000u);
  EXPECT_EQ(body["alerts"][9999]["reason"], "reason " + std::to_string(999 % 7));
  EXPECT_EQ(body["alerts"][9999]["labels"]["modelId"], "model-999");

  auto root = client_->Get("/");
  ASSERT_TRUE(root);
  // Whole: one alert row per series not OK, and the page's end.
  std::size_t rows = 0;
  for (auto at = root->body.find("<tr data-rule="); at != std::string::npos; at = root->body.find("<tr data-rule=", at + 1))
    ++rows;
  EXPECT_EQ(rows, 6660u);
  EXPECT_NE(root->body.find("<tr data-rule=\"rule-9\" data-series=\"modelId=model-998\" data-state=\"ALARM\">"),
            std::string::npos);
  EXPECT_TRUE(root->body.ends_with("</html>\n"));
}

// The streamed JSON is the text the DOM of the whole answer dumped.
TEST_F(StatusServerTest, AlertsJsonIsWhatTheWholeDocumentDumps) {
  auto before = client_->Get("/api/v1/alerts?all=1");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->body, "{\"alerts\":[],\"last_cycle\":null}\n");

  auto s = ready_snapshot();
  s.alerts.push_back({"odd", "threshold", {{"a", "x\"y"}, {"b", "\xff"}}, AlarmState::InsufficientData, 1e-7, "",
                      at("2026-11-22T02:00:00Z")});
  server_->publish(std::move(s));
  for (const bool all : {false, true}) {
    auto res = client_->Get(all ? "/api/v1/alerts?all=1" : "/api/v1/alerts");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, whole_document_json(*server_->snapshot(), all));
  }
}

TEST(AlertList, KeepsEveryFieldAndStoresRepeatedReasonsOnce) {
  AlertList list;
  const std::vector<Dimension> m1{{"modelId", "m1"}}, m2{{"modelId", "m2"}, {"region", std::string(300, 'x')}};
  const std::string long_reason(100000, 'r');  // larger than a block
  list.add("r1", "threshold", m1, AlarmState::Alarm, 2.5, "same", at("2026-11-22T01:00:00Z"));
  list.add("r1", "threshold", m2, AlarmState::Ok, std::nullopt, "same", at("2026-11-22T02:00:00Z"));
  list.add("r2", "drained", m1, AlarmState::Drained, 0.0, long_reason, at("2026-11-22T03:00:00Z"));
  list.add("r2", "drained", {}, AlarmState::InsufficientData, -1.0, "", at("2026-11-22T04:00:00Z"));
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].rule, "r1");
  EXPECT_EQ(list[0].kind, "threshold");
  EXPECT_EQ(list[0].labels.to_vector(), m1);
  EXPECT_EQ(list[0].state, AlarmState::Alarm);
  EXPECT_EQ(list[0].value, 2.5);
  EXPECT_EQ(list[0].since, at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(list[1].labels.to_vector(), m2);
  EXPECT_EQ(list[1].value, std::nullopt);
  EXPECT_EQ(list[1].reason, "same");
  EXPECT_EQ(list[0].reason.data(), list[1].reason.data());  // stored once
  EXPECT_EQ(list[2].reason, long_reason);
  EXPECT_EQ(list[2].kind, "drained");
  EXPECT_EQ(list[2].labels.data(), list[0].labels.data());  // label sets stored once
  EXPECT_TRUE(list[3].labels.empty());
  EXPECT_TRUE(list[3].labels.to_vector().empty());
  EXPECT_EQ(list[3].reason, "");
  EXPECT_EQ(list[3].value, -1.0);
  std::size_t n = 0;
  for (const auto& a : list) n += a.rule.size();
  EXPECT_EQ(n, 8u);
}

// The engine's kept reasons are shared, not copied: the list refers to them and keeps their owner.
TEST(AlertList, RefersToAHeldReasonAndKeepsItsOwner) {
  auto text = std::make_shared<const std::string>("Threshold Crossed: kept by the engine");
  const std::string_view reason = *text;
  AlertList list;
  list.hold(text);
  list.add("r1", "threshold", {{"modelId", "m1"}}, AlarmState::Alarm, 2.5, reason, at("2026-11-22T01:00:00Z"), true);
  list.add("r1", "threshold", {{"modelId", "m2"}}, AlarmState::Alarm, 2.5, reason, at("2026-11-22T01:00:00Z"));
  text.reset();
  EXPECT_EQ(list[0].reason.data(), reason.data());  // referred to
  EXPECT_EQ(list[0].reason, "Threshold Crossed: kept by the engine");  // alive: the list holds it
  EXPECT_NE(list[1].reason.data(), reason.data());  // not held: copied
}

TEST_F(StatusServerTest, RootIsTheHtmlPageThatMayLoadNothingAndUnknownPathsAre404) {
  server_->publish(ready_snapshot());
  auto root = client_->Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(root->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(root->body.find("<section id=\"alerts\">"), std::string::npos) << root->body;
  EXPECT_NE(root->body.find("data-target=\"ops\" data-pending=\"2\" data-dead=\"1\""), std::string::npos);
  EXPECT_NE(root->body.find("30m old"), std::string::npos);  // oldest pending, as of the last cycle

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
