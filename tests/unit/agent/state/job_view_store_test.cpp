// The job view in the state file: every field round-trips, rows go with the cycle's commit (and not
// without it), and a file of an earlier release gains the table on upgrade.
#include <gtest/gtest.h>

#include "agent/state/schema.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using namespace testing;

StoredJob full_job() {
  StoredJob r;
  r.account = "prod";
  r.region = "eu-west-1";
  auto& j = r.job;
  j.arn = "arn:aws:bedrock:eu-west-1:111122223333:model-invocation-job/abc";
  j.name = "nightly";
  j.model_id = "anthropic.claude-3-haiku";
  j.status = "InProgress";
  j.message = "";
  j.output_s3_uri = "s3://out/nightly/";
  j.submit_time = at("2026-11-22T01:00:00Z");
  j.last_modified_time = at("2026-11-22T02:00:00Z");
  j.expiration_time = at("2026-11-23T01:00:00Z");
  j.total = 1000;
  j.processed = 400;
  j.success = 390;
  j.errors = 10;
  r.history.first_seen = at("2026-11-22T01:05:00Z");
  r.history.progress = {{at("2026-11-22T01:05:00Z"), 0}, {at("2026-11-22T02:05:00Z"), 400}};
  return r;
}

StateUpdate some_state() {
  StateUpdate u;
  u.state.rule = "job-ended-badly";
  u.state.series = "jobName=nightly,modelId=anthropic.claude-3-haiku";
  u.state.state = AlarmState::Ok;
  return u;
}

TEST(JobViewStore, EveryFieldRoundTripsAndAbsentOnesStayAbsent) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  JobViewUpdate update;
  update.upserts.push_back(full_job());
  StoredJob sparse;  // a Submitted job: no counts, no end, no expiry yet
  sparse.job.arn = "arn:x";
  sparse.job.name = "later";
  sparse.job.status = "Submitted";
  sparse.history.first_seen = at("2026-11-22T03:00:00Z");
  sparse.history.vanished = true;
  update.upserts.push_back(sparse);
  ASSERT_TRUE(store->commit({some_state()}, update).ok());

  const auto jobs = db.open()->jobs();  // another connection: it is in the file
  ASSERT_EQ(jobs.size(), 2u);
  const auto& s = jobs[0];  // ("", "", "arn:x") sorts first
  EXPECT_EQ(s.job.name, "later");
  EXPECT_FALSE(s.job.total || s.job.processed || s.job.end_time || s.job.submit_time);
  EXPECT_TRUE(s.history.vanished);
  EXPECT_TRUE(s.history.progress.empty());
  const auto& f = jobs[1];
  const auto want = full_job();
  EXPECT_EQ(f.account, "prod");
  EXPECT_EQ(f.region, "eu-west-1");
  EXPECT_EQ(f.job.arn, want.job.arn);
  EXPECT_EQ(f.job.model_id, want.job.model_id);
  EXPECT_EQ(f.job.output_s3_uri, want.job.output_s3_uri);
  EXPECT_EQ(f.job.submit_time, want.job.submit_time);
  EXPECT_EQ(f.job.last_modified_time, want.job.last_modified_time);
  EXPECT_EQ(f.job.expiration_time, want.job.expiration_time);
  EXPECT_FALSE(f.job.end_time);
  EXPECT_EQ(f.job.total, 1000);
  EXPECT_EQ(f.job.processed, 400);
  EXPECT_EQ(f.job.success, 390);
  EXPECT_EQ(f.job.errors, 10);
  EXPECT_EQ(f.history.first_seen, want.history.first_seen);
  ASSERT_EQ(f.history.progress.size(), 2u);
  EXPECT_EQ(f.history.progress[1].observed, at("2026-11-22T02:05:00Z"));
  EXPECT_EQ(f.history.progress[1].processed, 400);
  EXPECT_FALSE(f.history.vanished);
  EXPECT_EQ(store->all_states().size(), 1u);
}

TEST(JobViewStore, RemovedJobsAreDeletedAndUpsertsReplace) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  JobViewUpdate first;
  first.upserts.push_back(full_job());
  ASSERT_TRUE(store->commit({}, first).ok());
  JobViewUpdate second;
  auto changed = full_job();
  changed.job.status = "Completed";
  second.upserts.push_back(changed);
  ASSERT_TRUE(store->commit({}, second).ok());
  ASSERT_EQ(store->jobs().size(), 1u);
  EXPECT_EQ(store->jobs()[0].job.status, "Completed");
  JobViewUpdate third;
  third.removed.push_back(full_job());
  ASSERT_TRUE(store->commit({}, third).ok());
  EXPECT_TRUE(store->jobs().empty());
}

// A forgotten job's job-rule states are deleted in the job view's commit; other rows stay.
TEST(JobViewStore, RemovedStatesGoWithTheirJobAndNothingElse) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  auto other_rule = some_state();
  other_rule.state.rule = "job-stuck";
  auto other_job = some_state();
  other_job.state.series = "jobName=weekly,modelId=anthropic.claude-3-haiku";
  JobViewUpdate first;
  first.upserts.push_back(full_job());
  ASSERT_TRUE(store->commit({some_state(), other_rule, other_job}, first).ok());
  JobViewUpdate forget;
  forget.removed.push_back(full_job());
  forget.removed_states.emplace_back(some_state().state.rule, some_state().state.series);
  ASSERT_TRUE(store->commit({}, forget).ok());
  EXPECT_TRUE(store->jobs().empty());
  EXPECT_FALSE(store->get(some_state().state.rule, some_state().state.series));
  EXPECT_TRUE(store->get("job-stuck", some_state().state.series));
  EXPECT_TRUE(store->get(some_state().state.rule, "jobName=weekly,modelId=anthropic.claude-3-haiku"));
}

// The job rows and the states are one transaction: a failing state write leaves no job row.
TEST(JobViewStore, JobRowsAreWrittenOnlyWithTheCycleCommit) {
  TempDb db;
  auto store = db.open();
  ASSERT_TRUE(store);
  db.exec_raw("CREATE TRIGGER no_states BEFORE INSERT ON alarm_state BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
  JobViewUpdate update;
  update.upserts.push_back(full_job());
  EXPECT_FALSE(store->commit({some_state()}, update).ok());
  EXPECT_TRUE(store->jobs().empty());
}

}  // namespace
}  // namespace bw::agent
