// job_expiry and job_concurrency, table-driven.
#include <gtest/gtest.h>

#include "tests/unit/rules/jobs_test_support.hpp"

namespace bw {
namespace {

using namespace jobs_test;

const AlarmState kOk = AlarmState::Ok, kAlarm = AlarmState::Alarm, kIns = AlarmState::InsufficientData;
constexpr int kNone = -1;

TEST(JobExpiryKind, Table) {
  struct Row {
    const char* name;
    const char* status;
    std::optional<std::int64_t> total, processed;
    const char* history;
    int expiration;  // minute, kNone: none
    int now;
    bool vanished;
    AlarmState expected;
    std::optional<double> value;  // seconds the projection is late (negative: early)
    const char* reason;
  };
  // Margin 1h. "0:0 10:600 20:1200" at 1 record/s leaves 10,800 records: finish at minute 200.
  const Row rows[] = {
      {"on track", "InProgress", 12000, 1200, "0:0 10:600 20:1200", 300, 20, false, kOk, -2400.0,
       "nightly-42: projected to finish 2026-11-22T03:20Z, 40m before expiry - margin (2026-11-22T05:00Z - 1h)"},
      {"late", "InProgress", 12000, 1200, "0:0 10:600 20:1200", 250, 20, false, kAlarm, 600.0,
       "projected to finish 2026-11-22T03:20Z, 10m after expiry - margin"},
      {"finish exactly at expiry - margin", "InProgress", 12000, 1200, "0:0 10:600 20:1200", 260, 20, false, kOk, 0.0,
       "0s before"},
      {"counts went backwards", "InProgress", 12400, 1000, "0:0 10:5000 20:400 30:1000", 270, 30, false, kAlarm, 600.0,
       "finish 2026-11-22T03:40Z, 10m after"},
      {"single observation", "InProgress", 12000, 3000, "30:3000", 300, 30, false, kOk, -7200.0, "2h before"},
      {"unknown status still projected", "Paused", 12000, 1200, "0:0 10:600 20:1200", 250, 20, false, kAlarm, 600.0,
       "10m after"},
      {"stalled for an hour", "InProgress", 12000, 600, "0:600 30:600 60:600", 3000, 60, false, kAlarm, std::nullopt,
       "nightly-42: no records processed since 2026-11-22T00:00Z (11,400 left); expires 2026-11-24T02:00Z"},
      {"completed", "Completed", 12000, 12000, "0:0 10:12000", 5, 20, false, kOk, std::nullopt, "ended Completed"},
      // Skipped from Scheduled to Failed between polls: ended, nothing to project.
      {"skipped to failed", "Failed", 12000, 0, "", 5, 20, false, kOk, std::nullopt, "ended Failed"},
      {"vanished", "InProgress", 12000, 1200, "0:0 10:600 20:1200", 250, 20, true, kIns, std::nullopt,
       "no longer listed (last seen InProgress)"},
      {"no expiration", "InProgress", 12000, 1200, "0:0 10:600 20:1200", kNone, 20, false, kIns, std::nullopt,
       "no jobExpirationTime"},
      {"total 0", "InProgress", 0, 0, "0:0 10:0", 250, 20, false, kIns, std::nullopt, "no totalRecordCount"},
      {"total missing", "InProgress", std::nullopt, 10, "0:0 10:10", 250, 20, false, kIns, std::nullopt,
       "no totalRecordCount"},
      {"not started", "Scheduled", 12000, 0, "5:0", 250, 20, false, kIns, std::nullopt,
       "no processing rate observed yet"},
      {"counts missing", "InProgress", 12000, std::nullopt, "", 250, 20, false, kIns, std::nullopt,
       "no processing rate observed yet"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto j = job(r.status);
    j.total = r.total;
    j.processed = r.processed;
    if (r.expiration != kNone) j.expiration_time = at_min(r.expiration);
    JobHistory h;
    h.progress = progress(r.history);
    h.vanished = r.vanished;
    const auto ev = evaluate_job_expiry(JobExpirySpec{}, j, h, at_min(r.now), Explain::Yes);
    EXPECT_EQ(ev.state, r.expected);
    EXPECT_EQ(ev.value, r.value);
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
    const auto quiet = evaluate_job_expiry(JobExpirySpec{}, j, h, at_min(r.now), Explain::No);
    EXPECT_EQ(quiet.state, r.expected);
    EXPECT_TRUE(quiet.reason.empty());
  }
}

TEST(JobConcurrencyKind, Table) {
  struct Row {
    const char* name;
    std::vector<const char*> statuses;
    double above;
    AlarmState expected;
    double value;
    const char* reason;
  };
  const std::vector<const char*> quota_of_three{"Submitted", "Scheduled", "InProgress",
                                                "Completed", "Failed",    "Paused"};
  const Row rows[] = {
      {"none", {}, 0, kOk, 0, "0 jobs Submitted/Validating/Scheduled/InProgress (limit 0)"},
      {"above", quota_of_three, 2, kAlarm, 3, "3 jobs Submitted/Validating/Scheduled/InProgress (limit 2)"},
      {"at the limit", quota_of_three, 3, kOk, 3, "(limit 3)"},
      {"terminal and unknown statuses do not count",
       {"Completed", "Failed", "Paused", "Stopping"},
       0,
       kOk,
       0,
       "0 jobs"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    std::vector<JobSnapshot> jobs;
    for (const auto* s : r.statuses) jobs.push_back(job(s, std::string("job-") + s));
    std::vector<const JobSnapshot*> pointers;
    for (const auto& j : jobs) pointers.push_back(&j);
    JobConcurrencySpec spec;
    spec.above = r.above;
    const auto ev = evaluate_job_concurrency(spec, pointers, Explain::Yes);
    EXPECT_EQ(ev.state, r.expected);
    EXPECT_EQ(ev.value, r.value);
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(JobConcurrencyKind, StatusesOverride) {
  JobConcurrencySpec spec;
  spec.statuses = {"InProgress", "Stopping"};
  spec.above = 1;
  const auto a = job("InProgress", "a"), b = job("Stopping", "b"), c = job("Scheduled", "c");
  const auto ev = evaluate_job_concurrency(spec, {&a, &b, &c}, Explain::Yes);
  EXPECT_EQ(ev.state, AlarmState::Alarm);
  EXPECT_EQ(ev.value, 2.0);
  EXPECT_EQ(ev.reason, "2 jobs InProgress/Stopping (limit 1)");
}

}  // namespace
}  // namespace bw
