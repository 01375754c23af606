// Cost rules and their pricing files, time zones from $TZDIR, and the shipped samples.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.hpp"
#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

const std::string kSamples = std::string(BW_TEST_DATA_DIR) + "/../../samples";

// Parses `rules` as DIR/rules/cost.yaml, so "../pricing.yaml" is DIR/pricing.yaml.
Parsed parse_in(const TempDir& dir, const std::string& rules) {
  return parse(rules, dir.write("rules/cost.yaml", rules));
}

std::string cost_rule(const std::string& name, const std::string& extra,
                      const std::string& dimensions = "{modelId: \"*\"}") {
  return "  - name: " + name +
         "\n    kind: cost\n    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute, "
         "dimensions: " +
         dimensions + "}\n" + extra;
}

const char* const kPricing = R"(currency: USD
batch_discount: 0.5
models:
  amazon.nova-lite-v1:0: {input_per_million: 0.06, output_per_million: 0.24}
  anthropic.claude-3-haiku-20240307-v1:0: {input_per_million: 0.25, output_per_million: 1.25, batch_discount: 40%}
)";

TEST(CostRule, KeysAndPricesLand) {
  TempDir dir;
  dir.write("pricing.yaml", kPricing);
  const auto p = parse_in(dir, "rules:\n" + cost_rule("spend", "    pricing: ../pricing.yaml\n"
                                                              "    budget: {per_hour: 5, per_day: 100}\n"
                                                              "    output: {metric: OutTokens, stat: Sum}\n"
                                                              "    repeat: 6h\n"));
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 1u);
  const auto& c = std::get<CostRule>(p.rules[0].spec);
  EXPECT_EQ(c.budget.per_hour, 5);
  EXPECT_EQ(c.budget.per_day, 100);
  EXPECT_EQ(c.output.name, "OutTokens");
  EXPECT_EQ(c.output.stat, "Sum");
  EXPECT_EQ(c.pricing_file, dir.path("pricing.yaml"));
  ASSERT_EQ(c.prices.size(), 2u);
  const auto& lite = c.prices.at("amazon.nova-lite-v1:0");
  EXPECT_EQ(lite.input_per_million, 0.06);
  EXPECT_EQ(lite.output_per_million, 0.24);
  EXPECT_EQ(lite.batch_discount, 0.5);
  EXPECT_EQ(c.prices.at("anthropic.claude-3-haiku-20240307-v1:0").batch_discount, 0.4);
  EXPECT_EQ(p.rules[0].repeat, Duration{6 * 3600});
}

TEST(CostRule, Defaults) {
  TempDir dir;
  dir.write("prices/p.yaml", "models:\n  \"*\": {input_per_million: 1, output_per_million: 2}\n");
  const auto p = parse_in(dir, "rules:\n" + cost_rule("spend", "    pricing: ../prices/p.yaml\n"
                                                              "    budget: {per_day: 20}\n",
                                                      "{}"));
  ASSERT_THAT(p.diags, IsEmpty());
  const auto& c = std::get<CostRule>(p.rules.at(0).spec);
  EXPECT_EQ(c.output.name, "NumberOfOutputTokensProcessedPerMinute");
  EXPECT_EQ(c.output.stat, "Average");
  EXPECT_FALSE(c.budget.per_hour);
  EXPECT_EQ(c.prices.at("*").batch_discount, 0.5);  // the file default when the file has none
  EXPECT_EQ(p.rules[0].notify_on, (std::vector<AlarmState>{AlarmState::Alarm, AlarmState::Ok}));
}

TEST(CostRule, BudgetProblems) {
  TempDir dir;
  dir.write("pricing.yaml", kPricing);
  const auto p = parse_in(dir, "rules:\n" + cost_rule("a", "    pricing: ../pricing.yaml\n") +
                                   cost_rule("b", "    pricing: ../pricing.yaml\n    budget: {}\n") +
                                   cost_rule("c", "    pricing: ../pricing.yaml\n"
                                                  "    budget: {per_hour: 0, per_day: -1, per_week: 9}\n"));
  const auto f = dir.path("rules/cost.yaml");
  EXPECT_THAT(p.diags,
              ElementsAre(f + ":2:5: rule \"a\" is missing \"budget\" (USD per_hour and/or per_day, e.g. budget: "
                              "{per_day: 100})",
                          f + ":10:13: \"budget\" needs per_hour and/or per_day in USD, e.g. budget: {per_hour: 5, "
                              "per_day: 100}",
                          f + ":15:24: \"budget.per_hour\" must be more than 0 USD, not 0.0",
                          f + ":15:36: \"budget.per_day\" must be more than 0 USD, not -1.0",
                          f + ":15:40: unknown key \"per_week\" (expected one of: per_hour, per_day)"));
  EXPECT_THAT(p.rules, IsEmpty());
}

TEST(CostRule, MissingPricingFileIsReportedAtTheRule) {
  TempDir dir;
  const auto p = parse_in(dir, "rules:\n" + cost_rule("spend", "    pricing: ../nope.yaml\n"
                                                              "    budget: {per_day: 1}\n"));
  EXPECT_THAT(p.diags, ElementsAre(dir.path("rules/cost.yaml") +
                                   ":5:14: pricing file \"../nope.yaml\" not found (looked for " +
                                   dir.path("nope.yaml") + "; a relative path is relative to this rule file)"));
  EXPECT_THAT(p.rules, IsEmpty());
}

TEST(CostRule, PricingFileProblemsAreReportedInThePricingFileOnce) {
  TempDir dir;
  const auto pricing = dir.write("pricing.yaml", R"(currency: EUR
batch_discount: 1.5
models:
  amazon.nova-lite-v1:0: {input_per_milion: 0.06, output_per_million: 0.24}
  amazon.nova-pro-v1:0: {input_per_million: -0.8, output_per_million: 3.2, batch_discount: 50}
  amazon.nova-micro-v1:0:
  amazon.nova-lite-v1:0: {input_per_million: 1, output_per_million: 1}
)");
  const auto rules = "rules:\n" + cost_rule("a", "    pricing: ../pricing.yaml\n    budget: {per_day: 1}\n") +
                     cost_rule("b", "    pricing: ${NOPE:-../pricing.yaml}\n    budget: {per_day: 1}\n");
  const auto p = parse_in(dir, rules);
  EXPECT_THAT(p.diags,
              ElementsAre(pricing + ":1:11: unsupported currency \"EUR\" (prices and budgets are in USD)",
                          pricing + ":2:17: \"batch_discount\" must be from 0 (no discount) to less than 1 (free), "
                                    "not 1.5; 0.5 (or 50%) means batch costs half the on-demand price",
                          pricing + ":4:26: model \"amazon.nova-lite-v1:0\" is missing \"input_per_million\" (USD per "
                                    "1M tokens at the on-demand rate)",
                          pricing + ":4:27: unknown key \"input_per_milion\" (did you mean \"input_per_million\"?)",
                          pricing + ":5:45: \"input_per_million\" of model \"amazon.nova-pro-v1:0\" must be 0 or "
                                    "more, not -0.8",
                          pricing + ":5:92: \"batch_discount\" must be from 0 (no discount) to less than 1 (free), "
                                    "not 50; 0.5 (or 50%) means batch costs half the on-demand price",
                          pricing + ":6:3: model \"amazon.nova-micro-v1:0\" has no prices (write {input_per_million: "
                                    "..., output_per_million: ...})",
                          pricing + ":7:3: model \"amazon.nova-lite-v1:0\" is listed twice (first at line 4)"));
  EXPECT_THAT(p.rules, IsEmpty());
}

TEST(CostRule, PricingFileShapes) {
  std::vector<Diagnostic> diags;
  const detail::Sink sink{"p.yaml", &diags, fake_env};
  EXPECT_FALSE(detail::parse_pricing("", sink));
  EXPECT_FALSE(detail::parse_pricing("models: {}\n", sink));
  EXPECT_FALSE(detail::parse_pricing("models: [a]\n", sink));
  EXPECT_FALSE(detail::parse_pricing("modles: {}\n", sink));
  EXPECT_THAT(strings(diags),
              ElementsAre("p.yaml: the pricing file is empty (it needs \"models:\" with input_per_million and "
                          "output_per_million for each model)",
                          "p.yaml:1:9: \"models\" lists no models (add e.g. amazon.nova-lite-v1:0: "
                          "{input_per_million: 0.06, output_per_million: 0.24})",
                          "p.yaml:1:9: \"models\" must be a map (key: value pairs), not a list",
                          "p.yaml:1:1: unknown key \"modles\" (did you mean \"models\"?)",
                          "p.yaml:1:1: the pricing file is missing \"models\" (a map of modelId to "
                          "{input_per_million: ..., output_per_million: ...})"));
}

TEST(CostRule, AFixedModelMustBePriced) {
  TempDir dir;
  dir.write("pricing.yaml", kPricing);
  const auto p = parse_in(dir, "rules:\n" +
                                   cost_rule("a", "    pricing: ../pricing.yaml\n    budget: {per_day: 1}\n",
                                             "{modelId: amazon.nova-pro-v1:0}") +
                                   cost_rule("b", "    pricing: ../pricing.yaml\n    budget: {per_day: 1}\n", "{}") +
                                   cost_rule("c", "    pricing: ../pricing.yaml\n    budget: {per_day: 1}\n",
                                             "{modelId: amazon.nova-lite-v1:0}"));
  const auto f = dir.path("rules/cost.yaml");
  EXPECT_THAT(p.diags, ElementsAre(f + ":5:14: pricing file \"../pricing.yaml\" has no price for model "
                                       "\"amazon.nova-pro-v1:0\" (add it under models:, or a \"*\" fallback)",
                                   f + ":10:14: pricing file \"../pricing.yaml\" has no \"*\" entry, which a metric "
                                       "without a modelId dimension needs"));
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].name, "c");
}

// --- time zones: $TZDIR through the injected environment

const char* g_tzdir = nullptr;
std::optional<std::string> tz_env(const char* name) {
  if (std::string(name) == "TZDIR" && g_tzdir) return std::string(g_tzdir);
  return std::nullopt;
}

TEST(TimeZones, TzdirIsHonoured) {
  TempDir dir;
  const std::string root = dir.path();
  g_tzdir = root.c_str();
  std::string error;
  EXPECT_FALSE(detail::load_time_zone("America/Chicago", tz_env, error));
  EXPECT_EQ(error, "unknown time zone \"America/Chicago\" (use an IANA name such as America/Chicago, Europe/Berlin "
                   "or UTC)");
  dir.write("Test/Garbage", "not a TZif file");
  EXPECT_FALSE(detail::load_time_zone("Test/Garbage", tz_env, error));
  EXPECT_THAT(error, ::testing::StartsWith("time zone \"Test/Garbage\": " + dir.path("Test/Garbage") +
                                           " is not usable TZif data ("));
  if (std::filesystem::exists("/usr/share/zoneinfo/America/Chicago")) {
    std::filesystem::create_directories(dir.path("Test"));
    std::filesystem::copy_file("/usr/share/zoneinfo/America/Chicago", dir.path("Test/Chicago"));
    const auto zone = detail::load_time_zone("Test/Chicago", tz_env, error);
    ASSERT_TRUE(zone) << error;
    EXPECT_EQ(zone->name(), "Test/Chicago");
    EXPECT_EQ(zone->offset_at(*parse_rfc3339("2026-11-22T12:00:00Z")), -6 * 3600);
  }
  const std::string missing = dir.path("no-such-dir");
  g_tzdir = missing.c_str();
  EXPECT_FALSE(detail::load_time_zone("Europe/Berlin", tz_env, error));
  EXPECT_EQ(error, "cannot look up time zone \"Europe/Berlin\": no time zone database at " + missing +
                       " (install the tzdata package, or set TZDIR to its directory)");
  const auto utc = detail::load_time_zone("UTC", tz_env, error);  // needs no database
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->offset_at(*parse_rfc3339("2026-11-22T12:00:00Z")), 0);
  g_tzdir = nullptr;
}

// --- the shipped samples

TEST(Samples, PricingFileIsValid) {
  std::vector<Diagnostic> diags;
  const auto table = detail::read_pricing_file(kSamples + "/pricing.yaml", diags, fake_env);
  ASSERT_THAT(strings(diags), IsEmpty());
  ASSERT_TRUE(table);
  EXPECT_EQ(table->at("amazon.nova-lite-v1:0").input_per_million, 0.06);
  EXPECT_EQ(table->at("amazon.nova-lite-v1:0").output_per_million, 0.24);
  EXPECT_EQ(table->at("amazon.nova-lite-v1:0").batch_discount, 0.5);
  for (const char* model : {"amazon.nova-micro-v1:0", "amazon.nova-pro-v1:0", "anthropic.claude-3-haiku-20240307-v1:0",
                            "*"})
    EXPECT_TRUE(table->count(model)) << model;
}

TEST(Samples, KindsRuleFileHasOneValidRuleOfEachKind) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/America/Chicago")) GTEST_SKIP() << "no /usr/share/zoneinfo";
  const auto path = kSamples + "/rules/bedrock-batch-kinds.yaml";
  std::vector<Diagnostic> diags;
  std::string text;
  {
    const detail::Sink sink{path, &diags, fake_env};
    text = detail::read_text(path, sink).value_or("");
  }
  const auto rules = parse_rules(text, path, diags, fake_env);
  ASSERT_THAT(strings(diags), IsEmpty());
  std::vector<std::string> kinds;
  for (const auto& r : rules) {
    kinds.push_back(r.kind());
    EXPECT_EQ(r.notify, std::vector<std::string>{"ops-email"}) << r.name;
  }
  EXPECT_THAT(kinds, ElementsAre("baseline", "drained", "absent", "deadline", "cost", "composite"));
}

TEST(Samples, AgentFileChecksClean) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/America/Chicago")) GTEST_SKIP() << "no /usr/share/zoneinfo";
  const auto r = load(kSamples + "/agent.yaml", fake_env);
  EXPECT_THAT(strings(r.diagnostics), IsEmpty());
  ASSERT_TRUE(r.config);
  EXPECT_GE(r.config->rules.size(), 9u);
}

}  // namespace
}  // namespace bw::config
