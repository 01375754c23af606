#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr Duration kPeriod{300};
const Time kBase = from_epoch(1'795'327'200);  // 2026-11-22T06:00:00Z

std::vector<Slot> window_of(const std::string& text, Duration period = kPeriod) {
  std::vector<Slot> slots;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    std::optional<double> v;
    if (token != "-") v = std::stod(token);
    slots.push_back(Slot{kBase + period * static_cast<int>(slots.size()), v});
  }
  return slots;
}

struct Case {
  const char* window;
  AlarmState expected;
  std::optional<double> value;
  const char* reason;
};

TEST(Absent, Table) {
  // for 15m at 5m periods: the newest 3 slots decide.
  const Case rows[] = {
      {"- - - - -", AlarmState::Alarm, std::nullopt, "No datapoints for 15m (since 22/11/26 06:10:00)"},
      {"5 - - - -", AlarmState::Alarm, std::nullopt,
       "No datapoints for 15m (since 22/11/26 06:10:00); the last one was 5 at 22/11/26 06:00:00"},
      {"5 7 - - -", AlarmState::Alarm, std::nullopt, "the last one was 7 at 22/11/26 06:05:00"},
      {"- - 0 - -", AlarmState::Ok, 0.0, "Newest datapoint 0 at 22/11/26 06:10:00"},  // zero is a sign of life
      {"- - - - 1250000", AlarmState::Ok, 1250000.0, "Newest datapoint 1.25M at 22/11/26 06:20:00"},
      {"9 - 3 - 4", AlarmState::Ok, 4.0, "4"},
      {"- - -", AlarmState::Alarm, std::nullopt, "since 22/11/26 06:00:00"},  // exactly `for`
      {"- -", AlarmState::InsufficientData, std::nullopt,
       "No datapoints in the 2 periods available, fewer than the 3 that cover 15m"},
      {"", AlarmState::InsufficientData, std::nullopt, "0 periods"},
      {"4 -", AlarmState::Ok, 4.0, "Newest datapoint 4"},  // short window, but alive
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.window);
    const auto ev = evaluate_absent(AbsentSpec{Duration{900}}, window_of(r.window), kPeriod);
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    EXPECT_EQ(ev.value, r.value) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(Absent, ForRoundsUpToWholePeriods) {
  // 10m at 4m periods: 3 slots.
  const AbsentSpec spec{Duration{600}};
  EXPECT_EQ(evaluate_absent(spec, window_of("1 - -", Duration{240}), Duration{240}).state, AlarmState::Ok);
  EXPECT_EQ(evaluate_absent(spec, window_of("1 - - -", Duration{240}), Duration{240}).state, AlarmState::Alarm);
  EXPECT_EQ(slots_for(Duration{600}, Duration{240}), 3);
  EXPECT_EQ(slots_for(Duration{900}, Duration{300}), 3);
  EXPECT_EQ(slots_for(Duration{1}, Duration{300}), 1);
  EXPECT_EQ(slots_for(Duration{0}, Duration{300}), 1);
}

TEST(Absent, LateDatapointClearsTheAlarm) {
  auto w = window_of("3 - - - -");
  EXPECT_EQ(evaluate_absent(AbsentSpec{}, w, kPeriod).state, AlarmState::Alarm);
  w[2].value = 8;  // CloudWatch delivered the 06:10 datapoint late
  const auto ev = evaluate_absent(AbsentSpec{}, w, kPeriod);
  EXPECT_EQ(ev.state, AlarmState::Ok);
  EXPECT_EQ(ev.value_time, kBase + 2 * kPeriod);
}

TEST(Absent, FlappingFeedFollowsTheNewestSlots) {
  // A feed that reports every fourth period: silent for three periods at a time.
  const char* windows[] = {"1 - - -", "- - - 1", "- - 1 -", "- 1 - -", "1 - - -"};
  const AlarmState expected[] = {AlarmState::Alarm, AlarmState::Ok, AlarmState::Ok, AlarmState::Ok, AlarmState::Alarm};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(evaluate_absent(AbsentSpec{}, window_of(windows[i]), kPeriod).state, expected[i]) << windows[i];
}

}  // namespace
}  // namespace bw
