#include <gtest/gtest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr Duration kPeriod{300};
constexpr Duration kHour{3600};
const Time kEnd = from_epoch(1'795'327'200);  // 2026-11-22T06:00:00Z: recent is 05:45, 05:50, 05:55

// "62000 - 62000": slots one period apart, ending at `end`.
std::vector<Slot> slots_of(const std::string& text, Time end = kEnd, Duration period = kPeriod) {
  std::vector<std::optional<double>> values;
  std::istringstream in(text);
  std::string token;
  while (in >> token) values.push_back(token == "-" ? std::nullopt : std::optional<double>(std::stod(token)));
  std::vector<Slot> out;
  const Time first = end - period * static_cast<int>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out.push_back({first + period * static_cast<int>(i), values[i]});
  return out;
}

// 168 hourly slots from 2026-11-15T05:00Z to 2026-11-22T04:00Z; f(hour of day) gives each value.
std::vector<Slot> week_of(const std::function<std::optional<double>(int hour)>& f) {
  std::vector<Slot> out;
  const Time first = kEnd - kHour * 169;
  for (int i = 0; i < 168; ++i) out.push_back({first + kHour * i, f((5 + i) % 24)});
  return out;
}

// A sparse history: value v at hourly slot i of week_of's range.
std::vector<Slot> sparse(const std::vector<std::pair<int, double>>& points) {
  auto week = week_of([](int) { return std::nullopt; });
  for (const auto& [i, v] : points) week[static_cast<std::size_t>(i)].value = v;
  return week;
}

BaselineSpec static_below(double expected = 250000, double below = 0.5) {
  BaselineSpec s;
  s.expected = expected;
  s.below = below;
  return s;
}

BaselineSpec learned(BaselineSpec::Method m = BaselineSpec::Method::Median, bool seasonal = false) {
  BaselineSpec s;
  s.learn = Duration{7 * 86400};
  s.method = m;
  s.seasonal_daily = seasonal;
  s.below = 0.5;
  return s;
}

Condition pending_gate() { return Condition{"NumberOfRecordsPendingProcessing", "Maximum", Comparison::Greater, 0}; }

Evaluation eval(const BaselineSpec& spec, const std::string& recent, std::vector<Slot> history = {},
                const std::string& gate = "", Time end = kEnd) {
  BaselineInputs in;
  in.recent = slots_of(recent, end);
  in.history = std::move(history);
  in.gate = slots_of(gate, end);
  return evaluate_baseline(spec, in, Previous{});
}

struct Case {
  const char* name;
  BaselineSpec spec;
  const char* recent;
  AlarmState expected;
  const char* reason;
};

TEST(Baseline, StaticTable) {
  auto above = static_below();
  above.below.reset();
  above.above = 2.0;
  auto both = static_below();
  both.above = 2.0;
  const Case rows[] = {
      {"well below for 15m", static_below(), "62000 62000 62000", AlarmState::Alarm,
       "Throughput 62k is 24.8% of baseline 250k (expected; alarm below 50%) for 15m"},
      {"flapping around the line", static_below(), "100000 130000 100000", AlarmState::Ok,
       "Throughput 110k is 44% of baseline 250k (expected; alarm below 50%); 2 of 3 periods below 50%"},
      {"exactly on the line is not below", static_below(), "125000 125000 125000", AlarmState::Ok, "is 50% of"},
      {"just under the line", static_below(), "124999 124999 124999", AlarmState::Alarm, "for 15m"},
      {"missing period is not breaching", static_below(), "62000 - 62000", AlarmState::Ok,
       "; 1 of 3 periods missing (missing is not breaching); 2 of 3 periods below 50%"},
      {"older slots beyond `for` are ignored", static_below(), "250000 62000 62000 62000", AlarmState::Alarm,
       "Throughput 62k is 24.8%"},
      {"recovered in the newest period", static_below(), "62000 62000 250000", AlarmState::Ok, "2 of 3"},
      {"no datapoints", static_below(), "- - -", AlarmState::InsufficientData,
       "Throughput has no datapoints in the last 15m"},
      {"above", above, "600000 700000 800000", AlarmState::Alarm,
       "Throughput 700k is 280% of baseline 250k (expected; alarm above 200%) for 15m"},
      {"both directions mixed", both, "100000 600000 100000", AlarmState::Ok,
       "(expected; alarm below 50% or above 200%); 2 of 3 periods below 50%; 1 of 3 periods above 200%"},
      {"both directions, all low", both, "100000 100000 100000", AlarmState::Alarm, "for 15m"},
      {"zero baseline", static_below(0), "5 5 5", AlarmState::InsufficientData,
       "baseline 0 (expected) gives no ratio"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto ev = eval(r.spec, r.recent);
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(Baseline, ValueIsTheMeanAndItsTimeTheNewestRealSlot) {
  const auto ev = eval(static_below(), "60000 90000 -");
  EXPECT_EQ(ev.value, 75000.0);
  EXPECT_EQ(ev.value_time, kEnd - 2 * kPeriod);
}

TEST(Baseline, GateKeepsAnIdleQueueOk) {
  auto spec = static_below();
  spec.while_ = pending_gate();
  auto ev = eval(spec, "62000 62000 62000", {}, "1200 0");
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_EQ(ev.reason,
            "Throughput 62k is 24.8% of baseline 250k (expected; alarm below 50%); not evaluated: "
            "NumberOfRecordsPendingProcessing is 0 (condition > 0 does not hold)");
  // Bedrock publishes nothing for an idle queue: no gate datapoint does not hold either.
  ev = eval(spec, "62000 62000 62000", {}, "- -");
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_NE(ev.reason.find("NumberOfRecordsPendingProcessing has no datapoints (condition > 0 cannot hold)"),
            std::string::npos)
      << ev.reason;
  // Idle and no throughput either: OK, not INSUFFICIENT_DATA all night.
  ev = eval(spec, "- - -", {}, "0");
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_EQ(ev.reason.rfind("Throughput has no datapoints; not evaluated", 0), 0u) << ev.reason;
  // Work pending: evaluated; the newest real gate value counts, reaching back past a gap.
  EXPECT_EQ(eval(spec, "62000 62000 62000", {}, "0 1200").state, AlarmState::Alarm);
  EXPECT_EQ(eval(spec, "62000 62000 62000", {}, "1200 -").state, AlarmState::Alarm);
  EXPECT_EQ(eval(spec, "- - -", {}, "1200").state, AlarmState::InsufficientData);
  spec.while_->comparison = Comparison::GreaterOrEqual;
  EXPECT_EQ(eval(spec, "62000 62000 62000", {}, "0").state, AlarmState::Alarm);  // 0 >= 0 holds
}

TEST(Baseline, LearnedMedianAndMean) {
  const auto history = sparse({{0, 100}, {100, 200}, {160, 900}});  // spans 161h of 168h
  auto ev = eval(learned(), "90 90 90", history);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_NE(ev.reason.find("Throughput 90 is 45% of baseline 200 (median of 7d; alarm below 50%) for 15m"),
            std::string::npos)
      << ev.reason;
  ev = eval(learned(BaselineSpec::Method::Mean), "190 190 190", history);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_NE(ev.reason.find("47.5% of baseline 400 (mean of 7d;"), std::string::npos) << ev.reason;
  ev = eval(learned(), "90 90 90", sparse({{0, 900}, {50, 100}, {100, 300}, {160, 200}}));
  EXPECT_NE(ev.reason.find("of baseline 250 (median"), std::string::npos) << ev.reason;  // even count
  EXPECT_EQ(ev.state, AlarmState::Alarm);
}

TEST(Baseline, TooLittleHistoryIsNeverAlarm) {
  struct Row {
    const char* name;
    std::vector<Slot> history;
    const char* reason;
  };
  const Row rows[] = {
      {"no history",
       {},
       "baseline not learned: 0 history datapoints spanning 0s (need at least 3 spanning half of 7d)"},
      {"two values", sparse({{0, 100}, {160, 200}}), "baseline not learned: 2 history datapoints spanning 161h"},
      {"three values in one afternoon", sparse({{160, 100}, {161, 200}, {162, 300}}),
       "3 history datapoints spanning 3h"},
      {"just under half of learn", sparse({{84, 1}, {100, 2}, {166, 3}}), "spanning 83h"},
      {"all history missing", week_of([](int) { return std::nullopt; }), "0 history datapoints"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto ev = eval(learned(), "0 0 0", r.history);
    EXPECT_EQ(ev.state, AlarmState::InsufficientData) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
  // Half of learn exactly is enough.
  EXPECT_EQ(eval(learned(), "0 0 0", sparse({{83, 1}, {100, 2}, {166, 3}})).state, AlarmState::Alarm);
  // learn = 0 waives the span.
  auto spec = learned();
  spec.learn = Duration{0};
  EXPECT_EQ(eval(spec, "0 0 0", sparse({{160, 100}, {161, 200}, {162, 300}})).state, AlarmState::Alarm);
  // An idle history learns a zero baseline: no ratio, no alarm.
  const auto ev = eval(learned(), "0 0 0", week_of([](int) { return 0.0; }));
  EXPECT_EQ(ev.state, AlarmState::InsufficientData);
  EXPECT_NE(ev.reason.find("baseline 0 (median of 7d) gives no ratio"), std::string::npos) << ev.reason;
}

TEST(Baseline, SeasonalDailyUsesTheSameHourOnPastDays) {
  // Every day the 05:00 hour is quiet (100000); the rest of the day runs at 400000.
  const auto history = week_of([](int h) { return h == 5 ? 100000.0 : 400000.0; });
  auto ev = eval(learned(BaselineSpec::Method::Median, true), "60000 60000 60000", history);
  EXPECT_EQ(ev.state, AlarmState::Ok) << ev.reason;
  EXPECT_NE(ev.reason.find("is 60% of baseline 100k (median of 7d at this time of day;"), std::string::npos)
      << ev.reason;
  // Without seasonality the same dip looks like an incident.
  ev = eval(learned(), "60000 60000 60000", history);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_NE(ev.reason.find("baseline 400k"), std::string::npos) << ev.reason;
  // A window straddling 06:00 learns from both the 05:00 and 06:00 hours.
  ev = eval(learned(BaselineSpec::Method::Median, true), "60000 60000 60000", history, "", kEnd + kPeriod);
  EXPECT_NE(ev.reason.find("baseline 250k"), std::string::npos) << ev.reason;
  // Across midnight: 23:55, 00:00, 00:05 match the 23:00 and 00:00 hours.
  const auto night = week_of([](int h) { return h == 23 ? 50000.0 : h == 0 ? 70000.0 : 400000.0; });
  ev = eval(learned(BaselineSpec::Method::Median, true), "40000 40000 40000", night, "",
            from_epoch(1'795'305'600 + 600));  // 2026-11-22T00:10:00Z
  EXPECT_NE(ev.reason.find("baseline 60k"), std::string::npos) << ev.reason;
  EXPECT_EQ(ev.state, AlarmState::Ok);
}

TEST(Baseline, SeasonalNeedsEnoughDaysOfThatHour) {
  // Only two past days have the 05:00 hour: not enough, even though other hours are plentiful.
  auto history = week_of([](int h) { return h == 5 ? std::nullopt : std::optional<double>(400000.0); });
  history[0].value = 100000;   // 2026-11-15T05:00Z
  history[24].value = 100000;  // 2026-11-16T05:00Z
  const auto ev = eval(learned(BaselineSpec::Method::Median, true), "0 0 0", history);
  EXPECT_EQ(ev.state, AlarmState::InsufficientData);
  EXPECT_NE(ev.reason.find("2 history datapoints spanning 25h"), std::string::npos) << ev.reason;
}

}  // namespace
}  // namespace bw
