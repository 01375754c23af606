#include <gtest/gtest.h>

#include "tests/unit/rules/jobs_test_support.hpp"

namespace bw {
namespace {

using namespace jobs_test;

TEST(JobStatuses, TerminalActiveAndUnknown) {
  struct Row {
    const char* status;
    bool terminal, active;
  };
  const Row rows[] = {
      {"Submitted", false, true},  {"Validating", false, true},
      {"Scheduled", false, true},  {"InProgress", false, true},
      {"Stopping", false, true},   {"Completed", true, false},
      {"Failed", true, false},     {"Stopped", true, false},
      {"Expired", true, false},    {"PartiallyCompleted", true, false},
      {"Paused", false, false},    {"", false, false},
      {"completed", false, false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.status);
    EXPECT_EQ(is_terminal_job_status(r.status), r.terminal);
    EXPECT_EQ(is_active_job_status(r.status), r.active);
    EXPECT_EQ(is_known_job_status(r.status), r.terminal || r.active);
  }
  EXPECT_EQ(known_job_statuses().size(), 10u);
}

TEST(JobFilter, Globs) {
  struct Row {
    const char* model;
    const char* name;
    const char* job_model;
    const char* job_name;
    bool matches;
  };
  const Row rows[] = {
      {"*", "*", "anthropic.claude-3-haiku", "nightly-42", true},
      {"anthropic.*", "*", "anthropic.claude-3-haiku", "x", true},
      {"anthropic.*", "*", "meta.llama3", "x", false},
      {"*", "nightly-??", "m", "nightly-42", true},
      {"*", "nightly-??", "m", "nightly-420", false},
      {"*", "nightly-?", "m", "nightly-", false},
      {"*claude*haiku", "*", "anthropic.claude-3-haiku", "x", true},
      {"*claude*haiku", "*", "anthropic.claude-3-haiku-v2", "x", false},
      {"exact", "*", "exact", "", true},
      {"", "*", "", "x", true},
      {"", "*", "m", "x", false},
      {"a*b*c", "*", "aXbYbZc", "x", true},
      {"**", "?*", "", "x", true},
      {"**", "?*", "", "", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.model) + " / " + r.name);
    JobSnapshot j;
    j.model_id = r.job_model;
    j.name = r.job_name;
    EXPECT_EQ((JobFilter{r.model, r.name}.matches(j)), r.matches);
  }
}

constexpr int kNone = -1;

// The estimator: total 12,000 submitted at minute 0; `now` minute 60 unless the history says later.
TEST(ProjectJobFinish, Table) {
  struct Row {
    const char* name;
    const char* status;
    std::optional<std::int64_t> total, processed;
    const char* history;
    int last_modified;  // minute; kNone for none
    int now;
    int expected;  // minute of the projected finish; kNone for nullopt
  };
  const Row rows[] = {
      // 600 records per 10 min = 1/s: 12,000 − 1,200 left from minute 20 → minute 200.
      {"steady rate", "InProgress", 12000, 1200, "0:0 10:600 20:1200", 0, 20, 200},
      // Only the last hour counts: slow start (1/10 min) then 100/min over minutes 70..130.
      {"recent window", "InProgress", 12000, 6100, "0:0 60:100 70:100 130:6100", 0, 130, 189},
      // The point just outside the window still anchors a sparse history (2 polls 2h apart).
      {"sparse polls", "InProgress", 12000, 2400, "0:0 120:2400", 0, 120, 600},
      // Counts went backwards (a reset): the run after the drop only; 400→1000 over 10 min = 1/s.
      {"counts backwards", "InProgress", 12400, 1000, "0:0 10:5000 20:400 30:1000", 0, 30, 220},
      // Dropped at the newest point: one usable point, fallback since lastModified (minute 10).
      {"drop at the newest point", "InProgress", 12000, 600, "0:0 10:5000 20:600", 10, 20, 210},
      // Single observation: processed / (observed − lastModifiedTime while InProgress).
      {"single observation", "InProgress", 12000, 3000, "30:3000", 0, 30, 120},
      {"single observation, lastModified later", "InProgress", 12000, 3000, "30:3000", 20, 30, 60},
      // Not InProgress (e.g. Stopping): processing start falls back to submitTime.
      {"single observation, Stopping", "Stopping", 12000, 3000, "30:3000", 20, 30, 120},
      // No history at all: counted at `now`.
      {"no history", "InProgress", 12000, 3000, "", 0, 30, 120},
      {"nothing processed yet", "InProgress", 12000, 0, "10:0", 0, 10, kNone},
      {"Scheduled", "Scheduled", 12000, 0, "", 0, 10, kNone},
      {"total 0", "InProgress", 0, 0, "0:0 10:0", 0, 10, kNone},
      {"no total", "InProgress", std::nullopt, 100, "0:0 10:100", 0, 10, kNone},
      {"no counts, history only", "InProgress", 12000, std::nullopt, "0:0 10:600", 0, 10, 200},
      {"ended", "Completed", 12000, 12000, "0:0 10:12000", 0, 10, kNone},
      {"all processed, not ended yet", "InProgress", 12000, 12000, "0:0 10:12000", 0, 15, 15},
      // Overdue at the old rate: never in the past.
      {"stale anchor", "InProgress", 12000, 6000, "0:0 10:6000", 0, 100, 100},
      // A whole hour without progress: a stall, no projection (job_expiry reports it).
      {"stalled an hour", "InProgress", 12000, 600, "0:600 30:600 60:600", 0, 60, kNone},
      // Flat for a short while: Bedrock counts move in steps; fall back to the average since start.
      {"flat briefly", "InProgress", 12000, 600, "9:600 10:600", 0, 10, 200},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto j = job(r.status);
    j.total = r.total;
    j.processed = r.processed;
    j.last_modified_time = r.last_modified == kNone ? std::nullopt : std::optional<Time>(at_min(r.last_modified));
    JobHistory h;
    h.progress = progress(r.history);
    const auto got = project_job_finish(j, h, at_min(r.now));
    if (r.expected == kNone) {
      EXPECT_FALSE(got.has_value()) << format_rfc3339(*got);
    } else {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(*got, at_min(r.expected)) << format_rfc3339(*got);
    }
  }
}

TEST(JobProcessingRate, NeverNegative) {
  auto j = job("InProgress");
  j.total = 1000;
  j.processed = 10;
  JobHistory h;
  h.progress = progress("0:900 10:500 20:10");  // every step backwards
  const auto rate = job_processing_rate(j, h, at_min(20));
  ASSERT_TRUE(rate.has_value());
  EXPECT_GE(rate->per_second, 0);
  EXPECT_FALSE(rate->observed);
}

TEST(JobEnd, EndTimeElseLastModifiedOfATerminalJob) {
  auto j = job("Failed");
  j.last_modified_time = at_min(7);
  EXPECT_EQ(job_end(j), at_min(7));
  j.end_time = at_min(5);
  EXPECT_EQ(job_end(j), at_min(5));
  EXPECT_FALSE(job_end(job("InProgress")).has_value());
}

}  // namespace
}  // namespace bw
