// job_status, job_stuck and job_errors, table-driven; job_expiry and job_concurrency are in
// jobs_expiry_test.cpp.
#include <gtest/gtest.h>

#include "tests/unit/rules/jobs_test_support.hpp"

namespace bw {
namespace {

using namespace jobs_test;

const AlarmState kOk = AlarmState::Ok, kAlarm = AlarmState::Alarm, kIns = AlarmState::InsufficientData;

TEST(JobStatusKind, Table) {
  struct Row {
    const char* name;
    const char* status;
    const char* message;
    int end;         // minute, or -1 for no endTime
    int first_seen;  // minute the agent first listed it
    bool vanished;
    AlarmState expected;
    bool quiet;
    const char* reason;
  };
  const Duration catch_up{3 * 3600};
  const Row rows[] = {
      {"failed", "Failed", "Bad input file", 10, 11, false, kAlarm, false, "job nightly-42 is Failed: Bad input file"},
      {"stopped without message", "Stopped", "", 10, 11, false, kAlarm, false, "job nightly-42 is Stopped"},
      {"completed", "Completed", "", 10, 11, false, kOk, false, "job nightly-42 is Completed"},
      {"in progress", "InProgress", "", -1, 0, false, kOk, false, "job nightly-42 is InProgress"},
      // Seen Scheduled, next poll Failed: the skipped InProgress does not matter, the status does.
      {"skipped states", "Failed", "Timeout", 50, 0, false, kAlarm, false, "is Failed: Timeout"},
      // Ended 3h01m before the agent first saw it: recorded quietly.
      {"old failure on first start", "Failed", "x", 0, 181, false, kAlarm, true, "before the agent first saw it"},
      {"ended exactly catch_up before", "Failed", "x", 0, 180, false, kAlarm, false, "is Failed"},
      {"old completed job is quiet too", "Completed", "", 0, 600, false, kOk, true, "is Completed"},
      // No endTime on a terminal job: lastModifiedTime (minute 0 in the builder) stands in.
      {"terminal without endTime", "Expired", "", -1, 600, false, kAlarm, true, "is Expired"},
      {"unknown status", "Paused", "", -1, 0, false, kOk, false, "is Paused (a status batchwatch does not know)"},
      {"vanished judged from the last snapshot", "Failed", "m", 10, 11, true, kAlarm, false, "(no longer listed)"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto j = job(r.status);
    j.message = r.message;
    if (r.end >= 0) j.end_time = at_min(r.end);
    JobHistory h;
    h.first_seen = at_min(r.first_seen);
    h.vanished = r.vanished;
    const auto v = evaluate_job_status(JobStatusSpec{}, j, h, catch_up, at_min(700), Explain::Yes);
    EXPECT_EQ(v.evaluation.state, r.expected);
    EXPECT_EQ(v.quiet, r.quiet);
    EXPECT_NE(v.evaluation.reason.find(r.reason), std::string::npos) << v.evaluation.reason;
    const auto q = evaluate_job_status(JobStatusSpec{}, j, h, catch_up, at_min(700), Explain::No);
    EXPECT_EQ(q.evaluation.state, r.expected);
    EXPECT_TRUE(q.evaluation.reason.empty());
  }
}

TEST(JobStuckKind, Table) {
  struct Row {
    const char* name;
    const char* status;
    int last_modified;  // minute, -1: none
    bool has_submit;
    int now;
    bool vanished;
    AlarmState expected;
    const char* reason;
  };
  const Row rows[] = {
      {"scheduled too long", "Scheduled", 0, true, 135, false, kAlarm,
       "nightly-42 has been Scheduled for 2h 15m (limit 2h)"},
      {"exactly the limit is not stuck", "Scheduled", 0, true, 120, false, kOk, "for 2h (limit 2h)"},
      {"within the limit", "Submitted", 100, true, 135, false, kOk, "has been Submitted for 35m"},
      // Skipped from Submitted to InProgress between polls: not a listed status any more.
      {"moved on", "InProgress", 130, true, 135, false, kOk, "nightly-42 is InProgress"},
      {"ended", "Failed", 5, true, 500, false, kOk, "is Failed"},
      {"unknown status is not listed", "Queued", 0, true, 500, false, kOk, "does not know"},
      {"no lastModified: submitTime", "Validating", -1, true, 200, false, kAlarm, "for 3h 20m"},
      {"no times at all", "Validating", -1, false, 200, false, kIns, "since an unknown time"},
      {"clock skew: lastModified ahead", "Scheduled", 140, true, 135, false, kOk, "for 0s"},
      {"vanished does not keep alarming", "Scheduled", 0, true, 500, true, kIns,
       "no longer listed (last seen Scheduled)"},
      {"days", "Scheduled", 0, true, 60 * 26 + 5, false, kAlarm, "for 1d 2h (limit 2h)"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto j = job(r.status);
    j.last_modified_time = r.last_modified < 0 ? std::nullopt : std::optional<Time>(at_min(r.last_modified));
    if (!r.has_submit) j.submit_time.reset();
    JobHistory h;
    h.vanished = r.vanished;
    const auto ev = evaluate_job_stuck(JobStuckSpec{}, j, h, at_min(r.now), Explain::Yes);
    EXPECT_EQ(ev.state, r.expected);
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(JobStuckKind, ValueIsSecondsInStatus) {
  const auto ev = evaluate_job_stuck(JobStuckSpec{}, job("Scheduled"), at_min(135), Explain::No);
  EXPECT_EQ(ev.value, 135 * 60.0);
  EXPECT_TRUE(ev.reason.empty());
}

TEST(JobErrorsKind, Table) {
  struct Row {
    const char* name;
    std::optional<std::int64_t> processed, errors;
    std::optional<double> value;
    AlarmState expected;
    const char* reason;
  };
  const Row rows[] = {
      {"above", 12400, 397, 397.0 / 12400, kAlarm, "nightly-42: errors 3.2% of 12,400 processed records (limit 1%)"},
      {"at the limit is not above", 1000, 10, 0.01, kOk, "errors 1% of 1,000"},
      {"below", 12400, 5, 5.0 / 12400, kOk, "errors 0.0403% of 12,400"},
      {"no errors", 500, 0, 0.0, kOk, "errors 0% of 500"},
      {"too few processed", 99, 50, std::nullopt, kIns, "99 processed records, judged from 100"},
      {"zero processed", 0, 0, std::nullopt, kIns, "0 processed records"},
      {"missing processed", std::nullopt, 3, std::nullopt, kIns, "no processed/error record counts"},
      {"missing errors", 1000, std::nullopt, std::nullopt, kIns, "no processed/error record counts"},
      {"negative counts are missing", -5, 3, std::nullopt, kIns, "no processed/error"},
      {"more errors than processed", 200, 300, 1.5, kAlarm, "errors 150% of 200"},
      {"millions", 1'234'567, 100'000, 100000.0 / 1234567, kAlarm, "8.1% of 1,234,567"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto j = job("InProgress");
    j.processed = r.processed;
    j.errors = r.errors;
    const auto ev = evaluate_job_errors(JobErrorsSpec{}, j, Explain::Yes);
    EXPECT_EQ(ev.state, r.expected);
    EXPECT_EQ(ev.value, r.value);
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(JobErrorsKind, MinProcessedZeroStillNeverDividesByZero) {
  auto j = job("InProgress");
  j.processed = 0;
  j.errors = 0;
  const auto ev = evaluate_job_errors(JobErrorsSpec{0.01, 0}, j, Explain::Yes);
  EXPECT_EQ(ev.state, AlarmState::InsufficientData);
  EXPECT_FALSE(ev.value.has_value());
}

}  // namespace
}  // namespace bw
