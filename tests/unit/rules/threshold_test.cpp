#include "rules/threshold.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace bw {
namespace {

constexpr Duration kPeriod{60};
const Time kBase = from_epoch(1'795'305'600);  // 2026-11-22T00:00:00Z

// "0 - X" -> slots one period apart; 0 is 0.0 (calm), X is 10.0 (breaching "> 5"), - is missing.
std::vector<Slot> window_of(const std::string& datapoints) {
  std::vector<Slot> slots;
  std::istringstream in(datapoints);
  std::string token;
  while (in >> token) {
    std::optional<double> v;
    if (token == "0") v = 0.0;
    else if (token == "X") v = 10.0;
    else if (token != "-") ADD_FAILURE() << "bad datapoint token '" << token << "' in '" << datapoints << "'";
    slots.push_back(Slot{kBase + kPeriod * static_cast<int>(slots.size()), v});
  }
  return slots;
}

ThresholdSpec spec_of(int m, int n, int range, TreatMissing t) {
  ThresholdSpec s;
  s.comparison = Comparison::Greater;
  s.threshold = 5;
  s.datapoints_to_alarm = m;
  s.evaluation_periods = n;
  s.evaluation_range = range;
  s.treat_missing = t;
  return s;
}

// ---- The documented examples, one test per (row, treatment) ----

struct DocCase {
  std::string name;
  std::string datapoints;
  int m = 0, n = 0, range = 0;
  TreatMissing treat = TreatMissing::Missing;
  std::string expected;  // OK ALARM INSUFFICIENT_DATA retain not-ALARM
};

// Failure messages show the row rather than gtest's byte dump of the parameter.
void PrintTo(const DocCase& c, std::ostream* os) {
  *os << '"' << c.datapoints << "\" M=" << c.m << " N=" << c.n << " range=" << c.range << ' ' << to_string(c.treat)
      << " -> " << c.expected;
}

std::string token_name(const std::string& datapoints) {
  std::string out;
  for (char ch : datapoints) {
    if (ch == ' ') out += '_';
    else if (ch == '-') out += 'n';  // no data
    else out += ch;
  }
  return out;
}

// Rows are grouped into tables the way the documentation groups them: a new table starts whenever
// M, N, the range or the set of documented treatments changes from the previous row.
std::vector<DocCase> load_doc_cases() {
  std::vector<DocCase> out;
  const auto root = YAML::LoadFile(BW_TEST_DATA_DIR "/cloudwatch-doc-examples.yaml");
  int table = 0;
  std::string previous_shape;
  for (const auto& row : root["cases"]) {
    DocCase base;
    base.datapoints = row["datapoints"].as<std::string>();
    base.m = row["m"].as<int>();
    base.n = row["n"].as<int>();
    base.range = row["range"].as<int>();
    std::string shape = std::to_string(base.m) + "/" + std::to_string(base.n) + "/" + std::to_string(base.range);
    for (const auto& e : row["expected"]) shape += "/" + e.first.as<std::string>();
    if (shape != previous_shape) ++table;
    previous_shape = shape;
    for (const auto& e : row["expected"]) {
      DocCase c = base;
      const auto treat = e.first.as<std::string>();
      c.treat = parse_treat_missing(treat).value();
      c.expected = e.second.as<std::string>();
      c.name = "Table" + std::to_string(table) + "_" + token_name(c.datapoints) + "_" + treat;
      out.push_back(c);
    }
  }
  return out;
}

TEST(CloudWatchDocExamples, FileHasEveryDocumentedRow) {
  const auto cases = load_doc_cases();
  // 10 table rows x 4 treatments + 2 premature-alarm rows documented for "missing" only.
  EXPECT_EQ(cases.size(), 42u);
}

class DocExample : public ::testing::TestWithParam<DocCase> {};

TEST_P(DocExample, MatchesDocumentedState) {
  const auto& c = GetParam();
  SCOPED_TRACE("datapoints \"" + c.datapoints + "\" M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) +
               " treat=" + std::string(to_string(c.treat)) + " expected " + c.expected);
  const auto spec = spec_of(c.m, c.n, c.range, c.treat);
  const auto window = window_of(c.datapoints);
  ASSERT_EQ(window.size(), static_cast<std::size_t>(spec.range()));
  for (const auto previous : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData}) {
    SCOPED_TRACE("previous " + std::string(to_string(previous)));
    const auto ev = evaluate_threshold(spec, window, previous);
    EXPECT_FALSE(ev.reason.empty());
    const auto quiet = evaluate_threshold(spec, window, previous, Explain::No);
    EXPECT_EQ(quiet.state, ev.state);
    EXPECT_EQ(quiet.value, ev.value);
    EXPECT_EQ(quiet.value_time, ev.value_time);
    EXPECT_TRUE(quiet.reason.empty()) << quiet.reason;
    if (c.expected == "retain") {
      EXPECT_EQ(ev.state, previous) << ev.reason;
      EXPECT_NE(ev.reason.find("retained"), std::string::npos) << ev.reason;
    } else if (c.expected == "not-ALARM") {
      EXPECT_NE(ev.state, AlarmState::Alarm) << ev.reason;
    } else {
      EXPECT_EQ(to_string(ev.state), c.expected) << ev.reason;
    }
  }
}

// A named function: a lambda's parameter would shadow the macro's own `info` under -Wshadow.
std::string doc_case_name(const ::testing::TestParamInfo<DocCase>& p) { return p.param.name; }

INSTANTIATE_TEST_SUITE_P(CloudWatch, DocExample, ::testing::ValuesIn(load_doc_cases()), doc_case_name);

// ---- Edge cases beyond the documentation ----

Evaluation eval(const std::string& datapoints, int m, int n, TreatMissing t, AlarmState previous = AlarmState::Ok) {
  const auto window = window_of(datapoints);
  return evaluate_threshold(spec_of(m, n, static_cast<int>(window.size()), t), window, previous);
}

TEST(Threshold, OneOfOne) {
  for (const auto t :
       {TreatMissing::Missing, TreatMissing::Ignore, TreatMissing::Breaching, TreatMissing::NotBreaching}) {
    SCOPED_TRACE(std::string(to_string(t)));
    EXPECT_EQ(eval("- - X", 1, 1, t).state, AlarmState::Alarm);
    EXPECT_EQ(eval("- - 0", 1, 1, t).state, AlarmState::Ok);
    EXPECT_EQ(eval("X - -", 1, 1, t).state, AlarmState::Alarm);  // reaches back past the gap
    EXPECT_EQ(eval("X 0 -", 1, 1, t).state, AlarmState::Ok);     // only the newest real point counts
  }
  EXPECT_EQ(eval("- - -", 1, 1, TreatMissing::Missing).state, AlarmState::InsufficientData);
  EXPECT_EQ(eval("- - -", 1, 1, TreatMissing::Ignore, AlarmState::Alarm).state, AlarmState::Alarm);
  EXPECT_EQ(eval("- - -", 1, 1, TreatMissing::Breaching).state, AlarmState::Alarm);
  EXPECT_EQ(eval("- - -", 1, 1, TreatMissing::NotBreaching, AlarmState::Alarm).state, AlarmState::Ok);
}

TEST(Threshold, OlderRealPointsBeyondNewestNAreIgnored) {
  // 3 breaches in the window, but the newest 3 real points hold only one.
  auto ev = eval("X X 0 0 X", 2, 3, TreatMissing::Breaching);
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_EQ(ev.reason.find("00:00:00"), std::string::npos) << ev.reason;
  EXPECT_EQ(ev.reason.find("00:01:00"), std::string::npos) << ev.reason;
  // Gaps are skipped, not filled, once N real points exist.
  ev = eval("0 X - X - 0", 2, 3, TreatMissing::NotBreaching);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_EQ(ev.reason.find("00:00:00"), std::string::npos) << ev.reason;
  EXPECT_EQ(eval("X X - 0 - 0", 2, 3, TreatMissing::Breaching).state, AlarmState::Ok);
}

TEST(Threshold, AllComparisonsIncludingEquality) {
  struct Row {
    Comparison cmp;
    double value;
    AlarmState expected;
  };
  const Row rows[] = {
      {Comparison::Greater, 5.0, AlarmState::Ok},          {Comparison::Greater, 5.5, AlarmState::Alarm},
      {Comparison::GreaterOrEqual, 5.0, AlarmState::Alarm}, {Comparison::GreaterOrEqual, 4.9, AlarmState::Ok},
      {Comparison::Less, 5.0, AlarmState::Ok},             {Comparison::Less, 4.5, AlarmState::Alarm},
      {Comparison::LessOrEqual, 5.0, AlarmState::Alarm},    {Comparison::LessOrEqual, 5.1, AlarmState::Ok},
  };
  for (const auto& r : rows) {
    ThresholdSpec s = spec_of(1, 1, 3, TreatMissing::Missing);
    s.comparison = r.cmp;
    const std::vector<Slot> w = {{kBase, std::nullopt}, {kBase + kPeriod, 0.0}, {kBase + 2 * kPeriod, r.value}};
    const auto ev = evaluate_threshold(s, w, AlarmState::InsufficientData);
    EXPECT_EQ(ev.state, r.expected) << symbol(r.cmp) << " " << r.value << ": " << ev.reason;
    EXPECT_NE(ev.reason.find(std::string(phrase(r.cmp)) + " the threshold (5.0)"), std::string::npos) << ev.reason;
  }
}

TEST(Threshold, RangeLargerThanNPlusTwo) {
  // Range 10 for N = 3: real points anywhere in the range count.
  EXPECT_EQ(eval("X X X - - - - - - -", 3, 3, TreatMissing::Missing).state, AlarmState::Alarm);
  EXPECT_EQ(eval("X X 0 - - - - - - -", 3, 3, TreatMissing::Missing).state, AlarmState::Ok);
  // Fewer than N real: all are evaluated, however old.
  EXPECT_EQ(eval("X X - - - - - - - -", 2, 3, TreatMissing::Missing).state, AlarmState::Alarm);
  EXPECT_EQ(eval("X X - - - - - - - -", 2, 3, TreatMissing::NotBreaching).state, AlarmState::Alarm);
  // A lone old breach is outside the last N slots, so premature-alarm avoidance does not fire...
  EXPECT_EQ(eval("X - - - - - - - - -", 2, 3, TreatMissing::Missing).state, AlarmState::Ok);
  // ...but the same breach inside the last N slots, old enough, does.
  EXPECT_EQ(eval("- - - - - - - X - -", 2, 3, TreatMissing::Missing).state, AlarmState::Alarm);
  EXPECT_EQ(eval("X - - - - - - - - -", 2, 3, TreatMissing::Breaching).state, AlarmState::Alarm);
  EXPECT_EQ(eval("X - - - - - - - - -", 2, 3, TreatMissing::Ignore, AlarmState::Ok).state, AlarmState::Ok);
  EXPECT_EQ(eval("X - - - - - - - - -", 2, 3, TreatMissing::Ignore, AlarmState::Alarm).state, AlarmState::Alarm);
}

TEST(Threshold, PrematureAlarmNeedsEveryRealPointBreaching) {
  // The doc prose ("every more recent datapoint is breaching or missing") would alarm on both;
  // the doc table says OK for the first shape, so an older calm point vetoes too.
  EXPECT_EQ(eval("0 - X - -", 2, 3, TreatMissing::Missing).state, AlarmState::Ok);
  EXPECT_EQ(eval("- - X - -", 2, 3, TreatMissing::Missing).state, AlarmState::Alarm);
  // Age boundary: exactly M periods old alarms, M - 1 does not.
  EXPECT_EQ(eval("- - - X -", 2, 3, TreatMissing::Missing).state, AlarmState::Alarm);
  EXPECT_EQ(eval("- - - - X", 2, 3, TreatMissing::Missing).state, AlarmState::Ok);
}

TEST(Threshold, ReasonShapes) {
  ThresholdSpec s = spec_of(1, 1, 1, TreatMissing::Missing);
  s.threshold = 1'000'000;
  auto ev = evaluate_threshold(s, {{kBase, 1'250'000.0}}, AlarmState::Ok);
  EXPECT_EQ(ev.reason,
            "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 00:00:00)] was greater than "
            "the threshold (1000000.0) (minimum 1 datapoint for OK -> ALARM transition).");

  s = spec_of(3, 3, 3, TreatMissing::Missing);
  s.threshold = 10;
  ev = evaluate_threshold(s, {{kBase + kPeriod * 8, 3.0}, {kBase + kPeriod * 9, 4.0}, {kBase + kPeriod * 10, 5.0}},
                          AlarmState::Alarm);
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_EQ(ev.reason,
            "Threshold Crossed: 3 datapoints [5.0 (22/11/26 00:10:00), 4.0 (22/11/26 00:09:00), 3.0 (22/11/26 "
            "00:08:00)] were not greater than the threshold (10.0) (minimum 1 datapoint for ALARM -> OK transition).");

  EXPECT_EQ(eval("- - -", 3, 3, TreatMissing::Missing).reason,
            "Insufficient Data: 0 datapoints were received for 3 periods and 3 missing datapoints were treated as "
            "[Missing].");
  EXPECT_EQ(eval("- - - - -", 3, 3, TreatMissing::Breaching).reason,
            "Threshold Crossed: 0 datapoints were received for 3 periods and 3 missing datapoints were treated as "
            "[Breaching].");
  EXPECT_NE(eval("- - - - -", 3, 3, TreatMissing::NotBreaching).reason.find("[NonBreaching]"), std::string::npos);
  EXPECT_EQ(eval("- - - - -", 3, 3, TreatMissing::Ignore, AlarmState::Alarm).reason,
            "State retained (ALARM): 0 datapoints were received for 3 periods and 3 missing datapoints were treated "
            "as [Ignore].");

  // 2 of 3 alarming: only the breaching points are listed, newest first.
  EXPECT_EQ(eval("0 0 X 0 X", 2, 3, TreatMissing::Missing).reason,
            "Threshold Crossed: 2 out of the last 3 datapoints [10.0 (22/11/26 00:04:00), 10.0 (22/11/26 00:02:00)] "
            "were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).");
  // Filled gaps are reported with their treatment.
  EXPECT_EQ(eval("- - X - -", 3, 3, TreatMissing::Breaching).reason,
            "Threshold Crossed: 1 out of the last 3 datapoints [10.0 (22/11/26 00:02:00)] was greater than the "
            "threshold (5.0); 2 missing datapoints were treated as [Breaching] (minimum 3 datapoints for OK -> "
            "ALARM transition).");
  EXPECT_EQ(eval("- - - - 0", 2, 3, TreatMissing::Breaching).reason,
            "Threshold Crossed: 2 missing datapoints were treated as [Breaching] (minimum 2 datapoints for OK -> "
            "ALARM transition).");
  EXPECT_EQ(eval("- - X - -", 3, 3, TreatMissing::Missing).reason,
            "Threshold Crossed: 1 out of the last 3 datapoints [10.0 (22/11/26 00:02:00)] was greater than the "
            "threshold (5.0); 2 missing datapoints were treated as [Missing]; the oldest breaching datapoint in the "
            "last 3 periods is 3 periods old (minimum 3 datapoints for OK -> ALARM transition).");
  EXPECT_EQ(eval("- - - - X", 3, 3, TreatMissing::Missing).reason,
            "Threshold Crossed: only 1 out of the last 3 datapoints [10.0 (22/11/26 00:04:00)] was greater than the "
            "threshold (5.0); 2 missing datapoints were treated as [Missing]; the oldest breaching datapoint in the "
            "last 3 periods is 1 period old (minimum 3 datapoints for OK -> ALARM transition).");
  EXPECT_EQ(eval("0 - - - -", 3, 3, TreatMissing::NotBreaching).reason,
            "Threshold Crossed: 1 datapoint [0.0 (22/11/26 00:00:00)] was not greater than the threshold (5.0); 2 "
            "missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for ALARM -> OK transition).");
  EXPECT_EQ(eval("- - X - -", 3, 3, TreatMissing::Ignore, AlarmState::Ok).reason,
            "State retained (OK): only 1 out of the last 3 datapoints [10.0 (22/11/26 00:02:00)] was greater than the "
            "threshold (5.0); 2 missing datapoints were treated as [Ignore] (minimum 3 datapoints for OK -> ALARM "
            "transition).");
}

TEST(Threshold, ReasonCarriesValuesAndThreshold) {
  ThresholdSpec s = spec_of(2, 3, 5, TreatMissing::Missing);
  s.comparison = Comparison::LessOrEqual;
  s.threshold = 0.25;
  const std::vector<Slot> w = {{kBase, 7.0},           {kBase + kPeriod, 0.125},     {kBase + 2 * kPeriod, 3.5},
                               {kBase + 3 * kPeriod, 0.25}, {kBase + 4 * kPeriod, std::nullopt}};
  const auto ev = evaluate_threshold(s, w, AlarmState::Ok);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_NE(ev.reason.find("0.25 (22/11/26 00:03:00)"), std::string::npos) << ev.reason;
  EXPECT_NE(ev.reason.find("0.125 (22/11/26 00:01:00)"), std::string::npos) << ev.reason;
  EXPECT_NE(ev.reason.find("less than or equal to the threshold (0.25)"), std::string::npos) << ev.reason;
  EXPECT_EQ(ev.reason.find("7.0"), std::string::npos) << ev.reason;  // older than the newest N real points
}

TEST(Threshold, ValueIsNewestConsideredPoint) {
  auto ev = eval("X 0 X - -", 2, 3, TreatMissing::Missing);
  ASSERT_TRUE(ev.value && ev.value_time);
  EXPECT_EQ(*ev.value, 10.0);
  EXPECT_EQ(*ev.value_time, kBase + 2 * kPeriod);

  ev = eval("- 0 - X 0 - -", 1, 2, TreatMissing::Breaching);
  ASSERT_TRUE(ev.value && ev.value_time);
  EXPECT_EQ(*ev.value, 0.0);
  EXPECT_EQ(*ev.value_time, kBase + 4 * kPeriod);

  ev = eval("- - - - -", 3, 3, TreatMissing::Breaching);
  EXPECT_FALSE(ev.value);
  EXPECT_FALSE(ev.value_time);
}

// Every 6-slot window over {calm, breaching, missing}, every M <= N <= 4 and treatment: the engine's quiet
// evaluation decides exactly what the explained one does, and the explained one's reason names the state.
TEST(Threshold, QuietEvaluationDecidesLikeTheExplainedOne) {
  const char* tokens[] = {"0", "X", "-"};
  int compared = 0;
  for (int code = 0; code < 729; ++code) {
    std::string datapoints;
    for (int i = 0, c = code; i < 6; ++i, c /= 3) datapoints += std::string(i ? " " : "") + tokens[c % 3];
    const auto window = window_of(datapoints);
    for (int n = 1; n <= 4; ++n)
      for (int m = 1; m <= n; ++m)
        for (const auto t : {TreatMissing::Missing, TreatMissing::Ignore, TreatMissing::Breaching,
                             TreatMissing::NotBreaching})
          for (const auto previous : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData}) {
            const auto spec = spec_of(m, n, 6, t);
            const auto loud = evaluate_threshold(spec, window, previous, Explain::Yes);
            const auto quiet = evaluate_threshold(spec, window, previous, Explain::No);
            ASSERT_EQ(quiet.state, loud.state) << datapoints << " M=" << m << " N=" << n << " " << to_string(t);
            ASSERT_EQ(quiet.value, loud.value) << datapoints;
            ASSERT_EQ(quiet.value_time, loud.value_time) << datapoints;
            ASSERT_TRUE(quiet.reason.empty());
            const bool retained = loud.reason.rfind("State retained", 0) == 0;
            const bool insufficient = loud.reason.rfind("Insufficient Data", 0) == 0;
            ASSERT_TRUE(retained || insufficient || loud.reason.rfind("Threshold Crossed", 0) == 0) << loud.reason;
            ASSERT_EQ(insufficient, loud.state == AlarmState::InsufficientData && !retained) << loud.reason;
            ++compared;
          }
  }
  EXPECT_EQ(compared, 729 * 10 * 4 * 3);
}

TEST(Threshold, RetainKeepsAnyPreviousState) {
  for (const auto prev : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData, AlarmState::Drained}) {
    EXPECT_EQ(eval("- - X - -", 3, 3, TreatMissing::Ignore, prev).state, prev);
    EXPECT_EQ(eval("- - - - -", 3, 3, TreatMissing::Ignore, prev).state, prev);
  }
}

TEST(Threshold, DefaultRangeIsNPlusTwo) {
  ThresholdSpec s = spec_of(1, 3, 0, TreatMissing::Missing);
  EXPECT_EQ(s.range(), 5);
  s.evaluation_range = 9;
  EXPECT_EQ(s.range(), 9);
}

#ifndef NDEBUG
TEST(ThresholdDeathTest, AssertsPreconditions) {
  EXPECT_DEATH(evaluate_threshold(spec_of(4, 3, 5, TreatMissing::Missing), window_of("- - - - -"), AlarmState::Ok),
               "");
  EXPECT_DEATH(evaluate_threshold(spec_of(0, 3, 5, TreatMissing::Missing), window_of("- - - - -"), AlarmState::Ok),
               "");
  EXPECT_DEATH(evaluate_threshold(spec_of(1, 3, 5, TreatMissing::Missing), window_of("- - -"), AlarmState::Ok), "");
}
#endif

}  // namespace
}  // namespace bw
