// The agent file's `ha:` block: off when absent, defaults, DynamoDB's table name rules, the lease floor,
// and FILE:LINE:COL for every problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

TEST(Ha, OffWithoutTheKey) {
  TempDir dir;
  auto r = load(dir.write("agent.yaml", "server: {listen: \"\"}\n"), fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_FALSE(r.config->ha.has_value());
}

TEST(Ha, TableAloneTakesTheDefaults) {
  TempDir dir;
  auto r = load(dir.write("agent.yaml", "ha:\n  dynamodb_table: batchwatch-ha\n"), fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  ASSERT_TRUE(r.config->ha.has_value());
  EXPECT_EQ(r.config->ha->dynamodb_table, "batchwatch-ha");
  EXPECT_FALSE(r.config->ha->create_table);
  EXPECT_EQ(r.config->ha->replica, "");  // HOSTNAME-PID, chosen at run time
  EXPECT_EQ(r.config->ha->lease, Duration{30});
}

TEST(Ha, EveryKey) {
  TempDir dir;
  auto r = load(dir.write("agent.yaml", "ha:\n  dynamodb_table: Ops.Claims_1\n  create_table: true\n  replica: host-a\n"
                                        "  lease: 2m\n"),
                fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->ha->dynamodb_table, "Ops.Claims_1");
  EXPECT_TRUE(r.config->ha->create_table);
  EXPECT_EQ(r.config->ha->replica, "host-a");
  EXPECT_EQ(r.config->ha->lease, Duration{120});
}

TEST(Ha, TheTableIsRequired) {
  TempDir dir;
  // Pointed at `ha:` itself, or at the map's first key when it has some.
  for (const auto& [text, at] : std::vector<std::pair<std::string, std::string>>{
           {"ha:\n", ":1:1"}, {"ha: {}\n", ":1:5"}, {"ha:\n  lease: 30s\n", ":2:3"}}) {
    const auto agent = dir.write("agent.yaml", text);
    auto r = load(agent, fake_env);
    EXPECT_THAT(strings(r.diagnostics),
                ElementsAre(agent + at + ": \"ha\" is missing \"dynamodb_table\" (the DynamoDB table every replica "
                                         "shares, e.g. batchwatch-ha)"))
        << text;
  }
}

TEST(Ha, ProblemsNameTheLine) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "ha:\n  dynamodb_table: \"my table\"\n  create_table: yes please\n"
                                             "  replica: \"\"\n  lease: 9s\n  leese: 30s\n");
  auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:19: invalid DynamoDB table name \"my table\" (3 to 255 characters: letters, "
                                  "digits, _ . -)",
                          agent + ":3:17: \"create_table\" must be true or false, not \"yes please\"",
                          agent + ":4:12: \"ha.replica\" must be 1 to 1024 characters (leave it out for HOSTNAME-PID)",
                          agent + ":5:10: \"ha.lease\" is 9s; use at least 10s (at least twice the longest send plus "
                                  "the clock skew between replicas; default 30s)",
                          agent + ":6:3: unknown key \"leese\" (did you mean \"lease\"?)"));
}

TEST(Ha, TableNameLengthAndWrongTypes) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "ha:\n  dynamodb_table: ab\n  lease: [1]\n  replica: {a: 1}\n");
  auto r = load(agent, fake_env);
  const auto d = strings(r.diagnostics);
  ASSERT_EQ(d.size(), 3u) << ::testing::PrintToString(d);
  EXPECT_THAT(d[0], ::testing::StartsWith(agent + ":2:19: invalid DynamoDB table name \"ab\""));
  EXPECT_THAT(d[1], ::testing::StartsWith(agent + ":3:10: "));
  EXPECT_THAT(d[2], ::testing::StartsWith(agent + ":4:12: "));
  auto not_a_map = load(dir.write("agent.yaml", "ha: batchwatch-ha\n"), fake_env);
  EXPECT_THAT(strings(not_a_map.diagnostics), ElementsAre(::testing::StartsWith(dir.path() + "/agent.yaml:1:")));
}

}  // namespace
}  // namespace bw::config
