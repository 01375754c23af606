// The keys of every rule kind: each lands in the typed spec, and each mistake is one diagnostic at the
// exact FILE:LINE:COL an operator has to fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config/loader.hpp"
#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

bool have_zoneinfo() { return std::filesystem::exists("/usr/share/zoneinfo/America/Chicago"); }

// Lines 1-4 of every case; a case's own lines start at line 5.
std::string head(const std::string& kind, const std::string& period = "5m") {
  return "rules:\n  - name: r\n    kind: " + kind +
         "\n    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfTokensPendingProcessing, period: " + period +
         "}\n";
}

Rule only(const Parsed& p) {
  EXPECT_THAT(p.diags, IsEmpty());
  EXPECT_EQ(p.rules.size(), 1u);
  return p.rules.empty() ? Rule() : p.rules[0];
}

TEST(RuleKinds, ThresholdCommonKeysLand) {
  const auto r = only(parse(head("threshold") + R"(    comparison: GreaterThanOrEqualToThreshold
    threshold: 5
    evaluation_periods: 3
    evaluation_range: 3
    repeat: 1h
    notify_on: [ALARM, INSUFFICIENT_DATA, ALARM]
    severity: critical
    notify: []
)"));
  const auto& t = std::get<ThresholdSpec>(r.spec);
  EXPECT_EQ(t.comparison, Comparison::GreaterOrEqual);
  EXPECT_EQ(t.evaluation_range, 3);
  EXPECT_EQ(r.repeat, Duration{3600});
  EXPECT_EQ(r.notify_on, (std::vector<AlarmState>{AlarmState::Alarm, AlarmState::InsufficientData}));
  EXPECT_EQ(r.severity, "critical");
  EXPECT_TRUE(r.notify.empty());
}

TEST(RuleKinds, DefaultsPerKind) {
  const auto threshold = only(parse(head("threshold") + "    comparison: \">\"\n    threshold: 1\n"));
  EXPECT_EQ(threshold.notify_on, (std::vector<AlarmState>{AlarmState::Alarm, AlarmState::Ok}));
  EXPECT_FALSE(threshold.repeat);

  const auto drained = only(parse(head("drained", "1m")));
  EXPECT_EQ(drained.notify_on, std::vector<AlarmState>{AlarmState::Drained});
  EXPECT_EQ(std::get<DrainedSpec>(drained.spec).hold, Duration{300});
  EXPECT_FALSE(std::get<DrainedSpec>(drained.spec).missing_is_zero);

  EXPECT_EQ(std::get<AbsentSpec>(only(parse(head("absent"))).spec).for_, Duration{900});
  EXPECT_EQ(std::get<AbsentSpec>(only(parse(head("absent", "1h"))).spec).for_, Duration{3600});

  // baseline `for`: 15m, rounded up to whole periods.
  const auto base = [](const std::string& period) {
    return std::get<BaselineSpec>(
               only(parse(head("baseline", period) + "    baseline: {expected: 10}\n    below: 50%\n")).spec)
        .for_;
  };
  EXPECT_EQ(base("5m"), Duration{900});
  EXPECT_EQ(base("10m"), Duration{1200});
  EXPECT_EQ(base("1h"), Duration{3600});
}

TEST(RuleKinds, BaselineKeysLand) {
  const auto r = only(parse(head("baseline") + R"(    baseline: {learn: 7d, method: mean, seasonal: daily}
    below: 50%
    above: 2.5
    for: 30m
    while: {metric: NumberOfRecordsPendingProcessing, stat: Maximum, comparison: ">", threshold: 0}
    repeat: 2h
)"));
  const auto& b = std::get<BaselineSpec>(r.spec);
  EXPECT_FALSE(b.expected);
  EXPECT_EQ(b.learn, Duration{7 * 86400});
  EXPECT_EQ(b.method, BaselineSpec::Method::Mean);
  EXPECT_TRUE(b.seasonal_daily);
  EXPECT_EQ(b.below, 0.5);
  EXPECT_EQ(b.above, 2.5);
  EXPECT_EQ(b.for_, Duration{1800});
  ASSERT_TRUE(b.while_);
  EXPECT_EQ(b.while_->metric, "NumberOfRecordsPendingProcessing");
  EXPECT_EQ(b.while_->stat, "Maximum");
  EXPECT_EQ(b.while_->comparison, Comparison::Greater);
  EXPECT_EQ(b.while_->threshold, 0);

  const auto s = only(parse(head("baseline") + "    baseline: {expected: 250000}\n    above: 200%\n"));
  const auto& fixed = std::get<BaselineSpec>(s.spec);
  EXPECT_EQ(fixed.expected, 250000);
  EXPECT_EQ(fixed.method, BaselineSpec::Method::Median);
  EXPECT_FALSE(fixed.below);
  EXPECT_EQ(fixed.above, 2.0);
  EXPECT_FALSE(fixed.while_);
}

TEST(RuleKinds, DrainedAbsentDeadlineCompositeKeysLand) {
  const auto drained = only(parse(head("drained", "1m") + "    for: 10m\n    treat_missing_data: zero\n"));
  EXPECT_EQ(std::get<DrainedSpec>(drained.spec).hold, Duration{600});
  EXPECT_TRUE(std::get<DrainedSpec>(drained.spec).missing_is_zero);

  EXPECT_EQ(std::get<AbsentSpec>(only(parse(head("absent") + "    for: 2h\n")).spec).for_, Duration{7200});

  const auto deadline = only(parse(head("deadline") + R"(    rate: {metric: NumberOfInputTokensProcessedPerMinute, stat: p90, periods: 6, per: 1h}
    deadline: 2026-11-22T06:00:00-06:00
)"));
  const auto& d = std::get<DeadlineRule>(deadline.spec);
  EXPECT_EQ(d.rate.name, "NumberOfInputTokensProcessedPerMinute");
  EXPECT_EQ(d.rate.stat, "p90");
  EXPECT_EQ(d.spec.rate_periods, 6);
  EXPECT_EQ(d.spec.rate_per, Duration{3600});
  EXPECT_EQ(std::get<Time>(d.spec.deadline), *parse_rfc3339("2026-11-22T12:00:00Z"));

  const auto defaults = only(parse(head("deadline") + "    rate: {metric: NumberOfInputTokensProcessedPerMinute}\n"
                                                      "    deadline: 2026-11-22T06:00:00Z\n"));
  EXPECT_EQ(std::get<DeadlineRule>(defaults.spec).rate.stat, "Average");
  EXPECT_EQ(std::get<DeadlineRule>(defaults.spec).spec.rate_periods, 3);
  EXPECT_EQ(std::get<DeadlineRule>(defaults.spec).spec.rate_per, Duration{60});

  const auto p = parse(R"(rules:
  - {name: a, kind: absent, metric: {namespace: NS, name: M}}
  - {name: b, kind: drained, metric: {namespace: NS, name: M}}
  - name: c
    kind: composite
    all_of: [a, b, a]
    any_of: [d]
    across_labels: true
    notify_on: [ALARM]
  - {name: d, kind: composite, any_of: [a]}
)");
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 4u);
  const auto& c = std::get<CompositeSpec>(p.rules[2].spec);
  EXPECT_EQ(c.all_of, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.any_of, std::vector<std::string>{"d"});
  EXPECT_TRUE(c.across_labels);
  EXPECT_FALSE(std::get<CompositeSpec>(p.rules[3].spec).across_labels);
  EXPECT_EQ(p.rules[2].notify_on, std::vector<AlarmState>{AlarmState::Alarm});
}

TEST(RuleKinds, DailyDeadlineLoadsItsTimeZone) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no /usr/share/zoneinfo";
  const auto r = only(parse(head("deadline") + "    rate: {metric: NumberOfInputTokensProcessedPerMinute}\n"
                                               "    deadline: \"06:30 America/Chicago\"\n"));
  const auto& daily = std::get<DailyDeadline>(std::get<DeadlineRule>(r.spec).spec.deadline);
  EXPECT_EQ(daily.minute_of_day, 390);
  EXPECT_EQ(daily.zone.name(), "America/Chicago");
  EXPECT_EQ(daily.text, "06:30 America/Chicago");
  // 2026-11-22 is after the DST change: Chicago is UTC-6.
  EXPECT_EQ(daily.zone.offset_at(*parse_rfc3339("2026-11-22T12:00:00Z")), -6 * 3600);
  EXPECT_EQ(daily.zone.offset_at(*parse_rfc3339("2026-07-01T12:00:00Z")), -5 * 3600);
}

// One bad rule per row: lines 1-4 are head(kind), so `body` starts at line 5.
struct BadCase {
  const char* what;
  std::string kind;
  std::string body;
  std::vector<std::string> diags;
  std::string period = "5m";
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class RejectedKeys : public ::testing::TestWithParam<BadCase> {};

TEST_P(RejectedKeys, OneDiagnosticAtTheRightPlace) {
  const auto& c = GetParam();
  const auto p = parse(head(c.kind, c.period) + c.body);
  EXPECT_EQ(p.diags, c.diags) << c.what;
  EXPECT_THAT(p.rules, IsEmpty()) << c.what;
}

const std::string kExpected = "    baseline: {expected: 250000}\n";
const std::string kRate = "    rate: {metric: NumberOfInputTokensProcessedPerMinute}\n";

INSTANTIATE_TEST_SUITE_P(
    Baseline, RejectedKeys,
    ::testing::Values(
        BadCase{"below over 100%", "baseline", kExpected + "    below: 150%\n",
                {"rules.yaml:6:12: \"below\" must be more than 0% and less than 100%, not 150% (below: 50% alarms when "
                 "the value falls under half of the baseline; to alarm above the baseline use \"above\")"}},
        BadCase{"below zero", "baseline", kExpected + "    below: 0\n",
                {"rules.yaml:6:12: \"below\" must be more than 0% and less than 100%, not 0% (below: 50% alarms when "
                 "the value falls under half of the baseline; to alarm above the baseline use \"above\")"}},
        BadCase{"below not a number", "baseline", kExpected + "    below: half\n",
                {"rules.yaml:6:12: \"below\" must be a percentage such as 50% (or a fraction such as 0.5), not "
                 "\"half\""}},
        BadCase{"above under 100%", "baseline", kExpected + "    above: 90%\n",
                {"rules.yaml:6:12: \"above\" must be more than 100%, not 90% (above: 200% alarms when the value "
                 "exceeds twice the baseline; to alarm under the baseline use \"below\")"}},
        BadCase{"above written as a percent number", "baseline", kExpected + "    above: 200\n",
                {"rules.yaml:6:12: \"above: 200\" means 20000% of the baseline; write 200% for 2 times the "
                 "baseline, or 20000% if you mean it"}},
        BadCase{"neither below nor above", "baseline", kExpected,
                {"rules.yaml:2:5: rule \"r\" needs \"below\" and/or \"above\" (e.g. below: 50% alarms when the value "
                 "falls under half of the baseline)"}},
        BadCase{"no baseline", "baseline", "    below: 50%\n",
                {"rules.yaml:2:5: rule \"r\" is missing \"baseline\" ({expected: 250000} for a fixed baseline, or "
                 "{learn: 7d, method: median} to learn it from the metric's own history)"}},
        BadCase{"expected and learn", "baseline", "    baseline: {expected: 1, learn: 7d}\n    below: 50%\n",
                {"rules.yaml:5:29: \"baseline\" takes expected (a fixed value) or learn (a window of the metric's "
                 "own history), not both"}},
        BadCase{"neither expected nor learn", "baseline", "    baseline: {method: median}\n    below: 50%\n",
                {"rules.yaml:5:15: \"baseline\" needs expected (a fixed value, e.g. {expected: 250000}) or learn "
                 "(e.g. {learn: 7d, method: median})"}},
        BadCase{"learn too short", "baseline", "    baseline: {learn: 30m}\n    below: 50%\n",
                {"rules.yaml:5:23: \"baseline.learn\" must be at least 1h, not 30m (the history is kept hourly; 7d "
                 "is typical)"}},
        BadCase{"method typo", "baseline", "    baseline: {learn: 7d, method: medain}\n    below: 50%\n",
                {"rules.yaml:5:35: invalid baseline.method \"medain\" (use median or mean) (did you mean "
                 "\"median\"?)"}},
        BadCase{"seasonal weekly", "baseline", "    baseline: {learn: 7d, seasonal: weekly}\n    below: 50%\n",
                {"rules.yaml:5:37: invalid baseline.seasonal \"weekly\" (the one seasonality is daily: learn from the "
                 "same time of day on past days)"}},
        BadCase{"seasonal with a short learn", "baseline",
                "    baseline: {learn: 12h, seasonal: daily}\n    below: 50%\n",
                {"rules.yaml:5:23: seasonal: daily needs learn of at least 1d, not 12h (it compares with the same "
                 "time on past days)"}},
        BadCase{"expected not positive", "baseline", "    baseline: {expected: 0}\n    below: 50%\n",
                {"rules.yaml:5:26: \"baseline.expected\" must be more than 0, not 0.0 (the value is compared with a "
                 "percentage of it)"}},
        BadCase{"for under the period", "baseline", kExpected + "    below: 50%\n    for: 2m\n",
                {"rules.yaml:7:10: \"for\" (2m) must be at least the metric period (5m): the rule looks at whole "
                 "periods"}},
        BadCase{"for not a multiple of the period", "baseline", kExpected + "    below: 50%\n    for: 12m\n",
                {"rules.yaml:7:10: \"for\" (12m) must be a whole number of metric periods (5m), e.g. 10m or 15m"}},
        BadCase{"while without metric, bad stat", "baseline",
                kExpected + "    below: 50%\n    while: {stat: Max, threshold: 0}\n",
                {"rules.yaml:7:12: \"while\" of rule \"r\" is missing \"metric\" (another metric of the same "
                 "namespace and labels, e.g. NumberOfRecordsPendingProcessing)",
                 "rules.yaml:7:19: invalid stat \"Max\" (use Average, Sum, Minimum, Maximum, SampleCount or a "
                 "percentile p0.1 to p99.99 such as p90 or p99.9)"}},
        BadCase{"key typo", "baseline", kExpected + "    belw: 50%\n",
                {"rules.yaml:2:5: rule \"r\" needs \"below\" and/or \"above\" (e.g. below: 50% alarms when the value "
                 "falls under half of the baseline)",
                 "rules.yaml:6:5: unknown key \"belw\" (did you mean \"below\"?)"}},
        BadCase{"threshold keys on a baseline", "baseline", kExpected + "    below: 50%\n    threshold: 5\n",
                {"rules.yaml:7:5: \"threshold\" does not apply to baseline rules (it is a key of threshold rules)"}}));

INSTANTIATE_TEST_SUITE_P(
    OtherKinds, RejectedKeys,
    ::testing::Values(
        BadCase{"drained with breaching", "drained", "    treat_missing_data: breaching\n",
                {"rules.yaml:5:25: treat_missing_data \"breaching\" does not apply to drained rules (use missing, or "
                 "zero if no datapoint means an empty backlog): Bedrock publishes nothing while no job runs, so by "
                 "default a gap is not a drain"}},
        BadCase{"drained with a typo", "drained", "    treat_missing_data: zeros\n",
                {"rules.yaml:5:25: invalid treat_missing_data \"zeros\" for a drained rule (use missing or zero) "
                 "(did you mean \"zero\"?)"}},
        BadCase{"drained with repeat", "drained", "    repeat: 1h\n",
                {"rules.yaml:5:5: \"repeat\" does not apply to drained rules: a drain notifies once and re-arms only "
                 "when the backlog rises again"}},
        BadCase{"drained notified on ALARM", "drained", "    notify_on: [DRAINED, ALARM]\n",
                {"rules.yaml:5:26: a drained rule is never in ALARM (its states are DRAINED, OK and "
                 "INSUFFICIENT_DATA); notify_on: [DRAINED] notifies once per drain"}},
        BadCase{"threshold notified on DRAINED, lower case", "threshold",
                "    comparison: \">\"\n    threshold: 1\n    notify_on: [DRAINED, alarm, sometimes]\n",
                {"rules.yaml:7:17: \"DRAINED\" in notify_on applies only to drained rules (a threshold rule is never "
                 "DRAINED)",
                 "rules.yaml:7:26: invalid state \"alarm\" in notify_on (did you mean \"ALARM\"? states are written in "
                 "capitals)",
                 "rules.yaml:7:33: invalid state \"sometimes\" in notify_on (use OK, ALARM, INSUFFICIENT_DATA or, for "
                 "drained rules, DRAINED)"}},
        BadCase{"empty notify_on", "absent", "    notify_on: []\n",
                {"rules.yaml:5:16: \"notify_on\" lists no states (to send nothing, write notify: [])"}},
        BadCase{"threshold with for", "threshold", "    comparison: \">\"\n    threshold: 1\n    for: 5m\n",
                {"rules.yaml:7:5: \"for\" does not apply to threshold rules (they use evaluation_periods and "
                 "datapoints_to_alarm)"}},
        BadCase{"absent for under the period", "absent", "    for: 1m\n",
                {"rules.yaml:5:10: \"for\" (1m) must be at least the metric period (5m): one period without a "
                 "datapoint is the shortest absence there is"}},
        BadCase{"deadline without rate", "deadline", "    deadline: 2026-11-22T06:00:00Z\n",
                {"rules.yaml:2:5: rule \"r\" is missing \"rate\" (the throughput metric, e.g. rate: {metric: "
                 "NumberOfInputTokensProcessedPerMinute, stat: Average})"}},
        BadCase{"deadline backlog key", "deadline", kRate + "    backlog: {name: X}\n    deadline: 2026-11-22T06:00:00Z\n",
                {"rules.yaml:6:5: deadline rules take the backlog as \"metric\" (e.g. metric: {namespace: "
                 "AWS/Bedrock/Batch, name: NumberOfTokensPendingProcessing, ...})"}},
        BadCase{"deadline rate periods", "deadline",
                "    rate: {metric: NumberOfInputTokensProcessedPerMinute, periods: 0}\n    deadline: 2026-11-22T06:00:00Z\n",
                {"rules.yaml:5:68: \"rate.periods\" must be between 1 and 1440, not 0 (how many recent periods of the "
                 "rate are averaged)"}},
        BadCase{"deadline rate in records", "deadline",
                "    rate: {metric: NumberOfRecordsProcessedPerMinute}\n    deadline: 2026-11-22T06:00:00Z\n",
                {"rules.yaml:5:11: the backlog (NumberOfTokensPendingProcessing) counts tokens but the rate "
                 "(NumberOfRecordsProcessedPerMinute) counts records: the projection needs both in the same unit"}},
        BadCase{"deadline free text", "deadline", kRate + "    deadline: 6am Chicago\n",
                {"rules.yaml:6:15: invalid deadline \"6am Chicago\" (write \"HH:MM Area/City\" for a daily deadline, "
                 "e.g. \"06:00 America/Chicago\", or an RFC 3339 time, e.g. 2026-11-22T06:00:00Z)"}},
        BadCase{"deadline bad RFC 3339", "deadline", kRate + "    deadline: \"2026-11-22 06:00\"\n",
                {"rules.yaml:6:15: invalid RFC 3339 time \"2026-11-22 06:00\" in deadline (write e.g. "
                 "2026-11-22T06:00:00Z or 2026-11-22T06:00:00-06:00)"}},
        BadCase{"deadline hour 25", "deadline", kRate + "    deadline: \"25:00 UTC\"\n",
                {"rules.yaml:6:15: invalid time of day \"25:00\" in deadline (use 00:00 to 23:59)"}},
        BadCase{"deadline without zone", "deadline", kRate + "    deadline: \"06:00\"\n",
                {"rules.yaml:6:15: deadline \"06:00\" needs a time zone, e.g. \"06:00 America/Chicago\" or \"06:00 "
                 "UTC\""}},
        BadCase{"deadline zone with dots", "deadline", kRate + "    deadline: \"06:00 ../../etc/passwd\"\n",
                {"rules.yaml:6:15: invalid time zone \"../../etc/passwd\" (use an IANA name such as America/Chicago, "
                 "Europe/Berlin or UTC)"}},
        BadCase{"composite with a metric", "composite", "    all_of: [x]\n",
                {"rules.yaml:4:5: composite rules have no \"metric\": they combine the states of the rules named in "
                 "all_of and any_of",
                 "rules.yaml:5:14: composite \"r\" names unknown rule \"x\""}}));

TEST(RuleKinds, UnknownTimeZoneIsReportedAtTheScalarWithASuggestion) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no /usr/share/zoneinfo";
  const auto p = parse(head("deadline") + kRate + "    deadline: \"06:00 America/Chicgo\"\n");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:6:15: unknown time zone \"America/Chicgo\" (did you mean "
                                   "\"America/Chicago\"?)"));
  EXPECT_THAT(parse(head("deadline") + kRate + "    deadline: \"06:00 Mars/Olympus_Mons\"\n").diags,
              ElementsAre("rules.yaml:6:15: unknown time zone \"Mars/Olympus_Mons\" (use an IANA name such as "
                          "America/Chicago, Europe/Berlin or UTC)"));
  EXPECT_THAT(parse(head("deadline") + kRate + "    deadline: \"06:00 europe/berlin\"\n").diags,
              ElementsAre("rules.yaml:6:15: unknown time zone \"europe/berlin\" (use an IANA name such as "
                          "America/Chicago, Europe/Berlin or UTC)"));
}

TEST(RuleKinds, CompositeReferencesAreCheckedAtTheListItem) {
  const auto p = parse(R"(rules:
  - name: slow-and-late
    kind: composite
    all_of: [throughput-low,
             backlog-hihg]
    any_of: [slow-and-late]
  - {name: throughput-low, kind: absent, metric: {namespace: NS, name: M}}
  - {name: backlog-high, kind: absent, metric: {namespace: NS, name: M}}
)");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:5:14: composite \"slow-and-late\" names unknown rule \"backlog-hihg\" "
                                   "(did you mean \"backlog-high\"?)",
                                   "rules.yaml:6:14: composite \"slow-and-late\" names itself in any_of"));
  ASSERT_EQ(p.rules.size(), 2u);  // the composite is dropped, the rules it names are kept
  EXPECT_EQ(p.rules[0].name, "throughput-low");
}

TEST(RuleKinds, CompositeCyclesAreReportedOnce) {
  const auto p = parse(R"(rules:
  - {name: a, kind: composite, all_of: [b]}
  - {name: b, kind: composite, any_of: [leaf, c]}
  - {name: c, kind: composite, any_of: [a]}
  - {name: d, kind: composite, any_of: [a]}
  - {name: leaf, kind: absent, metric: {namespace: NS, name: M}}
)");
  EXPECT_THAT(p.diags, ElementsAre("rules.yaml:2:41: composite \"a\" is part of a cycle: a -> b -> c -> a (a "
                                   "composite cannot depend on itself)"));
  ASSERT_EQ(p.rules.size(), 2u);  // d only names a cycle: it is not part of one
  EXPECT_EQ(p.rules[0].name, "d");
  EXPECT_EQ(p.rules[1].name, "leaf");
}

TEST(RuleKinds, CompositeShapes) {
  const auto p = parse(R"(rules:
  - {name: a, kind: composite}
  - {name: b, kind: composite, all_of: [], any_of: []}
  - {name: c, kind: composite, all_of: ["bad name"], across_labels: sometimes, repeat: 1h}
)");
  EXPECT_THAT(p.diags,
              ElementsAre("rules.yaml:2:5: rule \"a\" needs all_of and/or any_of (lists of rule names, e.g. all_of: "
                          "[throughput-low, backlog-high])",
                          "rules.yaml:3:5: rule \"b\" names no rules in all_of or any_of",
                          "rules.yaml:4:41: invalid rule name \"bad name\" in all_of (rule names use letters, digits, "
                          "\".\", \"_\" and \"-\")",
                          "rules.yaml:4:69: \"across_labels\" must be true or false, not \"sometimes\"",
                          "rules.yaml:4:80: \"repeat\" does not apply to composite rules (set it on the rules they "
                          "name)"));
}

// A composite may name a rule of a later file; unknown names are reported once every file is read.
// Needs load() (config/agent_file.cpp) to call detail::finish_rules() after the last rule file.
TEST(RuleKinds, CompositeNamesAreResolvedAcrossRuleFiles) {
  testing::TempDir dir;
  const auto agent = dir.agent("rule_files: [a.yaml, b.yaml]\n");
  const auto a = dir.write("a.yaml", "rules:\n  - {name: both, kind: composite, all_of: [leaf, ghost]}\n");
  dir.write("b.yaml", "rules:\n  - {name: leaf, kind: absent, metric: {namespace: NS, name: M}}\n");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics), ElementsAre(a + ":2:50: composite \"both\" names unknown rule \"ghost\""));
  EXPECT_FALSE(r.config);
}

}  // namespace
}  // namespace bw::config
