// The heartbeat: its two data (with and without Replica), the PutMetricData request against a scripted
// transport, and that a failed heartbeat is a warning in the log and nothing else.
#include "agent/cli/heartbeat.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/unit/agent/test_support.hpp"
#include "tests/unit/aws/fake_transport.hpp"

namespace bw::agent {
namespace {

using ::testing::HasSubstr;

config::Config with_heartbeat(std::string ns, std::string replica) {
  config::Config cfg;
  cfg.heartbeat = config::HeartbeatConfig{std::move(ns), std::move(replica)};
  return cfg;
}

TEST(Heartbeat, DefaultReplicaIsHostnameDashPid) {
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(default_replica_name(), std::string(host) + "-" + std::to_string(getpid()));
  EXPECT_EQ(replica_name(config::HeartbeatConfig{"Batchwatch", ""}), default_replica_name());
  EXPECT_EQ(replica_name(config::HeartbeatConfig{"Batchwatch", "a"}), "a");
}

TEST(Heartbeat, OneNamePerReplicaHaFirst) {
  config::Config cfg;
  EXPECT_EQ(replica_name(cfg), default_replica_name());
  cfg.heartbeat = config::HeartbeatConfig{"Batchwatch", ""};
  cfg.ha = config::HaConfig{"batchwatch-ha", false, "", Duration{30}};
  EXPECT_EQ(replica_name(cfg), default_replica_name());
  cfg.heartbeat->replica = "hb";
  EXPECT_EQ(replica_name(cfg), "hb");  // the heartbeat's name, for the claims too
  cfg.ha->replica = "ha";
  EXPECT_EQ(replica_name(cfg), "ha");  // ha.replica wins for both
}

TEST(Heartbeat, OnePutMetricDataWithAndWithoutTheReplicaDimension) {
  aws::fake::Harness h;
  h.transport.respond(200, "{}", {{"Content-Type", "application/x-amz-json-1.0"}});
  auto service = h.client("monitoring");
  aws::CloudWatchClient cloudwatch(service);
  testing::CapturedLog log;
  const auto cfg = with_heartbeat("Ops/Batchwatch", "replica-a");
  auto beat = make_heartbeat(cfg, cloudwatch, log.log());
  ASSERT_TRUE(beat);
  beat();
  ASSERT_EQ(h.transport.requests.size(), 1u);
  const auto& sent = h.transport.requests[0];
  EXPECT_EQ(aws::find_header(sent.headers, "X-Amz-Target"), "GraniteServiceVersion20100801.PutMetricData");
  EXPECT_EQ(aws::find_header(sent.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(nlohmann::json::parse(sent.body), nlohmann::json::parse(R"({"Namespace": "Ops/Batchwatch", "MetricData": [
      {"MetricName": "Heartbeat", "Dimensions": [{"Name": "Replica", "Value": "replica-a"}], "Value": 1.0, "Unit": "Count"},
      {"MetricName": "Heartbeat", "Value": 1.0, "Unit": "Count"}]})"));
  EXPECT_THAT(h.observer.responses, ::testing::ElementsAre("monitoring PutMetricData 200"));
  EXPECT_EQ(log.text(), "");
}

TEST(Heartbeat, AFailureIsAWarningNamingTheReplicaAndTheError) {
  aws::fake::Harness h;
  h.transport.respond(403, R"({"__type": "AccessDenied", "message": "not allowed: cloudwatch:PutMetricData"})");
  auto service = h.client("monitoring");
  aws::CloudWatchClient cloudwatch(service);
  testing::CapturedLog log;
  const auto cfg = with_heartbeat("Batchwatch", "replica-b");
  make_heartbeat(cfg, cloudwatch, log.log())();
  EXPECT_THAT(log.text(), HasSubstr(" warn  heartbeat not sent"));
  EXPECT_THAT(log.text(), HasSubstr("heartbeat not sent"));
  EXPECT_THAT(log.text(), HasSubstr("replica=replica-b"));
  EXPECT_THAT(log.text(), HasSubstr("AccessDenied"));
  EXPECT_THAT(h.observer.responses, ::testing::ElementsAre("monitoring PutMetricData AccessDenied"));
}

TEST(Heartbeat, NoneWithoutTheKey) {
  aws::fake::Harness h;
  auto service = h.client("monitoring");
  aws::CloudWatchClient cloudwatch(service);
  testing::CapturedLog log;
  EXPECT_FALSE(make_heartbeat(config::Config{}, cloudwatch, log.log()));
}

}  // namespace
}  // namespace bw::agent
