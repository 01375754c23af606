#include "agent/delivery/notification.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;
using testing::RuleBuilder;

const std::string kReason =
    "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 00:00:00)] was greater than the "
    "threshold (1000000.0).";

// The rule and change of the INTERFACE.md example.
config::Rule interface_rule() {
  return RuleBuilder("input-tokens-high")
      .dimensions({{"modelId", "*"}})
      .period(Duration{6 * 3600})
      .when(Comparison::Greater, 1000000)
      .evaluation(1, 1)
      .treat_missing(TreatMissing::Missing)
      .notify({"ops-email"})
      .description("Input tokens above 1M per minute");
}

StateChange interface_change(const config::Rule& rule) {
  StateChange c;
  c.rule = &rule;
  c.labels = {{"modelId", "anthropic.claude-3-haiku"}};
  c.old_state = AlarmState::Ok;
  c.evaluation.state = AlarmState::Alarm;
  c.evaluation.value = 1250000.0;
  c.evaluation.value_time = at("2026-11-22T00:00:00Z");
  c.evaluation.reason = kReason;
  c.at = at("2026-11-22T06:00:00Z");
  c.key_at = at("2026-11-22T06:00:00Z");  // the period's end; as the recorder sets it
  c.region = "us-east-1";
  return c;
}

TEST(NotificationMessage, MatchesTheInterfaceShapeForAThresholdRule) {
  const auto rule = interface_rule();
  const auto change = interface_change(rule);
  // INTERFACE.md's example, plus the three Trigger fields CloudWatch itself sends
  // (StatisticType, Unit, EvaluateLowSampleCountPercentile).
  const auto expected = nlohmann::json::parse(R"json(
{"AlarmName": "input-tokens-high/modelId=anthropic.claude-3-haiku",
 "AlarmDescription": "Input tokens above 1M per minute", "NewStateValue": "ALARM", "OldStateValue": "OK",
 "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 00:00:00)] was greater than the threshold (1000000.0).",
 "StateChangeTime": "2026-11-22T06:00:00.000+0000", "Region": "us-east-1",
 "Trigger": {"MetricName": "NumberOfInputTokensProcessedPerMinute", "Namespace": "AWS/Bedrock/Batch",
             "StatisticType": "Statistic", "Unit": null, "EvaluateLowSampleCountPercentile": "",
             "Dimensions": [{"name": "modelId", "value": "anthropic.claude-3-haiku"}],
             "Statistic": "AVERAGE", "Period": 21600, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
             "ComparisonOperator": "GreaterThanThreshold", "Threshold": 1000000.0,
             "TreatMissingData": "missing"},
 "batchwatch": {"rule": "input-tokens-high", "kind": "threshold",
                "labels": {"modelId": "anthropic.claude-3-haiku"}, "value": 1250000.0,
                "idempotency_key": "6d88b455f11216e366ccfe5b31664cc1"}}
)json");
  const auto got = message(change);
  EXPECT_EQ(got, expected) << got.dump(2);

  // Numbers keep their JSON types: integers stay integers, thresholds and values are floats.
  const auto text = got.dump();
  EXPECT_NE(text.find(R"("Threshold":1000000.0)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("value":1250000.0)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("Period":21600,)"), std::string::npos) << text;
  EXPECT_TRUE(got["Trigger"]["Period"].is_number_integer());
  EXPECT_TRUE(got["Trigger"]["EvaluationPeriods"].is_number_integer());
  EXPECT_TRUE(got["Trigger"]["Threshold"].is_number_float());
}

TEST(NotificationMessage, SeverityTravelsWithTheEventOnlyWhenSet) {
  config::Rule rule = RuleBuilder("backlog-high");
  StateChange c;
  c.rule = &rule;
  c.evaluation.state = AlarmState::Alarm;
  c.at = at("2026-11-22T06:00:00Z");
  c.region = "us-east-1";
  EXPECT_FALSE(message(c)["batchwatch"].contains("severity"));
  rule.severity = "critical";
  EXPECT_EQ(message(c)["batchwatch"]["severity"], "critical");
}

TEST(NotificationMessage, NoDescriptionNoValueAndNoDimensions) {
  const config::Rule rule = RuleBuilder("global-tokens").evaluation(3, 2).treat_missing(TreatMissing::NotBreaching);
  StateChange c;
  c.rule = &rule;
  c.old_state = AlarmState::InsufficientData;
  c.evaluation.state = AlarmState::Ok;
  c.evaluation.reason = "no data";
  c.at = at("2026-11-22T06:05:00Z");
  c.key_at = at("2026-11-22T06:00:00Z");
  c.region = "eu-west-1";
  const auto got = message(c);
  EXPECT_EQ(got["AlarmName"], "global-tokens");
  EXPECT_TRUE(got["AlarmDescription"].is_null());
  EXPECT_EQ(got["NewStateValue"], "OK");
  EXPECT_EQ(got["OldStateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(got["StateChangeTime"], "2026-11-22T06:05:00.000+0000");
  EXPECT_EQ(got["Region"], "eu-west-1");
  EXPECT_EQ(got["Trigger"]["Dimensions"], nlohmann::json::array());
  EXPECT_EQ(got["Trigger"]["Period"], 3600);
  EXPECT_EQ(got["Trigger"]["EvaluationPeriods"], 3);
  EXPECT_EQ(got["Trigger"]["DatapointsToAlarm"], 2);
  EXPECT_EQ(got["Trigger"]["TreatMissingData"], "notBreaching");
  EXPECT_TRUE(got["batchwatch"]["value"].is_null());
  EXPECT_EQ(got["batchwatch"]["labels"], nlohmann::json::object());
  // The key is the event's (key_at), not the cycle's clock (at, the StateChangeTime above).
  EXPECT_EQ(got["batchwatch"]["idempotency_key"], idempotency_key("global-tokens", {}, AlarmState::Ok, c.key_at));
  EXPECT_NE(got["batchwatch"]["idempotency_key"], idempotency_key("global-tokens", {}, AlarmState::Ok, c.at));
}

struct StatCase {
  const char* stat;
  const char* statistic;
  const char* type;
};

class NotificationStatistic : public ::testing::TestWithParam<StatCase> {};

TEST_P(NotificationStatistic, IsSpelledAsCloudWatchDoes) {
  const config::Rule rule = RuleBuilder("r").stat(GetParam().stat);
  StateChange c;
  c.rule = &rule;
  c.evaluation.state = AlarmState::Alarm;
  c.at = at("2026-11-22T06:00:00Z");
  c.region = "us-east-1";
  const auto got = message(c);
  EXPECT_EQ(got["Trigger"]["Statistic"], GetParam().statistic);
  EXPECT_EQ(got["Trigger"]["StatisticType"], GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(Cases, NotificationStatistic,
                         ::testing::Values(StatCase{"Average", "AVERAGE", "Statistic"},
                                           StatCase{"Sum", "SUM", "Statistic"},
                                           StatCase{"Minimum", "MINIMUM", "Statistic"},
                                           StatCase{"Maximum", "MAXIMUM", "Statistic"},
                                           StatCase{"SampleCount", "SAMPLE_COUNT", "Statistic"},
                                           StatCase{"p99", "p99", "ExtendedStatistic"}));

TEST(NotificationMessage, ComparisonOperatorNames) {
  const std::vector<std::pair<Comparison, const char*>> cases = {
      {Comparison::Greater, "GreaterThanThreshold"},
      {Comparison::GreaterOrEqual, "GreaterThanOrEqualToThreshold"},
      {Comparison::Less, "LessThanThreshold"},
      {Comparison::LessOrEqual, "LessThanOrEqualToThreshold"},
  };
  for (const auto& [cmp, name] : cases) {
    const config::Rule rule = RuleBuilder("r").when(cmp, 2.5);
    StateChange c;
    c.rule = &rule;
    c.evaluation.state = AlarmState::Alarm;
    c.region = "us-east-1";
    const auto got = message(c);
    EXPECT_EQ(got["Trigger"]["ComparisonOperator"], name);
    EXPECT_EQ(got["Trigger"]["Threshold"], 2.5);
  }
}

TEST(NotificationAlarmName, RuleSlashLabelsOrJustTheRule) {
  EXPECT_EQ(alarm_name("r", {}), "r");
  EXPECT_EQ(alarm_name("r", {{"modelId", "x"}}), "r/modelId=x");
  EXPECT_EQ(alarm_name("r", {{"a", "1"}, {"b", "2"}}), "r/a=1,b=2");
}

StateChange simple_change(const config::Rule& rule, std::vector<Dimension> labels, AlarmState state,
                          std::string region = "us-east-1") {
  StateChange c;
  c.rule = &rule;
  c.labels = std::move(labels);
  c.evaluation.state = state;
  c.at = at("2026-11-22T06:00:00Z");
  c.region = std::move(region);
  return c;
}

bool is_printable_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f;
  });
}

TEST(NotificationSubject, Format) {
  const config::Rule rule = RuleBuilder("rule");
  EXPECT_EQ(subject(simple_change(rule, {{"modelId", "x"}}, AlarmState::Alarm)), R"(ALARM: "rule/modelId=x" in us-east-1)");
  EXPECT_EQ(subject(simple_change(rule, {{"modelId", "x"}}, AlarmState::Ok)), R"(OK: "rule/modelId=x" in us-east-1)");
  EXPECT_EQ(subject(simple_change(rule, {}, AlarmState::Alarm, "eu-west-1")), R"(ALARM: "rule" in eu-west-1)");
  EXPECT_EQ(subject(simple_change(rule, {{"modelId", "x"}}, AlarmState::Drained)),
            R"(DRAINED: "rule/modelId=x" in us-east-1)");
}

TEST(NotificationSubject, NonAsciiAndControlCharactersAreReplaced) {
  const config::Rule rule = RuleBuilder("rule");
  // "è" is two UTF-8 bytes, each replaced.
  const auto s = subject(simple_change(rule, {{"modelId", "mod\xc3\xa8le\tv2\n"}}, AlarmState::Alarm));
  EXPECT_EQ(s, R"(ALARM: "rule/modelId=mod??le?v2?" in us-east-1)");
  EXPECT_TRUE(is_printable_ascii(s));
}

TEST(NotificationSubject, ALongLabelIsShortenedToNinetyNineCharacters) {
  const config::Rule rule = RuleBuilder("rule");
  const std::string value(300, 'x');
  const auto s = subject(simple_change(rule, {{"modelId", value}}, AlarmState::Alarm));
  EXPECT_EQ(s.size(), 99u);
  // `ALARM: "` (8) + name + `..." in us-east-1` (17): 74 characters of the name survive.
  EXPECT_EQ(s, R"(ALARM: "rule/modelId=)" + std::string(61, 'x') + R"(..." in us-east-1)");
  EXPECT_TRUE(is_printable_ascii(s));
}

TEST(NotificationSubject, ALongNonAsciiLabelIsStillAsciiAndShort) {
  const config::Rule rule = RuleBuilder("rule");
  std::string value;
  for (int i = 0; i < 150; ++i) value += "\xc3\xa9";  // 150 × "é", 300 bytes
  const auto s = subject(simple_change(rule, {{"modelId", value}}, AlarmState::InsufficientData));
  EXPECT_EQ(s.size(), 99u);
  EXPECT_TRUE(is_printable_ascii(s));
  EXPECT_TRUE(s.starts_with(R"(INSUFFICIENT_DATA: "rule/modelId=???)")) << s;
  EXPECT_TRUE(s.ends_with(R"(..." in us-east-1)")) << s;
}

// SNS refuses a subject of 100 characters or more ("must be less than 100 characters").
TEST(NotificationSubject, NinetyNineIsKeptOneHundredIsShortened) {
  const config::Rule rule = RuleBuilder("rule");
  // Fixed part: `ALARM: "rule/modelId=` (21) + `" in us-east-1` (14) = 35.
  const auto fits = subject(simple_change(rule, {{"modelId", std::string(64, 'a')}}, AlarmState::Alarm));
  EXPECT_EQ(fits.size(), 99u);
  EXPECT_EQ(fits, R"(ALARM: "rule/modelId=)" + std::string(64, 'a') + R"(" in us-east-1)");
  const auto over = subject(simple_change(rule, {{"modelId", std::string(65, 'a')}}, AlarmState::Alarm));
  EXPECT_EQ(over.size(), 99u);
  EXPECT_EQ(over, R"(ALARM: "rule/modelId=)" + std::string(61, 'a') + R"(..." in us-east-1)");
}

TEST(NotificationSubject, StaysUnderOneHundredEvenWithAnAbsurdRegion) {
  const config::Rule rule = RuleBuilder("rule");
  const auto s = subject(simple_change(rule, {{"modelId", "x"}}, AlarmState::Alarm, std::string(120, 'r')));
  EXPECT_LT(s.size(), 100u);
}

TEST(NotificationIdempotencyKey, IsStableAndDistinguishesEveryPart) {
  const std::vector<Dimension> labels = {{"modelId", "anthropic.claude-3-haiku"}};
  const auto t = at("2026-11-22T06:00:00Z");
  const auto key = idempotency_key("input-tokens-high", labels, AlarmState::Alarm, t);
  // sha256("input-tokens-high\nmodelId=anthropic.claude-3-haiku\nALARM\n1795327200"), first 16 bytes in hex:
  // keys already in an outbox must not change meaning across versions.
  EXPECT_EQ(key, "6d88b455f11216e366ccfe5b31664cc1");
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(idempotency_key("input-tokens-high", labels, AlarmState::Alarm, t), key);

  const std::vector<std::string> others = {
      idempotency_key("input-tokens-high", labels, AlarmState::Ok, t),
      idempotency_key("input-tokens-high", labels, AlarmState::Alarm, t + Duration{1}),
      idempotency_key("input-tokens-high", {{"modelId", "anthropic.claude-3-sonnet"}}, AlarmState::Alarm, t),
      idempotency_key("input-tokens-high", {}, AlarmState::Alarm, t),
      idempotency_key("input-tokens-low", labels, AlarmState::Alarm, t),
  };
  for (const auto& o : others) {
    EXPECT_NE(o, key);
    EXPECT_EQ(o.size(), 32u);
    EXPECT_TRUE(std::all_of(o.begin(), o.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        << o;
  }
  for (std::size_t i = 0; i < others.size(); ++i)
    for (std::size_t j = i + 1; j < others.size(); ++j) EXPECT_NE(others[i], others[j]);
}

}  // namespace
}  // namespace bw::agent
