// aws.accounts: parsing, diagnostics, and the account/region dimensions added to every rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

const char* kRules = R"(rules:
  - name: tokens-high
    kind: threshold
    metric:
      namespace: AWS/Bedrock/Batch
      name: NumberOfInputTokensProcessedPerMinute
      dimensions: {modelId: "*"}
      period: 1h
    comparison: ">"
    threshold: 1000000
  - name: pending-fixed
    kind: threshold
    metric:
      namespace: AWS/Bedrock/Batch
      name: NumberOfRecordsPendingProcessing
      dimensions: {modelId: m1}
    comparison: ">"
    threshold: 10
  - name: both
    kind: composite
    all_of: [tokens-high, pending-fixed]
)";

// Loads an agent file of `aws` settings whose rules are `rules`.
LoadResult load_with(const TempDir& dir, const std::string& aws, const std::string& rules = kRules) {
  dir.write("rules/r.yaml", rules);
  return load(dir.agent(aws + "rule_files: [rules/*.yaml]\n"), fake_env);
}

TEST(Accounts, ParsedIntoAwsConfig) {
  TempDir dir;
  const auto r = load_with(dir, R"(aws:
  region: us-east-1
  accounts:
    - name: prod
      role_arn: arn:aws:iam::111111111111:role/batchwatch
      external_id: ext-1
      regions: [us-east-1, eu-west-1]
    - name: gov.team_2
      role_arn: arn:aws-us-gov:iam::222222222222:role/path/reader
)");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(strings(r.diagnostics));
  const auto& accounts = r.config->aws.accounts;
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].name, "prod");
  EXPECT_EQ(accounts[0].role_arn, "arn:aws:iam::111111111111:role/batchwatch");
  EXPECT_EQ(accounts[0].external_id, "ext-1");
  EXPECT_THAT(accounts[0].regions, ElementsAre("us-east-1", "eu-west-1"));
  EXPECT_EQ(accounts[1].name, "gov.team_2");
  EXPECT_EQ(accounts[1].external_id, "");
  EXPECT_THAT(accounts[1].regions, IsEmpty());  // the agent's region
}

TEST(Accounts, EveryNonCompositeRuleGainsAccountAndRegionWildcards) {
  TempDir dir;
  const auto r = load_with(dir, R"(aws:
  accounts:
    - name: prod
      role_arn: arn:aws:iam::111111111111:role/batchwatch
)");
  ASSERT_TRUE(r.config) << ::testing::PrintToString(strings(r.diagnostics));
  const auto& rules = r.config->rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].metric.dimensions,
            (std::vector<Dimension>{{"account", "*"}, {"modelId", "*"}, {"region", "*"}}));
  EXPECT_EQ(rules[1].metric.dimensions,
            (std::vector<Dimension>{{"account", "*"}, {"modelId", "m1"}, {"region", "*"}}));
  EXPECT_TRUE(rules[1].metric.has_wildcard());
  EXPECT_THAT(rules[2].metric.dimensions, IsEmpty());  // composite: untouched
}

TEST(Accounts, WithoutAccountsRulesAreUntouched) {
  TempDir dir;
  const auto r = load_with(dir, "aws:\n  region: us-east-1\n");
  ASSERT_TRUE(r.config);
  EXPECT_THAT(r.config->aws.accounts, IsEmpty());
  EXPECT_EQ(r.config->rules[0].metric.dimensions, (std::vector<Dimension>{{"modelId", "*"}}));
}

TEST(Accounts, Diagnostics) {
  TempDir dir;
  const auto r = load_with(dir, R"(aws:
  accounts:
    - name: prod
      role_arn: arn:aws:iam::111111111111:role/batchwatch
    - name: prod
      role_arn: arn:aws:iam::12345:role/x
      regions: [us-east-1, Mars, us-east-1]
    - name: "bad name"
      role_arn: arn:aws:iam::111111111111:user/x
      extra: 1
    - role_arn: arn:aws:iam::111111111111:role/x
    - just-a-string
)");
  EXPECT_FALSE(r.config);
  const std::string agent = dir.path("agent.yaml");
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":5:13: account \"prod\" is listed twice (account names must be unique)",
                          agent + ":6:17: invalid role_arn \"arn:aws:iam::12345:role/x\" (use "
                                  "arn:aws:iam::ACCOUNT_ID:role/NAME)",
                          agent + ":7:28: invalid region \"Mars\" (use a region code such as us-east-1)",
                          agent + ":7:34: region \"us-east-1\" is listed twice for account \"prod\"",
                          agent + ":8:13: invalid account name \"bad name\" (use letters, digits, '.', '_' and '-')",
                          agent + ":9:17: invalid role_arn \"arn:aws:iam::111111111111:user/x\" (use "
                                  "arn:aws:iam::ACCOUNT_ID:role/NAME)",
                          agent + ":10:7: unknown key \"extra\" (expected one of: name, role_arn, external_id, "
                                  "regions)",
                          agent + ":11:7: account #4 is missing \"name\" (the account's label value, e.g. name: "
                                  "prod)",
                          agent + ":12:7: account #5 must be a map (name: ..., role_arn: ..., regions: [...]), not "
                                  "a string"));
}

TEST(Accounts, NotAList) {
  TempDir dir;
  const auto r = load_with(dir, "aws:\n  accounts: {name: prod}\n");
  EXPECT_FALSE(r.config);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(::testing::HasSubstr("agent.yaml:2:13: \"aws.accounts\" must be a list of accounts")));
}

TEST(Accounts, RuleWithItsOwnAccountDimensionIsRejected) {
  TempDir dir;
  const auto r = load_with(dir, R"(aws:
  accounts:
    - name: prod
      role_arn: arn:aws:iam::111111111111:role/batchwatch
)",
                           R"(rules:
  - name: clash
    kind: threshold
    metric:
      namespace: AWS/Bedrock/Batch
      name: NumberOfInputTokensProcessedPerMinute
      dimensions: {region: "*"}
    comparison: ">"
    threshold: 1
)");
  EXPECT_FALSE(r.config);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(dir.path("rules/r.yaml") + ":2:1: rule \"clash\": its metric has a dimension named "
                                                     "\"region\", which aws.accounts adds to every rule (rename or "
                                                     "drop it)"));
}

TEST(Accounts, AddAccountDimensionsOnItsOwn) {
  Config cfg;
  Rule rule;
  rule.name = "r";
  rule.metric.dimensions = {{"modelId", "*"}};
  rule.spec = ThresholdSpec{};
  cfg.rules.push_back(rule);
  EXPECT_THAT(add_account_dimensions(cfg), IsEmpty());
  EXPECT_EQ(cfg.rules[0].metric.dimensions,
            (std::vector<Dimension>{{"account", "*"}, {"modelId", "*"}, {"region", "*"}}));
}

}  // namespace
}  // namespace bw::config
