// The agent file's `targets:` (every type, defaults, max_age) and `silences:`, through load().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

const std::string kRule = "rules:\n" + threshold_rule("input-tokens-high");

Time at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

TEST(Targets, EveryTypeWithItsSettings) {
  TempDir dir;
  const auto agent = dir.agent(R"(targets:
  ops:
    type: sns
    topic_arn: arn:aws:sns:us-east-1:123456789012:ops.fifo
    max_age: 2h
  hook:
    type: exec
    command: [/usr/local/bin/start-etl, --model, "{{labels.modelId}}"]
    timeout: 90s
  pipeline:
    type: webhook
    url: https://hooks.example.com/bedrock
    secret: ${WEBHOOK_SECRET}
    timeout: 3s
  bus:
    type: eventbridge
    event_bus: arn:aws:events:us-east-1:123456789012:event-bus/ops
    source: com.example.batch
    detail_type: Batch Alarm
    max_age: 7d
  etl:
    type: stepfunctions
    state_machine_arn: arn:aws:states:us-east-1:123456789012:stateMachine:start-etl
)");
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  const auto& t = r.config->targets;
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.at("ops").type(), "sns");
  EXPECT_EQ(std::get<SnsTarget>(t.at("ops").spec).topic_arn, "arn:aws:sns:us-east-1:123456789012:ops.fifo");
  EXPECT_EQ(t.at("ops").max_age, Duration{7200});

  const auto& exec = std::get<ExecTarget>(t.at("hook").spec);
  EXPECT_THAT(exec.command, ElementsAre("/usr/local/bin/start-etl", "--model", "{{labels.modelId}}"));
  EXPECT_EQ(exec.timeout, Duration{90});
  EXPECT_EQ(t.at("hook").max_age, Duration{24 * 3600});

  const auto& hook = std::get<WebhookTarget>(t.at("pipeline").spec);
  EXPECT_EQ(hook.url, "https://hooks.example.com/bedrock");
  EXPECT_EQ(hook.secret, "s3cret");
  EXPECT_EQ(hook.timeout, Duration{3});

  const auto& bus = std::get<EventBridgeTarget>(t.at("bus").spec);
  EXPECT_EQ(t.at("bus").type(), "eventbridge");
  EXPECT_EQ(bus.event_bus, "arn:aws:events:us-east-1:123456789012:event-bus/ops");
  EXPECT_EQ(bus.source, "com.example.batch");
  EXPECT_EQ(bus.detail_type, "Batch Alarm");
  EXPECT_EQ(t.at("bus").max_age, Duration{7 * 86400});

  EXPECT_EQ(t.at("etl").type(), "stepfunctions");
  EXPECT_EQ(std::get<StepFunctionsTarget>(t.at("etl").spec).state_machine_arn,
            "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl");
}

TEST(Targets, Defaults) {
  TempDir dir;
  const auto agent = dir.agent(R"(targets:
  hook: {type: exec, command: [/bin/true]}
  web: {type: webhook, url: "http://127.0.0.1:8080/x"}
  bus: {type: eventbridge}
)");
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  const auto& t = r.config->targets;
  EXPECT_EQ(std::get<ExecTarget>(t.at("hook").spec).timeout, Duration{60});
  EXPECT_EQ(std::get<WebhookTarget>(t.at("web").spec).timeout, Duration{10});
  EXPECT_EQ(std::get<WebhookTarget>(t.at("web").spec).secret, "");
  const auto& bus = std::get<EventBridgeTarget>(t.at("bus").spec);
  EXPECT_EQ(bus.event_bus, "default");
  EXPECT_EQ(bus.source, "batchwatch");
  EXPECT_EQ(bus.detail_type, "Batchwatch Alarm State Change");
  for (const auto& [name, target] : t) EXPECT_EQ(target.max_age, Duration{86400}) << name;
}

TEST(Targets, ValidationOfTheNewTypes) {
  TempDir dir;
  const auto agent = dir.agent(R"(targets:
  a: {type: eventbrige}
  b: {type: eventbridge, event_bus: "my bus", source: aws.batch, detail_type: ""}
  c: {type: stepfunctions}
  d: {type: stepfunctions, state_machine_arn: "arn:aws:states:us-east-1:123456789012:execution:x:y"}
  e: {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:x", max_age: 0}
  f: {type: webhook, url: "https://x.example", subject: hi}
  g: {type: fax}
)");
  const auto r = load(agent, fake_env);
  EXPECT_FALSE(r.config);
  EXPECT_THAT(
      strings(r.diagnostics),
      ElementsAre(
          agent + ":2:13: unknown target type \"eventbrige\" (did you mean \"eventbridge\"?)",
          agent + ":3:37: invalid event_bus \"my bus\" (use a bus name such as default, or its ARN "
                  "arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
          agent + ":3:55: source \"aws.batch\" is reserved for AWS services (use e.g. batchwatch or "
                  "com.example.alerts)",
          agent + ":3:79: \"detail_type\" must be 1 to 128 characters (e.g. Batchwatch Alarm State Change)",
          agent + ":4:6: target \"c\" is missing \"state_machine_arn\" (e.g. "
                  "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl)",
          agent + ":5:47: invalid state_machine_arn \"arn:aws:states:us-east-1:123456789012:execution:x:y\" "
                  "(expected arn:aws:states:REGION:ACCOUNT:stateMachine:NAME, e.g. "
                  "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl)",
          agent + ":6:78: invalid duration \"0\" (use e.g. 90s, 5m, 6h, 7d)",
          agent + ":7:48: unknown key \"subject\" (expected one of: type, url, secret, timeout, max_age)",
          agent + ":8:13: unknown target type \"fax\" (supported: sns, exec, webhook, eventbridge or "
                  "stepfunctions)"));
}

TEST(Targets, MissingTypeNamesEveryType) {
  TempDir dir;
  const auto agent = dir.agent("targets:\n  a: {url: \"https://x.example\"}\n  b:\n");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:6: target \"a\" is missing \"type\" (sns, exec, webhook, eventbridge or "
                                  "stepfunctions)",
                          agent + ":3:3: target \"b\" is empty (give it a type: sns, exec, webhook, eventbridge or "
                                  "stepfunctions)"));
}

TEST(Silences, ReadWithDefaults) {
  TempDir dir;
  const auto agent = dir.agent(R"(silences:
  - rule: input-tokens-high
    labels: {modelId: anthropic.claude-3-haiku, region: "*"}
    starts: 2026-11-22T06:00:00Z
    ends: 2026-11-22T03:00:00-05:00
    comment: planned backfill
  - ends: "2026-12-01T00:00:00Z"
)" + kRule);
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  const auto& s = r.config->silences;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].rule, "input-tokens-high");
  EXPECT_THAT(s[0].labels, ElementsAre(std::pair<const std::string, std::string>("modelId", "anthropic.claude-3-haiku"),
                                       std::pair<const std::string, std::string>("region", "*")));
  EXPECT_EQ(s[0].starts, at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(s[0].ends, at("2026-11-22T08:00:00Z"));
  EXPECT_EQ(s[0].comment, "planned backfill");
  EXPECT_EQ(s[1].rule, "*");
  EXPECT_THAT(s[1].labels, IsEmpty());
  EXPECT_EQ(s[1].starts, Time{});  // no start: in force until it ends
  EXPECT_EQ(s[1].ends, at("2026-12-01T00:00:00Z"));
}

TEST(Silences, AbsentOrEmptyIsNone) {
  TempDir dir;
  const auto agent = dir.agent("silences:\n");
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_THAT(r.config->silences, IsEmpty());
}

TEST(Silences, Validation) {
  TempDir dir;
  const auto agent = dir.agent(R"(silences:
  - rule: "bad name"
    ends: 2026-11-22T06:00:00Z
  - starts: 2026-11-22T06:00:00Z
    ends: 2026-11-22T06:00:00Z
  - starts: yesterday
    ends: 2026-11-22
  - rule: x
    labels: {modelId: ""}
    until: 2026-11-22T06:00:00Z
  - [not, a, map]
  - rule: input-tokens-hgih
    ends: 2026-11-22T06:00:00Z
  - rule: nobody
    ends: 2026-11-22T06:00:00Z
)" + kRule);
  const auto r = load(agent, fake_env);
  EXPECT_FALSE(r.config);
  EXPECT_THAT(
      strings(r.diagnostics),
      ElementsAre(agent + ":2:11: invalid rule name \"bad name\" in silence #1 (name one rule, or \"*\" for every rule)",
                  agent + ":5:11: silence #2 ends (2026-11-22T06:00:00Z) before it starts (2026-11-22T06:00:00Z)",
                  agent + ":6:13: invalid time \"yesterday\" for \"starts\" (use RFC 3339, e.g. 2026-11-22T06:00:00Z)",
                  agent + ":7:11: invalid time \"2026-11-22\" for \"ends\" (use RFC 3339, e.g. 2026-11-22T06:00:00Z)",
                  agent + ":8:5: silence #4 is missing \"ends\" (when the silence ends, e.g. ends: "
                          "2026-11-22T08:00:00Z)",
                  agent + ":9:23: label \"modelId\" has an empty value (name a value, or \"*\" to match any)",
                  agent + ":10:5: unknown key \"until\" (expected one of: rule, labels, starts, ends, comment)",
                  agent + ":11:5: silence #5 must be a map (rule: ..., labels: ..., starts: ..., ends: ...), not a list",
                  agent + ":12:11: silence #6 names unknown rule \"input-tokens-hgih\" (did you mean "
                          "\"input-tokens-high\"?)",
                  agent + ":14:11: silence #7 names unknown rule \"nobody\" (no rule file defines it; use \"*\" for "
                          "every rule)"));
}

TEST(Silences, RuleNamesResolveAcrossRuleFilesAndKeepTheAgentFileFirst) {
  TempDir dir;
  const auto agent = dir.agent(R"(silences:
  - {rule: from-file, ends: "2026-11-22T06:00:00Z"}
  - {rule: missing, ends: "2026-11-22T06:00:00Z"}
rule_files: [rules.yaml]
)");
  const auto rules =
      dir.write("rules.yaml", "rules:\n" + threshold_rule("from-file") + "  - {name: broken, kind: threshold}\n");
  const auto r = load(agent, fake_env);
  // "broken" has problems of its own, but its name is defined: only "missing" is unknown.
  ASSERT_EQ(r.diagnostics.size(), 4u) << ::testing::PrintToString(strings(r.diagnostics));
  EXPECT_EQ(r.diagnostics[0].str(), agent + ":3:12: silence #2 names unknown rule \"missing\" (no rule file defines "
                                            "it; use \"*\" for every rule)");
  for (std::size_t i = 1; i < r.diagnostics.size(); ++i) EXPECT_EQ(r.diagnostics[i].file, rules);
}

TEST(Silences, NotAList) {
  TempDir dir;
  const auto agent = dir.agent("silences: {rule: x}\n");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":1:11: \"silences\" must be a list of silences (each starting with \"- rule: "
                                  "...\"), not a map"));
}

}  // namespace
}  // namespace bw::config
