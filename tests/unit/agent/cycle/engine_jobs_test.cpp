// The job step of the engine over a timeline: an in-memory JobSource, the real state file, time as
// the test says. Each test fails without the part of the job watch it names.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/cycle/engine.hpp"
#include "tests/unit/agent/cycle/fake_job_source.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using namespace testing;

config::Rule job_rule(std::string name, decltype(config::Rule::spec) spec) {
  config::Rule r;
  r.name = std::move(name);
  r.file = "rules/jobs.yaml";
  r.line = 1;
  r.spec = std::move(spec);
  r.notify = {"ops-email"};
  return r;
}

config::Config jobs_config(std::vector<config::Rule> rules) {
  auto c = make_config(std::move(rules));
  c.jobs.enabled = true;
  c.jobs.every = Duration{300};
  c.jobs.lookback = Duration{3 * 86400};
  c.poll.catch_up = Duration{3 * 3600};
  return c;
}

// Payloads owed (every target's row), in order, parsed.
std::vector<nlohmann::json> owed(const StateStore& store) {
  std::vector<nlohmann::json> out;
  for (const auto& row : store.outbox()) out.push_back(nlohmann::json::parse(row.payload));
  return out;
}

struct JobRig {
  explicit JobRig(config::Config c) : config(std::move(c)) {}
  Result<CycleReport> run(std::string_view now) { return engine->run(at(now), *store, RunMode::Record); }
  void restart() { engine = std::make_unique<Engine>(config, metrics, log.log(), "us-east-1", &jobs); }

  config::Config config;
  FakeMetricSource metrics;
  FakeJobSource jobs;
  CapturedLog log;
  TempDb db;
  std::unique_ptr<StateStore> store = db.open();
  std::unique_ptr<Engine> engine = std::make_unique<Engine>(config, metrics, log.log(), "us-east-1", &jobs);
};

JobSnapshot& in_progress(JobSnapshot& j, std::string_view submitted, std::int64_t processed, std::int64_t total) {
  j.status = "InProgress";
  j.submit_time = at(submitted);
  j.last_modified_time = at(submitted);
  j.processed = processed;
  j.total = total;
  return j;
}

TEST(EngineJobs, FailedJobIsNotifiedOnceWithTheJobInThePayload) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  in_progress(rig.jobs.job("nightly"), "2026-11-22T05:00:00Z", 10, 100);
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  EXPECT_TRUE(rig.store->outbox().empty());

  auto& j = rig.jobs.job("nightly");
  j.status = "Failed";
  j.message = "quota exceeded";
  j.end_time = at("2026-11-22T06:07:00Z");
  ASSERT_TRUE(rig.run("2026-11-22T06:10:00Z").ok());
  ASSERT_TRUE(rig.run("2026-11-22T06:20:00Z").ok());  // still Failed: nothing new owed

  const auto payloads = owed(*rig.store);
  ASSERT_EQ(payloads.size(), 1u);
  const auto& p = payloads[0];
  EXPECT_EQ(p["AlarmName"], "job-ended-badly/jobName=nightly");
  EXPECT_EQ(p["NewStateValue"], "ALARM");
  EXPECT_EQ(p["batchwatch"]["kind"], "job_status");
  EXPECT_EQ(p["batchwatch"]["job"]["status"], "Failed");
  EXPECT_EQ(p["batchwatch"]["job"]["message"], "quota exceeded");
  EXPECT_EQ(p["batchwatch"]["job"]["outputS3Uri"], "s3://out/nightly/");
  EXPECT_EQ(p["batchwatch"]["job"]["endTime"], "2026-11-22T06:07:00Z");
  EXPECT_EQ(p["Trigger"]["Namespace"], "AWS/Bedrock");
}

TEST(EngineJobs, OldFailedJobOnFirstStartIsRecordedWithoutNotification) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  auto& old = rig.jobs.job("last-week");
  old.status = "Failed";
  old.submit_time = at("2026-11-20T01:00:00Z");
  old.end_time = at("2026-11-20T02:00:00Z");  // long before poll.catch_up (3h) of the first sight
  auto& fresh = rig.jobs.job("just-now");
  fresh.status = "Failed";
  fresh.submit_time = at("2026-11-22T05:30:00Z");
  fresh.end_time = at("2026-11-22T05:50:00Z");
  const auto report = rig.run("2026-11-22T06:00:00Z");
  ASSERT_TRUE(report.ok());

  const auto old_state = rig.store->get("job-ended-badly", "jobName=last-week,modelId=m1");
  ASSERT_TRUE(old_state);
  EXPECT_EQ(old_state->state, AlarmState::Alarm);  // recorded as it is
  const auto payloads = owed(*rig.store);
  ASSERT_EQ(payloads.size(), 1u);  // only the recent failure is news
  EXPECT_EQ(payloads[0]["batchwatch"]["job"]["jobName"], "just-now");
}

TEST(EngineJobs, RestartNeitherForgetsNorRepeats) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  in_progress(rig.jobs.job("nightly"), "2026-11-22T05:00:00Z", 10, 100);
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  auto& j = rig.jobs.job("nightly");
  j.status = "Failed";
  j.end_time = at("2026-11-22T06:07:00Z");
  ASSERT_TRUE(rig.run("2026-11-22T06:10:00Z").ok());
  ASSERT_EQ(rig.store->outbox().size(), 1u);

  rig.restart();  // a new engine on the same state file
  ASSERT_TRUE(rig.run("2026-11-22T06:20:00Z").ok());
  EXPECT_EQ(rig.store->outbox().size(), 1u);
  const auto view = rig.store->jobs();
  ASSERT_EQ(view.size(), 1u);
  EXPECT_EQ(view[0].history.first_seen, at("2026-11-22T06:00:00Z"));  // not first seen again
  EXPECT_EQ(view[0].job.status, "Failed");
}

TEST(EngineJobs, SourceIsAskedAtMostOncePerEvery) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  in_progress(rig.jobs.job("nightly"), "2026-11-22T05:00:00Z", 10, 100);
  for (const char* t : {"2026-11-22T06:00:00Z", "2026-11-22T06:01:00Z", "2026-11-22T06:04:59Z", "2026-11-22T06:05:00Z",
                        "2026-11-22T06:06:00Z", "2026-11-22T06:10:00Z"})
    ASSERT_TRUE(rig.run(t).ok()) << t;
  ASSERT_EQ(rig.jobs.calls.size(), 3u);  // 06:00, 06:05, 06:10 (every: 5m)
  EXPECT_EQ(rig.jobs.calls[0], at("2026-11-19T06:00:00Z"));  // submitTimeAfter = now - lookback
  EXPECT_EQ(rig.jobs.calls[2], at("2026-11-19T06:10:00Z"));
}

TEST(EngineJobs, AJobLeavingTheViewTakesItsJobRuleStatesWithIt) {
  auto config = jobs_config({job_rule("job-ended-badly", JobStatusSpec{}), job_rule("job-stuck", JobStuckSpec{})});
  config.jobs.lookback = Duration{86400};
  JobRig rig(config);
  auto& old = in_progress(rig.jobs.job("weekly"), "2026-11-21T07:00:00Z", 10, 100);
  old.status = "Completed";
  // A newer job of the same name and model: the same series, so its state stays when the old one goes.
  in_progress(rig.jobs.job("nightly"), "2026-11-21T07:00:00Z", 10, 100).status = "Completed";
  auto again = rig.jobs.job("nightly");
  again.arn += "-2";
  rig.jobs.jobs[JobScope{}].push_back(in_progress(again, "2026-11-22T05:00:00Z", 10, 100));
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  ASSERT_TRUE(rig.store->get("job-ended-badly", "jobName=weekly,modelId=m1"));
  ASSERT_TRUE(rig.store->get("job-stuck", "jobName=weekly,modelId=m1"));

  ASSERT_TRUE(rig.run("2026-11-22T07:10:00Z").ok());  // the two 07:00 jobs are beyond jobs.lookback now
  ASSERT_EQ(rig.store->jobs().size(), 1u);
  EXPECT_FALSE(rig.store->get("job-ended-badly", "jobName=weekly,modelId=m1"));
  EXPECT_FALSE(rig.store->get("job-stuck", "jobName=weekly,modelId=m1"));
  EXPECT_TRUE(rig.store->get("job-ended-badly", "jobName=nightly,modelId=m1"));
  EXPECT_TRUE(rig.store->get("job-stuck", "jobName=nightly,modelId=m1"));
}

TEST(EngineJobs, ProgressIsObservedAndJobsMissingFromTheListVanish) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  in_progress(rig.jobs.job("a"), "2026-11-22T05:00:00Z", 10, 100);
  in_progress(rig.jobs.job("b"), "2026-11-22T05:00:00Z", 0, 100);
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  rig.jobs.job("a").processed = 40;
  rig.jobs.jobs[{}].pop_back();  // "b" is no longer listed
  ASSERT_TRUE(rig.run("2026-11-22T06:05:00Z").ok());

  const auto view = rig.store->jobs();
  ASSERT_EQ(view.size(), 2u);
  const auto& a = view[0].job.name == "a" ? view[0] : view[1];
  const auto& b = view[0].job.name == "a" ? view[1] : view[0];
  ASSERT_EQ(a.history.progress.size(), 2u);
  EXPECT_EQ(a.history.progress[1].observed, at("2026-11-22T06:05:00Z"));
  EXPECT_EQ(a.history.progress[1].processed, 40);
  EXPECT_FALSE(a.history.vanished);
  EXPECT_TRUE(b.history.vanished);
}

TEST(EngineJobs, StuckJobMovesBetweenListPasses) {
  JobStuckSpec stuck;
  stuck.for_ = Duration{1800};
  JobRig rig(jobs_config({job_rule("job-stuck", stuck)}));
  rig.config.jobs.every = Duration{3600};
  auto& j = rig.jobs.job("waiting");
  j.status = "Scheduled";
  j.submit_time = at("2026-11-22T05:50:00Z");
  j.last_modified_time = at("2026-11-22T05:50:00Z");
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  EXPECT_TRUE(rig.store->outbox().empty());
  ASSERT_TRUE(rig.run("2026-11-22T06:25:00Z").ok());  // no list pass (every: 1h), yet time moved on
  EXPECT_EQ(rig.jobs.calls.size(), 1u);
  const auto payloads = owed(*rig.store);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0]["batchwatch"]["kind"], "job_stuck");
}

TEST(EngineJobs, UnknownStatusWarnsOncePerJobAndStatus) {
  JobRig rig(jobs_config({job_rule("job-ended-badly", JobStatusSpec{})}));
  auto& j = rig.jobs.job("odd");
  j.status = "Hibernating";
  j.submit_time = at("2026-11-22T05:00:00Z");
  for (const char* t : {"2026-11-22T06:00:00Z", "2026-11-22T06:05:00Z", "2026-11-22T06:10:00Z"})
    ASSERT_TRUE(rig.run(t).ok()) << t;
  std::size_t warnings = 0;
  for (const auto& line : rig.log.lines())
    warnings += line.find(" warn ") != std::string::npos &&
                line.find("Hibernating") != std::string::npos;
  EXPECT_EQ(warnings, 1u) << rig.log.text();
  EXPECT_TRUE(rig.store->outbox().empty());
}

}  // namespace
}  // namespace bw::agent
