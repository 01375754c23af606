// The agent file's `heartbeat:` key: off when absent, defaults when empty, CloudWatch's limits checked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

TEST(Heartbeat, OffWithoutTheKey) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "server: {listen: \"\"}\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_FALSE(r.config->heartbeat.has_value());
}

TEST(Heartbeat, EmptyOrNullMeansTheDefaults) {
  TempDir dir;
  for (const char* text : {"heartbeat: {}\n", "heartbeat:\n"}) {
    const auto agent = dir.write("agent.yaml", text);
    auto r = load(agent, fake_env);
    ASSERT_THAT(strings(r.diagnostics), IsEmpty()) << text;
    ASSERT_TRUE(r.config->heartbeat.has_value()) << text;
    EXPECT_EQ(r.config->heartbeat->ns, "Batchwatch");
    EXPECT_EQ(r.config->heartbeat->replica, "");  // HOSTNAME-PID, chosen at run time
  }
}

TEST(Heartbeat, NamespaceAndReplica) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "heartbeat: {namespace: Ops/Batchwatch, replica: host-a}\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->heartbeat->ns, "Ops/Batchwatch");
  EXPECT_EQ(r.config->heartbeat->replica, "host-a");
}

TEST(Heartbeat, ProblemsNameTheLine) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "heartbeat:\n  namespace: AWS/Bedrock\n  replica: \"\"\n  replika: a\n");
  auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:14: invalid heartbeat namespace \"AWS/Bedrock\" (1 to 255 characters, not "
                                  "starting with \"AWS/\", e.g. Batchwatch)",
                          agent + ":3:12: \"heartbeat.replica\" must be 1 to 1024 characters (leave it out for "
                                  "HOSTNAME-PID)",
                          agent + ":4:3: unknown key \"replika\" (did you mean \"replica\"?)"));
}

}  // namespace
}  // namespace bw::config
