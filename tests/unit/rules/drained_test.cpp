#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rules/jobs.hpp"
#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr Duration kPeriod{60};
const Time kBase = from_epoch(1'795'305'600);  // 2026-11-22T00:00:00Z

Time slot_time(int i) { return kBase + kPeriod * i; }

// "1200 0 - 0": numbers are values, "-" is a missing datapoint; slots one minute apart from kBase
// (plus `offset` minutes).
std::vector<Slot> window_of(const std::string& text, int offset = 0) {
  std::vector<Slot> slots;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    std::optional<double> v;
    if (token != "-") v = std::stod(token);
    slots.push_back(Slot{slot_time(offset + static_cast<int>(slots.size())), v});
  }
  return slots;
}

constexpr int kNone = -1000;

struct Case {
  const char* name;
  const char* window;
  AlarmState previous;
  int previous_marker;  // slot index, kNone for no marker
  bool missing_is_zero;
  AlarmState expected;
  int expected_marker;  // slot index, kNone for no marker
  const char* reason;   // a part the reason must contain
};

const AlarmState kIns = AlarmState::InsufficientData, kOk = AlarmState::Ok, kDrained = AlarmState::Drained;

// `marker`: a slot index, kNone for none; `reason`: a part the reason must contain.
void expect_evaluation(const Evaluation& ev, AlarmState state, int marker, const char* reason) {
  EXPECT_EQ(to_string(ev.state), to_string(state)) << ev.reason;
  if (marker == kNone)
    EXPECT_FALSE(ev.marker) << ev.reason;
  else
    EXPECT_EQ(ev.marker, slot_time(marker)) << ev.reason;
  EXPECT_NE(ev.reason.find(reason), std::string::npos) << ev.reason;
}

TEST(Drained, Table) {
  const Case rows[] = {
      {"fill then drain", "1200 0 0 0 0 0", kIns, kNone, false, kDrained, 1,
       "Backlog drained: 0 for 5m since 22/11/26 00:01:00 after 1.2k"},
      {"longer run reported as observed", "300 1200 0 0 0 0 0 0 0", kOk, kNone, false, kDrained, 2,
       "0 for 7m since 22/11/26 00:02:00 after 1.2k"},
      {"pending", "0 0 1200", kIns, kNone, false, kOk, kNone, "Backlog 1.2k pending"},
      {"never any backlog, zeros", "0 0 0 0 0 0 0", kIns, kNone, false, kIns, kNone,
       "No backlog seen in the last 7 periods (latest 0)"},
      {"never any backlog, missing as zero", "- - - - - -", kIns, kNone, true, kIns, kNone, "No backlog seen"},
      {"zero run shorter than hold", "1200 0 0 0 0", kIns, kNone, false, kOk, kNone,
       "Backlog 0 for 4m since 22/11/26 00:01:00, drained once 0 for 5m (after 1.2k)"},
      {"flapping back up inside hold", "5 0 0 5 0 0 0 0", kOk, kNone, false, kOk, kNone, "0 for 4m"},
      {"missing breaks the run", "1200 0 0 0 - 0 0 0 0", kOk, kNone, false, kOk, kNone,
       "the missing datapoint at 22/11/26 00:04:00 breaks the zero run (missing is not zero)"},
      // Zeros held for `for` then silence: Bedrock stops publishing after a job; the drain stands.
      {"zeros held, then silence", "1200 0 0 0 0 0 -", kOk, kNone, false, kDrained, 1,
       "Backlog drained: 0 for 5m since 22/11/26 00:01:00 after 1.2k"},
      {"missing as zero completes the run", "1200 0 0 - 0 0", kIns, kNone, true, kDrained, 1, "0 for 5m"},
      {"job ended, metric stopped", "1200 - - - - -", kOk, kNone, true, kDrained, 1, "after 1.2k"},
      {"job ended, metric stopped, not zero", "1200 - - - - -", kOk, kNone, false, kOk, kNone, "Backlog unknown"},
      {"armed by previous OK", "0 0 0 0 0", kOk, kNone, false, kDrained, 0, "after a backlog seen earlier"},
      {"previous ALARM is not armed", "0 0 0 0 0", AlarmState::Alarm, kNone, false, kIns, kNone, "No backlog seen"},
      {"restart re-reads the drained window", "1200 0 0 0 0 0", kDrained, 1, false, kDrained, 1,
       "Backlog drained since 22/11/26 00:01:00 (latest 0)"},
      {"restart with a longer catch-up window", "9 1200 0 0 0 0 0 0 0 0", kDrained, 2, false, kDrained, 2, ""},
      {"window slid past the fill", "0 0 0 0 0", kDrained, -7, false, kDrained, -7, ""},
      {"drained, metric stopped", "- - - - -", kDrained, -7, false, kDrained, -7, "(latest missing)"},
      {"rise re-arms", "1200 0 0 0 0 0 0 300", kDrained, 1, false, kOk, kNone,
       "Backlog rose again to 300 at 22/11/26 00:07:00 after draining since 22/11/26 00:01:00; re-armed"},
      {"late datapoint inside the drained run", "1200 0 0 50 0 0 0", kDrained, 1, false, kOk, kNone,
       "rose again to 50 at 22/11/26 00:03:00"},
      {"late datapoint before the marker", "1200 60 0 0 0 0 0", kDrained, 2, false, kDrained, 2, ""},
      {"rise and drain in one window re-arm first", "1200 0 0 0 0 0 40 0 0 0 0 0", kDrained, 1, false, kOk, kNone,
       "rose again to 40"},
      {"old row without marker stays", "1200 0 0 0 0 0", kDrained, kNone, false, kDrained, kNone, "Backlog drained"},
      {"old row without marker re-arms on newest", "0 0 1200", kDrained, kNone, false, kOk, kNone, "rose again"},
      {"empty window keeps OK", "", kOk, kNone, false, kOk, kNone, "no slots"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    DrainedSpec spec;
    spec.hold = Duration{300};
    spec.missing_is_zero = r.missing_is_zero;
    Previous prev;
    prev.state = r.previous;
    if (r.previous_marker != kNone) prev.marker = slot_time(r.previous_marker);
    expect_evaluation(evaluate_drained(spec, window_of(r.window), kPeriod, prev), r.expected, r.expected_marker,
                      r.reason);
  }
}

TEST(Drained, HoldRoundsUpToWholePeriods) {
  DrainedSpec spec;
  spec.hold = Duration{270};  // 4.5 periods -> 5 zero slots
  EXPECT_EQ(evaluate_drained(spec, window_of("7 0 0 0 0"), kPeriod, {}).state, AlarmState::Ok);
  EXPECT_EQ(evaluate_drained(spec, window_of("7 0 0 0 0 0"), kPeriod, {}).state, AlarmState::Drained);
  spec.hold = Duration{300};
  EXPECT_EQ(evaluate_drained(spec, window_of("7 0 0"), Duration{120}, {}).state, AlarmState::Ok);  // 2 < 3
  EXPECT_EQ(evaluate_drained(spec, window_of("7 0 0 0"), Duration{120}, {}).state, AlarmState::Drained);
}

TEST(Drained, ValueIsTheNewestRealDatapoint) {
  DrainedSpec spec;
  spec.missing_is_zero = true;
  auto ev = evaluate_drained(spec, window_of("1200 0 - - - -"), kPeriod, {});
  EXPECT_EQ(ev.state, AlarmState::Drained);
  EXPECT_EQ(ev.value, 0.0);
  EXPECT_EQ(ev.value_time, slot_time(1));
  ev = evaluate_drained(spec, window_of("- - -"), kPeriod, {});
  EXPECT_FALSE(ev.value);
  EXPECT_FALSE(ev.value_time);
}

// A night replayed minute by minute through a 10-slot window, the state fed back as the store would.
struct Transition {
  int at;  // window end, in minutes from kBase
  AlarmState state;
  std::optional<int> marker;
  bool operator==(const Transition&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Transition& t) {
  return os << '{' << t.at << ' ' << to_string(t.state) << ' ' << (t.marker ? std::to_string(*t.marker) : "-") << '}';
}

std::vector<Slot> night_window(const std::vector<std::optional<double>>& night, int end, int size) {
  std::vector<Slot> w;
  for (int i = end - size; i < end; ++i)
    w.push_back(Slot{slot_time(i),
                     i >= 0 && i < static_cast<int>(night.size()) ? night[static_cast<std::size_t>(i)] : std::nullopt});
  return w;
}

std::vector<Transition> replay(const std::vector<std::optional<double>>& night, int from, int to, Previous& prev,
                               int window = 10) {
  std::vector<Transition> out;
  for (int end = from; end <= to; ++end) {
    const auto ev = evaluate_drained(DrainedSpec{}, night_window(night, end, window), kPeriod, prev);
    if (ev.state != prev.state) {
      std::optional<int> marker;
      if (ev.marker) marker = static_cast<int>((*ev.marker - kBase) / kPeriod);
      out.push_back({end, ev.state, marker});
      prev.changed_at = slot_time(end);
    }
    prev.state = ev.state;
    prev.marker = ev.marker;
  }
  return out;
}

std::vector<std::optional<double>> the_night() {
  std::vector<std::optional<double>> n = {std::nullopt, std::nullopt, std::nullopt, 100, 500, 900, 1200, 800, 400, 100};
  for (int i = 10; i < 26; ++i) n.push_back(0.0);         // drained at minute 10
  for (double v : {300.0, 200.0, 100.0}) n.push_back(v);  // a second job at minute 26
  for (int i = 29; i < 45; ++i) n.push_back(0.0);         // drained at minute 29
  return n;
}

TEST(Drained, NightFiresOncePerDrain) {
  const auto night = the_night();
  Previous prev;
  EXPECT_EQ(replay(night, 1, 44, prev), (std::vector<Transition>{{4, AlarmState::Ok, std::nullopt},
                                                                 {15, AlarmState::Drained, 10},
                                                                 {27, AlarmState::Ok, std::nullopt},
                                                                 {34, AlarmState::Drained, 29}}));
}

TEST(Drained, RestartsNeverFireTwice) {
  const auto night = the_night();
  Previous prev;
  ASSERT_EQ(replay(night, 1, 20, prev).size(), 2u);
  ASSERT_EQ(prev.state, AlarmState::Drained);
  // Restart: the agent re-reads a 60-slot catch-up window holding the whole first fill and drain.
  const auto ev = evaluate_drained(DrainedSpec{}, night_window(night, 20, 60), kPeriod, prev);
  EXPECT_EQ(ev.state, AlarmState::Drained);
  EXPECT_EQ(ev.marker, slot_time(10));
  // The same evaluation repeated changes nothing either.
  EXPECT_TRUE(replay(night, 20, 25, prev).empty());
}

TEST(Drained, RestartMidDrainFiresWhenTheHoldCompletes) {
  const auto night = the_night();
  Previous prev;
  ASSERT_EQ(replay(night, 1, 12, prev).size(), 1u);  // OK, two zeros seen
  // Down from minute 12 to 20; state OK from the store; the catch-up window shows the whole drain.
  EXPECT_EQ(replay(night, 20, 22, prev), (std::vector<Transition>{{20, AlarmState::Drained, 10}}));
}

TEST(Drained, FirstStartAfterTheNightIsNotSilent) {
  // No stored state and a catch-up window that holds the fill: that drain is reported once.
  const auto night = the_night();
  Previous prev;
  EXPECT_EQ(replay(night, 20, 24, prev, 20), (std::vector<Transition>{{20, AlarmState::Drained, 10}}));
  // Started only after the fill left the window: zeros alone do not fire.
  Previous later;
  EXPECT_TRUE(replay(night, 40, 44, later).empty());
  EXPECT_EQ(later.state, AlarmState::InsufficientData);
}

// wait_for_jobs: the drain waits for the model's active job, then fires once.
TEST(DrainedWaitForJobs, Table) {
  struct Row {
    const char* name;
    const char* window;
    int offset;  // minute of the window's first slot
    AlarmState previous;
    int previous_marker;  // minute, kNone for none
    bool wait_for_jobs;
    const char* active_status;  // nullptr: no active job
    AlarmState expected;
    int expected_marker;  // minute, kNone for none
    const char* reason;
  };
  const Row rows[] = {
      {"held while the next job is Scheduled", "1200 0 0 0 0 0", 0, kIns, kNone, true, "Scheduled", kOk, 1,
       "Backlog at zero since 22/11/26 00:01:00, held: job nightly-43 is Scheduled"},
      {"without wait_for_jobs the job does not matter", "1200 0 0 0 0 0", 0, kIns, kNone, false, "Scheduled", kDrained,
       1, "Backlog drained: 0 for 5m"},
      {"no active job drains as before", "1200 0 0 0 0 0", 0, kOk, kNone, true, nullptr, kDrained, 1,
       "Backlog drained: 0 for 5m since 22/11/26 00:01:00 after 1.2k"},
      {"still held on the next evaluation", "1200 0 0 0 0 0 0", 0, kOk, 1, true, "InProgress", kOk, 1,
       "held: job nightly-43 is InProgress"},
      {"job gone: fires with the held marker", "1200 0 0 0 0 0 0 0", 0, kOk, 1, true, nullptr, kDrained, 1,
       "Backlog drained: 0 for 7m since 22/11/26 00:01:00 after 1.2k; held until no job was active"},
      // The window slid past the fill: the held marker, not the window start, is where it drained.
      {"job gone, window slid past the fill", "0 0 0 0 0 0", 30, kOk, 1, true, nullptr, kDrained, 1,
       "held until no job was active"},
      // Bedrock stopped publishing while the job was held: the zeros were proven when it was held.
      {"job gone, metric silent since", "- - - - - -", 90, kOk, 1, true, nullptr, kDrained, 1,
       "Backlog drained since 22/11/26 00:01:00; held until no job was active"},
      {"held through silence", "- - - - - -", 90, kOk, 1, true, "Stopping", kOk, 1, "held: job nightly-43 is Stopping"},
      // A new fill after the marker cancels the held drain: that fill drains on its own.
      {"a rise cancels the held drain", "0 0 0 300 0 0", 20, kOk, 1, true, nullptr, kOk, kNone, "0 for 2m"},
      {"a rise, then its own drain", "300 0 0 0 0 0", 20, kOk, 1, true, nullptr, kDrained, 21, "after 300"},
      // Once DRAINED, the job's state no longer matters: still once per drain.
      {"drained stays drained", "1200 0 0 0 0 0", 0, kDrained, 1, true, "Submitted", kDrained, 1,
       "Backlog drained since"},
      {"zero run too short: pending as before", "1200 0 0", 0, kOk, kNone, true, "InProgress", kOk, kNone,
       "0 for 2m"},
      {"never any backlog", "0 0 0 0 0 0", 0, kIns, kNone, true, "InProgress", kIns, kNone, "No backlog seen"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    DrainedSpec spec;
    spec.wait_for_jobs = r.wait_for_jobs;
    Previous prev;
    prev.state = r.previous;
    if (r.previous_marker != kNone) prev.marker = slot_time(r.previous_marker);
    JobSnapshot job;
    job.name = "nightly-43";
    if (r.active_status) job.status = r.active_status;
    expect_evaluation(
        evaluate_drained(spec, window_of(r.window, r.offset), kPeriod, prev, r.active_status ? &job : nullptr),
        r.expected, r.expected_marker, r.reason);
  }
}

// Minute by minute, the state fed back as the store would: one DRAINED, when the job has gone.
TEST(DrainedWaitForJobs, FiresOnceWhenTheJobEnds) {
  DrainedSpec spec;
  spec.wait_for_jobs = true;
  JobSnapshot job;
  job.name = "nightly-43";
  job.status = "InProgress";
  // Backlog 1200 at minute 0, zeros until minute 15, then Bedrock publishes nothing.
  std::vector<Slot> all;
  for (int m = 0; m < 60; ++m) {
    std::optional<double> v;
    if (m == 0) v = 1200;
    if (m > 0 && m <= 15) v = 0;
    all.push_back(Slot{slot_time(m), v});
  }
  Previous prev;
  int drained = 0, first_drained_at = kNone;
  for (int end = 1; end <= 60; ++end) {
    const auto begin = std::max(0, end - 10);
    std::vector<Slot> window(all.begin() + begin, all.begin() + end);
    const bool job_active = end < 40;  // the job ends at minute 40
    const auto ev = evaluate_drained(spec, window, kPeriod, prev, job_active ? &job : nullptr);
    if (ev.state == AlarmState::Drained && prev.state != AlarmState::Drained) {
      ++drained;
      first_drained_at = end;
      EXPECT_EQ(ev.marker, slot_time(1));
    }
    prev = Previous{ev.state, slot_time(end), ev.marker};
  }
  EXPECT_EQ(drained, 1);
  EXPECT_EQ(first_drained_at, 40);
}

}  // namespace
}  // namespace bw
