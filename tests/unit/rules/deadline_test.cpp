#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr Duration kMinute{60};

Time at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

// The footers of the real files: hermetic, and the same rules the files apply today.
TimeZone zone(const char* name, const char* rule) {
  std::string error;
  auto tz = TimeZone::from_posix(name, rule, error);
  EXPECT_TRUE(tz) << error;
  return tz.value_or(TimeZone{});
}
const TimeZone& chicago() {
  static const TimeZone tz = zone("America/Chicago", "CST6CDT,M3.2.0,M11.1.0");
  return tz;
}
const TimeZone& berlin() {
  static const TimeZone tz = zone("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  return tz;
}

DailyDeadline daily(const TimeZone& tz, int minute = 360) { return DailyDeadline{minute, tz, ""}; }

TEST(NextDeadline, AcrossDst) {
  struct Row {
    const char* name;
    DailyDeadline d;
    const char* now;
    const char* expected;
  };
  const Row rows[] = {
      {"CST evening before", daily(chicago()), "2026-11-22T05:00:00Z", "2026-11-22T12:00:00Z"},
      {"one second before", daily(chicago()), "2026-11-22T11:59:59Z", "2026-11-22T12:00:00Z"},
      {"at the deadline: strictly after", daily(chicago()), "2026-11-22T12:00:00Z", "2026-11-23T12:00:00Z"},
      {"local date differs from UTC date", daily(chicago()), "2026-11-23T03:00:00Z", "2026-11-23T12:00:00Z"},
      {"spring forward night", daily(chicago()), "2026-03-08T05:00:00Z", "2026-03-08T11:00:00Z"},
      {"day before spring forward, past", daily(chicago()), "2026-03-07T13:00:00Z", "2026-03-08T11:00:00Z"},
      {"fall back night", daily(chicago()), "2026-11-01T05:00:00Z", "2026-11-01T12:00:00Z"},
      {"day before fall back, past", daily(chicago()), "2026-10-31T12:00:00Z", "2026-11-01T12:00:00Z"},
      {"02:30 in the gap is 03:00 CDT", daily(chicago(), 150), "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z"},
      {"01:30 in the overlap is the first", daily(chicago(), 90), "2026-11-01T05:00:00Z", "2026-11-01T06:30:00Z"},
      {"01:30 after the first passed", daily(chicago(), 90), "2026-11-01T06:30:00Z", "2026-11-02T07:30:00Z"},
      {"Berlin spring", daily(berlin()), "2026-03-28T12:00:00Z", "2026-03-29T04:00:00Z"},
      {"Berlin autumn", daily(berlin()), "2026-10-24T12:00:00Z", "2026-10-25T05:00:00Z"},
      {"UTC", daily(TimeZone{}), "2026-11-22T07:00:00Z", "2026-11-23T06:00:00Z"},
      {"Kolkata", daily(zone("Asia/Kolkata", "IST-5:30")), "2026-11-22T01:00:00Z", "2026-11-23T00:30:00Z"},
  };
  for (const auto& r : rows) EXPECT_EQ(format_rfc3339(next_deadline(r.d, at(r.now))), r.expected) << r.name;
}

TEST(NextDeadline, SystemChicagoFileAgrees) {
  std::ifstream f("/usr/share/zoneinfo/America/Chicago", std::ios::binary);
  if (!f) GTEST_SKIP() << "America/Chicago is not installed";
  std::ostringstream bytes;
  bytes << f.rdbuf();
  std::string error;
  const auto tz = TimeZone::from_tzif("America/Chicago", bytes.str(), error);
  ASSERT_TRUE(tz) << error;
  for (const char* now : {"2026-03-08T05:00:00Z", "2026-11-01T05:00:00Z", "2026-11-22T05:00:00Z"})
    EXPECT_EQ(next_deadline(daily(*tz), at(now)), next_deadline(daily(chicago()), at(now))) << now;
}

// Slots one minute apart ending at `end`; "-" is missing.
std::vector<Slot> slots_of(const std::string& text, Time end) {
  std::vector<std::optional<double>> values;
  std::istringstream in(text);
  std::string token;
  while (in >> token) values.push_back(token == "-" ? std::nullopt : std::optional<double>(std::stod(token)));
  std::vector<Slot> out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out.push_back({end - kMinute * static_cast<int>(values.size() - i), values[i]});
  return out;
}

DeadlineSpec chicago_six(int rate_periods = 6) {
  DeadlineSpec s;
  s.deadline = DailyDeadline{360, chicago(), "06:00 America/Chicago"};
  s.rate_periods = rate_periods;
  return s;
}

struct Case {
  const char* name;
  DeadlineSpec spec;
  const char* backlog;
  const char* rate;
  const char* now;
  AlarmState expected;
  std::optional<double> minutes;
  const char* reason;
};

TEST(Deadline, Table) {
  DeadlineSpec absolute;
  absolute.deadline = at("2026-11-22T06:00:00Z");
  absolute.rate_periods = 3;
  DeadlineSpec hourly = chicago_six(1);
  hourly.rate_per = Duration{3600};
  const Case rows[] = {
      {"in time", chicago_six(), "1200000", "2000 2000 2000 2000 2000 2000", "2026-11-22T00:00:00Z", AlarmState::Ok,
       600.0,
       "Projected finish 2026-11-22T10:00:00Z (backlog 1.2M at 2k/min, mean of 6 periods) is before the "
       "deadline 06:00 America/Chicago (2026-11-22T12:00:00Z)"},
      {"finishing exactly at the deadline is in time", chicago_six(), "1200000", "2000 2000 2000 2000 2000 2000",
       "2026-11-22T02:00:00Z", AlarmState::Ok, 600.0, "is at the deadline"},
      {"one second late", chicago_six(), "1200000", "2000 2000 2000 2000 2000 2000", "2026-11-22T02:00:01Z",
       AlarmState::Alarm, 600.0,
       "Projected finish 2026-11-22T12:00:01Z (backlog 1.2M at 2k/min, mean of 6 periods) is after the "
       "deadline 06:00 America/Chicago (2026-11-22T12:00:00Z)"},
      {"rate averaging reaches past gaps, newest 6 only", chicago_six(), "1200000",
       "99999 1000 - 2000 3000 1000 - 2000 3000", "2026-11-22T00:00:00Z", AlarmState::Ok, 600.0,
       "at 2k/min, mean of 6 periods"},
      {"fewer rate periods than asked", chicago_six(), "1200000", "- - - - 1500 2500", "2026-11-22T00:00:00Z",
       AlarmState::Ok, 600.0, "mean of 2 periods"},
      {"a dip in the rate makes it late", chicago_six(3), "1200000", "2000 2000 2000 500 500 500",
       "2026-11-22T00:00:00Z", AlarmState::Alarm, 2400.0, "at 500/min, mean of 3 periods) is after"},
      {"no backlog datapoint", chicago_six(), "- - -", "2000", "2026-11-22T00:00:00Z", AlarmState::InsufficientData,
       std::nullopt, "No backlog datapoints in the last 3 periods; deadline 06:00 America/Chicago"},
      {"nothing pending", chicago_six(), "500 0", "-", "2026-11-22T11:59:00Z", AlarmState::Ok, 0.0,
       "Backlog 0: nothing pending"},
      {"backlog reaches back past a gap", chicago_six(), "6000 -", "100", "2026-11-22T00:00:00Z", AlarmState::Ok, 60.0,
       "backlog 6k at 100/min"},
      {"zero rate", chicago_six(3), "1200", "0 0 0", "2026-11-22T00:00:00Z", AlarmState::Alarm, std::nullopt,
       "Backlog 1.2k is not draining: rate 0/min (mean of 3 periods); deadline 06:00 America/Chicago "
       "(2026-11-22T12:00:00Z)"},
      {"no rate at all", chicago_six(), "1200", "- - -", "2026-11-22T00:00:00Z", AlarmState::Alarm, std::nullopt,
       "not draining: no rate datapoints in the last 3 periods"},
      {"absolute deadline", absolute, "90000", "1000 1000 1000", "2026-11-22T04:00:00Z", AlarmState::Ok, 90.0,
       "is before the deadline 2026-11-22T06:00:00Z"},
      {"absolute deadline passed", absolute, "1000", "1000", "2026-11-22T07:00:00Z", AlarmState::Alarm, 1.0,
       "Projected finish 2026-11-22T07:01:00Z"},
      {"rate per hour", hourly, "1000", "500", "2026-11-22T00:00:00Z", AlarmState::Ok, 120.0,
       "at 500/h, mean of 1 period)"},
      {"fractional finish rounds up", chicago_six(1), "1000", "7", "2026-11-22T00:00:00Z", AlarmState::Ok, 8572.0 / 60,
       "Projected finish 2026-11-22T02:22:52Z"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const Time now = at(r.now);
    const auto ev = evaluate_deadline(r.spec, slots_of(r.backlog, now), slots_of(r.rate, now), now);
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    EXPECT_EQ(ev.value, r.minutes) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(Deadline, DstMovesTheDeadlineInstant) {
  // 510 minutes of work at 1000/min from 03:00Z finishes at 11:30Z.
  struct Row {
    DeadlineSpec spec;
    const char* now;
    AlarmState expected;
    const char* due;
  };
  DeadlineSpec berlin_six;
  berlin_six.deadline = DailyDeadline{360, berlin(), ""};
  const Row rows[] = {
      // Spring forward: 06:00 CDT is 11:00Z, an hour earlier than the night before.
      {chicago_six(), "2026-03-08T03:00:00Z", AlarmState::Alarm, "(2026-03-08T11:00:00Z)"},
      {chicago_six(), "2026-03-07T03:00:00Z", AlarmState::Ok, "(2026-03-07T12:00:00Z)"},
      // Fall back: 06:00 CST is 12:00Z, an hour later than the night before.
      {chicago_six(), "2026-11-01T03:00:00Z", AlarmState::Ok, "(2026-11-01T12:00:00Z)"},
      {chicago_six(), "2026-10-31T03:00:00Z", AlarmState::Alarm, "(2026-10-31T11:00:00Z)"},
  };
  for (const auto& r : rows) {
    const Time now = at(r.now);
    const auto ev = evaluate_deadline(r.spec, slots_of("510000", now), slots_of("1000", now), now);
    EXPECT_EQ(ev.state, r.expected) << r.now << ": " << ev.reason;
    EXPECT_NE(ev.reason.find(r.due), std::string::npos) << ev.reason;
  }
  // Berlin: 06:00 CEST on 2026-03-29 is 04:00Z; a finish at 04:30Z is late. The text names the zone.
  const Time now = at("2026-03-29T00:00:00Z");
  const auto ev = evaluate_deadline(berlin_six, slots_of("270000", now), slots_of("1000", now), now);
  EXPECT_EQ(ev.state, AlarmState::Alarm) << ev.reason;
  EXPECT_NE(ev.reason.find("is after the deadline 06:00 Europe/Berlin (2026-03-29T04:00:00Z)"), std::string::npos)
      << ev.reason;
}

TEST(Deadline, FlappingRateAroundTheLine) {
  // 600000 pending at 00:00Z against 12:00Z: the line is 833.33/min over 720 minutes.
  const Time now = at("2026-11-22T00:00:00Z");
  const std::pair<const char*, AlarmState> rows[] = {
      {"840 830 840", AlarmState::Ok},     // mean 836.7: 717.1 minutes
      {"830 835 830", AlarmState::Alarm},  // mean 831.7: 721.4 minutes
      {"900 850 800", AlarmState::Ok},
      {"800 800 800", AlarmState::Alarm},
  };
  for (const auto& [rate, expected] : rows) {
    const auto ev = evaluate_deadline(chicago_six(3), slots_of("600000", now), slots_of(rate, now), now);
    EXPECT_EQ(ev.state, expected) << rate << ": " << ev.reason;
  }
}

}  // namespace
}  // namespace bw

namespace bw {
namespace {

// A daily deadline that passes in ALARM with work pending is not quietly moved to tomorrow: the
// rule stays in ALARM against the missed deadline until the backlog drains.
TEST(DeadlineMissed, StaysAlarmedAfterTheDeadlinePassesUntilTheBacklogDrains) {
  DeadlineSpec spec;
  spec.deadline = DailyDeadline{150, TimeZone::utc(), "02:30 UTC"};
  spec.rate_periods = 1;
  const Duration p{300};
  auto slots = [&](Time end, double v) { return std::vector<Slot>{Slot{end - p, v}}; };

  const Time before = *parse_rfc3339("2026-11-22T02:00:00Z");
  auto first = evaluate_deadline(spec, slots(before, 1'000'000), slots(before, 10'000), before);
  ASSERT_EQ(first.state, AlarmState::Alarm);  // 100 minutes of work, 30 minutes left
  ASSERT_TRUE(first.marker);
  EXPECT_EQ(*first.marker, *parse_rfc3339("2026-11-22T02:30:00Z"));

  const Time after = *parse_rfc3339("2026-11-22T02:35:00Z");
  const Previous prev{AlarmState::Alarm, before, first.marker};
  auto late = evaluate_deadline(spec, slots(after, 50'000), slots(after, 100'000), after, prev);
  EXPECT_EQ(late.state, AlarmState::Alarm);  // would finish in 30s, but tonight's deadline is gone
  EXPECT_NE(late.reason.find("passed with backlog 50k still pending"), std::string::npos) << late.reason;
  EXPECT_EQ(*late.marker, *first.marker);

  auto drained = evaluate_deadline(spec, slots(after, 0), slots(after, 100'000), after, prev);
  EXPECT_EQ(drained.state, AlarmState::Ok);

  // Without a previous ALARM the next day's deadline applies as before.
  auto fresh = evaluate_deadline(spec, slots(after, 50'000), slots(after, 100'000), after);
  EXPECT_EQ(fresh.state, AlarmState::Ok);
}

}  // namespace
}  // namespace bw
