// drained with `wait_for_jobs: true`: the drain waits for the model's active job, then fires once.
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
constexpr int kNone = -1000;

Time slot_time(int i) { return kBase + kPeriod * i; }

// "1200 0 - 0": values one minute apart from kBase + offset minutes; "-" is a missing datapoint.
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

const AlarmState kIns = AlarmState::InsufficientData, kOk = AlarmState::Ok, kDrained = AlarmState::Drained;

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
    const auto ev =
        evaluate_drained(spec, window_of(r.window, r.offset), kPeriod, prev, r.active_status ? &job : nullptr);
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    if (r.expected_marker == kNone)
      EXPECT_FALSE(ev.marker) << ev.reason;
    else
      EXPECT_EQ(ev.marker, slot_time(r.expected_marker)) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
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
