// Rule files read on their own through parse_rules: shapes, defaults and every validation message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

// A valid rule whose line 5 (the metric's second line) each test can vary.
std::string rule_with_metric_line(const std::string& line5) {
  return "rules:\n"
         "  - name: r\n"
         "    kind: threshold\n"
         "    metric: {namespace: AWS/EC2, name: CPUUtilization,\n" +
         line5 +
         "}\n"
         "    comparison: \">\"\n"
         "    threshold: 80\n";
}

// A valid threshold rule in block style: five lines (name on the first), then `extra` lines.
std::string threshold_block(const std::string& name, const std::string& extra = "") {
  return "  - name: " + name +
         "\n"
         "    kind: threshold\n"
         "    metric: {namespace: NS, name: M}\n"
         "    comparison: \">\"\n"
         "    threshold: 1\n" +
         extra;
}

TEST(RuleFile, TypoAndBadDurationBothReportedWithExactPositions) {
  const auto p = parse(R"(rules:
  - name: cpu-high
    kind: threshold
    metric: {namespace: AWS/EC2, name: CPUUtilization,
             stat: Average, period: 5 minutes}
    comparison: ">"
    tresholds: 90
    notify: []
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:2:5: rule \"cpu-high\" is missing \"threshold\" (a number, e.g. "
                          "threshold: 1000000)",
                          "rules.yaml:5:37: invalid duration \"5 minutes\" (use e.g. 90s, 5m, 6h, 7d)",
                          "rules.yaml:7:5: unknown key \"tresholds\" (did you mean \"threshold\"?)"));
  EXPECT_THAT(p.rules, IsEmpty());
}

TEST(RuleFile, InterfaceExampleRuleLoadsWithEveryField) {
  const auto p = parse(kInterfaceThresholdRule);
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 1u);
  const auto& r = p.rules[0];
  EXPECT_EQ(r.name, "input-tokens-high");
  EXPECT_EQ(r.kind(), "threshold");
  EXPECT_EQ(r.description, "Token throughput above plan");
  EXPECT_EQ(r.file, "rules.yaml");
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.metric.ns, "AWS/Bedrock/Batch");
  EXPECT_EQ(r.metric.name, "NumberOfInputTokensProcessedPerMinute");
  EXPECT_EQ(r.metric.dimensions, (std::vector<Dimension>{{"modelId", "*"}}));
  EXPECT_TRUE(r.metric.has_wildcard());
  EXPECT_EQ(r.metric.stat, "Average");
  EXPECT_EQ(r.metric.period, Duration{6 * 3600});
  const auto& t = std::get<ThresholdSpec>(r.spec);
  EXPECT_EQ(t.comparison, Comparison::Greater);
  EXPECT_EQ(t.threshold, 1000000);
  EXPECT_EQ(t.evaluation_periods, 1);
  EXPECT_EQ(t.datapoints_to_alarm, 1);
  EXPECT_EQ(t.evaluation_range, 0);
  EXPECT_EQ(t.treat_missing, TreatMissing::Missing);
  EXPECT_EQ(r.notify, std::vector<std::string>{"ops-email"});
}

TEST(RuleFile, DefaultsAndSortedDimensions) {
  const auto p = parse(R"(rules:
  - name: r
    kind: threshold
    metric: {namespace: NS, name: M, dimensions: {z: "1", a: "2"}}
    comparison: LessThanOrEqualToThreshold
    threshold: -0.5
    evaluation_periods: 3
)");
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 1u);
  const auto& r = p.rules[0];
  EXPECT_EQ(r.metric.dimensions, (std::vector<Dimension>{{"a", "2"}, {"z", "1"}}));
  EXPECT_FALSE(r.metric.has_wildcard());
  EXPECT_EQ(r.metric.stat, "Average");
  EXPECT_EQ(r.metric.period, Duration{300});
  const auto& t = std::get<ThresholdSpec>(r.spec);
  EXPECT_EQ(t.comparison, Comparison::LessOrEqual);
  EXPECT_EQ(t.threshold, -0.5);
  EXPECT_EQ(t.evaluation_periods, 3);
  EXPECT_EQ(t.datapoints_to_alarm, 3);  // M defaults to N
  EXPECT_TRUE(r.notify.empty());
}

TEST(RuleFile, FlowStyleMetricKeepsMarks) {
  const auto p = parse(R"(rules:
  - name: backlog
    kind: threshold
    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
             dimensions: {modelId: "*"}, stat: Maximum, period: 1m, unit: Count}
    comparison: ">"
    threshold: 0
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:5:69: unknown key \"unit\" (expected one of: namespace, name, dimensions, "
                          "stat, period)"));
}

TEST(RuleFile, DatapointsToAlarmAboveEvaluationPeriods) {
  const auto p = parse("rules:\n" + threshold_block("r", "    evaluation_periods: 3\n"
                                                        "    datapoints_to_alarm: 5\n"
                                                        "    evaluation_range: 2\n"));
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:8:26: \"datapoints_to_alarm\" must be between 1 and evaluation_periods (3), "
                          "not 5 (M out of N: M datapoints breaching among the last N periods)",
                          "rules.yaml:9:23: \"evaluation_range\" must be between evaluation_periods (3) and 100000, "
                          "not 2"));
}

TEST(RuleFile, EvaluationPeriodsMustBePositiveWholeNumber) {
  const auto p = parse("rules:\n" + threshold_block("r", "    evaluation_periods: 0\n") +
                       threshold_block("s", "    evaluation_periods: 1.5\n"));
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:7:25: \"evaluation_periods\" must be between 1 and 100000, not 0",
                          "rules.yaml:13:25: \"evaluation_periods\" must be a whole number such as 3, not \"1.5\""));
}

TEST(RuleFile, BadStat) {
  EXPECT_THAT(parse(rule_with_metric_line("             stat: Avrage")).diags,
              ElementsAre("rules.yaml:5:20: invalid stat \"Avrage\" (did you mean \"Average\"?)"));
  EXPECT_THAT(parse(rule_with_metric_line("             stat: median")).diags,
              ElementsAre("rules.yaml:5:20: invalid stat \"median\" (use Average, Sum, Minimum, Maximum, "
                          "SampleCount or a percentile p0.1 to p99.99 such as p90 or p99.9)"));
  for (const char* bad : {"p0", "p100", "p99.999", "p", "p9x", "p.5", "p50.", "P99"})
    EXPECT_EQ(parse(rule_with_metric_line(std::string("             stat: ") + bad)).diags.size(), 1u) << bad;
  for (const char* good : {"p99", "p99.9", "p50", "p5", "p0.1", "p99.99", "Sum", "SampleCount", "Minimum"}) {
    const auto p = parse(rule_with_metric_line(std::string("             stat: ") + good));
    EXPECT_THAT(p.diags, IsEmpty()) << good;
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_EQ(p.rules[0].metric.stat, good);
  }
}

TEST(RuleFile, BadPeriod) {
  EXPECT_THAT(parse(rule_with_metric_line("             period: 45s")).diags,
              ElementsAre("rules.yaml:5:22: invalid period \"45s\" (CloudWatch periods are 10s, 20s, 30s or a "
                          "multiple of 60s, e.g. 1m, 5m, 1h)"));
  EXPECT_THAT(parse(rule_with_metric_line("             period: 300")).diags,
              ElementsAre("rules.yaml:5:22: invalid duration \"300\" (use e.g. 90s, 5m, 6h, 7d)"));
  for (const char* good : {"10s", "20s", "30s", "60s", "1m", "90m", "1h30m", "1d"})
    EXPECT_THAT(parse(rule_with_metric_line(std::string("             period: ") + good)).diags, IsEmpty())
        << good;
}

TEST(RuleFile, BadComparison) {
  const auto p = parse(R"(rules:
  - name: r
    kind: threshold
    metric: {namespace: NS, name: M}
    comparison: "=>"
    threshold: 1
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:5:17: invalid comparison \"=>\" (use \">\", \">=\", \"<\", \"<=\" - quoted, "
                          "as YAML reads a bare > as a folded block - or GreaterThanThreshold, "
                          "GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold)"));
}

TEST(RuleFile, UnquotedComparisonIsASyntaxErrorWithAHint) {
  const auto p = parse("rules:\n  - name: r\n    comparison: >=\n");
  ASSERT_EQ(p.diags.size(), 1u);
  EXPECT_THAT(p.diags[0], ::testing::StartsWith("rules.yaml:3:"));
  EXPECT_THAT(p.diags[0], ::testing::HasSubstr("YAML syntax error"));
  EXPECT_THAT(p.diags[0], ::testing::HasSubstr("must be quoted, e.g. comparison: \">=\""));
}

TEST(RuleFile, UnquotedWildcardIsASyntaxErrorWithAHint) {
  const auto p = parse("rules:\n  - name: r\n    metric: {namespace: NS, name: M, dimensions: {modelId: *}}\n");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:3:61: YAML syntax error: alias not found after * (a value starting "
                                   "with \"*\" must be quoted, e.g. modelId: \"*\")"));
}

TEST(RuleFile, YamlSyntaxErrorIsOneDiagnosticAtTheParserMark) {
  const auto p = parse("rules:\n  - name: r\n    metric: {namespace: NS, name: M\n    threshold: 1\n");
  ASSERT_EQ(p.diags.size(), 1u);
  EXPECT_THAT(p.diags[0], ::testing::MatchesRegex("rules\\.yaml:[0-9]+:[0-9]+: YAML syntax error: .+"));
  EXPECT_THAT(p.rules, IsEmpty());
}

TEST(RuleFile, UnknownKindOnlyReportsTheKind) {
  const auto p = parse(R"(rules:
  - name: backlog-drained
    kind: drainde
    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
             dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
    for: 5m
  - name: other
    kind: gauge
    bogus: 1
)");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:3:11: unknown rule kind \"drainde\" (did you mean \"drained\"?)",
                                   "rules.yaml:8:11: unknown rule kind \"gauge\" (supported: threshold, baseline, "
                                   "drained, absent, deadline, cost, composite, job_status, job_stuck, job_errors, "
                                   "job_expiry, job_concurrency)"));
}

TEST(RuleFile, MissingKindSuggestsTheTypo) {
  const auto p = parse("rules:\n  - name: r\n    knd: threshold\n");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:2:5: rule \"r\" is missing \"kind\" (supported: threshold, baseline, "
                                   "drained, absent, deadline, cost, composite, job_status, job_stuck, job_errors, "
                                   "job_expiry, job_concurrency)",
                                   "rules.yaml:3:5: unknown key \"knd\" (did you mean \"kind\"?)"));
}

TEST(RuleFile, MissingRequiredKeys) {
  const auto p = parse(R"(rules:
  - kind: threshold
    metric:
      dimensions: {modelId: ""}
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:2:5: rule #1 is missing \"name\" (a unique name of letters, digits, \".\", "
                          "\"_\" and \"-\")",
                          "rules.yaml:2:5: rule #1 is missing \"comparison\" (one of \">\", \">=\", \"<\", \"<=\")",
                          "rules.yaml:2:5: rule #1 is missing \"threshold\" (a number, e.g. threshold: 1000000)",
                          "rules.yaml:4:7: \"metric\" of rule #1 is missing \"namespace\" (e.g. namespace: "
                          "AWS/Bedrock/Batch)",
                          "rules.yaml:4:7: \"metric\" of rule #1 is missing \"name\" (the CloudWatch metric name, "
                          "e.g. name: NumberOfRecordsPendingProcessing)",
                          "rules.yaml:4:29: dimension \"modelId\" has an empty value (name a value, or \"*\" for one "
                          "series per value found)"));
}

TEST(RuleFile, WrongShapesGiveClearMessages) {
  EXPECT_THAT(parse("- name: r\n").diags,
              ElementsAre("rules.yaml:1:1: a rule file must be a map with a \"rules:\" list, not a list (start the "
                          "file with \"rules:\" and indent the list under it)"));
  EXPECT_THAT(parse("rules:\n  name: r\n").diags,
              ElementsAre("rules.yaml:2:3: \"rules\" must be a list of rules (each starting with \"- name: ...\"), "
                          "not a map"));
  EXPECT_THAT(parse("rules:\n  - just-a-name\n").diags,
              ElementsAre("rules.yaml:2:5: rule #1 must be a map (name: ..., kind: ..., metric: ...), not a string"));
  const auto p = parse(R"(rules:
  - name: [r]
    kind: threshold
    metric: [NS, M]
    comparison: ">"
    threshold: {value: 1}
    notify: ops-email
)");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:2:11: \"name\" must be a single value, not a list",
                                   "rules.yaml:4:13: \"metric\" of rule #1 must be a map (key: value pairs), "
                                   "not a list",
                                   "rules.yaml:6:16: \"threshold\" must be a single value, not a map",
                                   "rules.yaml:7:13: \"notify\" must be a list such as [a, b], not a string"));
}

TEST(RuleFile, ScalarProblems) {
  const auto p = parse(R"(rules:
  - name: "bad name"
    kind: threshold
    metric: {namespace: NS, name: M}
    comparison: ">"
    threshold: lots
    treat_missing_data: notbreaching
    description:
    threshold: 2
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:2:11: invalid rule name \"bad name\" (use letters, digits, \".\", \"_\" "
                          "and \"-\")",
                          "rules.yaml:6:16: \"threshold\" must be a number such as 100 or 0.5, not \"lots\"",
                          "rules.yaml:7:25: invalid treat_missing_data \"notbreaching\" (use missing, ignore, "
                          "breaching or notBreaching)",
                          "rules.yaml:8:5: \"description\" has no value (write a value, or \"\" for an empty string)",
                          "rules.yaml:9:5: duplicate key \"threshold\" (first written at line 6; only that one is "
                          "used)"));
}

TEST(RuleFile, DuplicateNamesWithinOneFile) {
  const auto p = parse(R"(rules:
  - {name: r, kind: threshold, metric: {namespace: NS, name: M}, comparison: ">", threshold: 1}
  - {name: r, kind: threshold, metric: {namespace: NS, name: M}, comparison: ">", threshold: 2}
)");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:3:12: duplicate rule name \"r\" (first defined at rules.yaml:2)"));
  ASSERT_EQ(p.rules.size(), 1u);
}

TEST(RuleFile, NotifyIsNotCheckedWithoutAnAgentFileAndIsDeduplicated) {
  const auto p = parse(R"(rules:
  - {name: r, kind: threshold, metric: {namespace: NS, name: M}, comparison: ">", threshold: 1,
     notify: [a, b, a]}
)");
  ASSERT_THAT(p.diags, IsEmpty());
  EXPECT_EQ(p.rules.at(0).notify, (std::vector<std::string>{"a", "b"}));
}

TEST(RuleFile, EmptyFilesAreFine) {
  EXPECT_THAT(parse("").diags, IsEmpty());
  EXPECT_THAT(parse("# all rules commented out\n").diags, IsEmpty());
  EXPECT_THAT(parse("rules:\n").diags, IsEmpty());
  EXPECT_THAT(parse("rules: []\n").diags, IsEmpty());
}

TEST(RuleFile, UnknownTopLevelKey) {
  EXPECT_THAT(parse("rule:\n  - name: r\n").diags,
              ElementsAre("rules.yaml:1:1: unknown key \"rule\" (did you mean \"rules\"?)"));
}

TEST(RuleFile, EnvironmentInterpolationInRuleValues) {
  const auto p = parse(R"(rules:
  - name: r
    kind: threshold
    metric: {namespace: NS, name: M, dimensions: {region: "${REGION}", x: "${NOPE:-fallback}"}}
    comparison: ">"
    threshold: ${LIMIT:-42}
)");
  ASSERT_THAT(p.diags, IsEmpty());
  const auto& r = p.rules.at(0);
  EXPECT_EQ(r.metric.dimensions, (std::vector<Dimension>{{"region", "eu-west-1"}, {"x", "fallback"}}));
  EXPECT_EQ(std::get<ThresholdSpec>(r.spec).threshold, 42);
}

}  // namespace
}  // namespace bw::config
