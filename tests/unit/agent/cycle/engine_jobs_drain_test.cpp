// Drains and jobs (wait_for_jobs, `batchwatch.jobs`), and the job step's bad days: a list page that
// cannot be read, and AccessDenied. Metric rules go on; job states stay; nothing is owed twice.
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

const std::vector<Dimension> kM1 = {{"modelId", "m1"}};

struct Rig {
  explicit Rig(std::vector<config::Rule> rules) : config(make_config(std::move(rules))) {
    config.jobs.enabled = true;
    config.jobs.every = Duration{300};
  }
  Result<CycleReport> run(std::string_view now) { return engine.run(at(now), *store, RunMode::Record); }
  std::vector<nlohmann::json> owed() const {
    std::vector<nlohmann::json> out;
    for (const auto& row : store->outbox()) out.push_back(nlohmann::json::parse(row.payload));
    return out;
  }

  config::Config config;
  FakeMetricSource metrics;
  FakeJobSource jobs;
  CapturedLog log;
  TempDb db;
  std::unique_ptr<StateStore> store = db.open();
  Engine engine{config, metrics, log.log(), "us-east-1", &jobs};
};

config::Rule drained_rule(bool wait_for_jobs) {
  config::Rule r = RuleBuilder("records-drained")
                       .metric(kNs, kPending)
                       .dimensions({{"modelId", "*"}})
                       .stat("Maximum")
                       .period(kMinute)
                       .notify({"pipeline"});
  DrainedSpec spec;
  spec.hold = Duration{300};
  spec.wait_for_jobs = wait_for_jobs;
  r.spec = spec;
  return r;
}

config::Rule job_status_rule() {
  config::Rule r;
  r.name = "job-ended-badly";
  r.spec = JobStatusSpec{};
  r.notify = {"ops-email"};
  return r;
}

config::Rule tokens_high() {
  return RuleBuilder("tokens-high").dimensions({{"modelId", "*"}}).notify({"ops-email"});
}

// Backlog of m1: 100 until 05:54, then zero through 06:20.
void backlog_drains_at_0555(FakeMetricSource& metrics) {
  metrics.add_listing(kNs, kPending, kM1);
  const auto key = series_key(kNs, kPending, kM1, "Maximum", kMinute);
  for (Time t = at("2026-11-22T05:40:00Z"); t < at("2026-11-22T06:20:00Z"); t += kMinute)
    metrics.add_point(key, t, t < at("2026-11-22T05:55:00Z") ? 100 : 0);
}

JobSnapshot& running_job(FakeJobSource& jobs) {
  auto& j = jobs.job("nightly");
  j.status = "InProgress";
  j.submit_time = at("2026-11-22T04:00:00Z");
  j.last_modified_time = at("2026-11-22T05:00:00Z");
  j.total = j.processed = j.success = 500;
  j.errors = 0;
  return j;
}

TEST(EngineJobsDrain, WaitForJobsHoldsTheDrainUntilTheJobCompletesAndListsIt) {
  Rig rig({drained_rule(true)});
  backlog_drains_at_0555(rig.metrics);
  running_job(rig.jobs);
  // Another model's job, and one of m1 that ended long before this fill: neither is this drain's.
  auto& other = rig.jobs.job("other-model");
  other.model_id = "m2";
  other.status = "Completed";
  other.end_time = at("2026-11-22T06:01:00Z");
  auto& earlier = rig.jobs.job("earlier");
  earlier.status = "Completed";
  earlier.end_time = at("2026-11-22T03:00:00Z");

  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  ASSERT_TRUE(rig.run("2026-11-22T06:05:00Z").ok());  // zero for 8m: drained, but the job still runs
  EXPECT_EQ(rig.store->get("records-drained", "modelId=m1")->state, AlarmState::Ok);
  EXPECT_TRUE(rig.owed().empty());

  auto& j = rig.jobs.job("nightly");
  j.status = "Completed";
  j.end_time = j.last_modified_time = at("2026-11-22T06:08:00Z");
  ASSERT_TRUE(rig.run("2026-11-22T06:10:00Z").ok());
  ASSERT_TRUE(rig.run("2026-11-22T06:15:00Z").ok());
  EXPECT_EQ(rig.store->get("records-drained", "modelId=m1")->state, AlarmState::Drained);
  const auto payloads = rig.owed();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0]["NewStateValue"], "DRAINED");
  const auto& listed = payloads[0]["batchwatch"]["jobs"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["jobName"], "nightly");
  EXPECT_EQ(listed[0]["status"], "Completed");
  EXPECT_EQ(listed[0]["outputS3Uri"], "s3://out/nightly/");
  EXPECT_EQ(listed[0]["processedRecordCount"], 500);
}

TEST(EngineJobsDrain, WithoutWaitForJobsTheDrainFiresWhileTheJobRuns) {
  Rig rig({drained_rule(false)});
  backlog_drains_at_0555(rig.metrics);
  running_job(rig.jobs);
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());
  ASSERT_TRUE(rig.run("2026-11-22T06:05:00Z").ok());
  const auto payloads = rig.owed();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_TRUE(payloads[0]["batchwatch"]["jobs"].is_array());  // every drained payload has the list
  EXPECT_TRUE(payloads[0]["batchwatch"]["jobs"].empty());     // the job has not finished
}

// A list page that cannot be read: one clear error, metric rules run and commit, job states stay,
// and the job's failure is owed exactly once when a list succeeds again.
TEST(EngineJobsDrain, MalformedListKeepsJobStatesAndMetricRulesRun) {
  Rig rig({tokens_high(), job_status_rule()});
  rig.metrics.add_listing(kNs, kTokens, kM1);
  rig.metrics.add_point(series_key(kNs, kTokens, kM1, "Average", kHour), at("2026-11-22T05:00:00Z"), 1250000);
  running_job(rig.jobs);
  ASSERT_TRUE(rig.run("2026-11-22T06:00:00Z").ok());

  auto& j = rig.jobs.job("nightly");
  j.status = "Failed";
  j.end_time = at("2026-11-22T06:03:00Z");
  rig.jobs.errors[{}] = aws::malformed_response("bedrock", "ListModelInvocationJobs",
                                                "invocationJobSummaries is missing from the page");
  const auto bad = rig.run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(rig.store->get("tokens-high", "modelId=m1")->state, AlarmState::Alarm);  // metric rule committed
  EXPECT_EQ(rig.store->get("job-ended-badly", "jobName=nightly,modelId=m1")->state, AlarmState::Ok);
  EXPECT_EQ(rig.store->jobs().at(0).job.status, "InProgress");  // the view as it was
  const auto log = rig.log.text();
  EXPECT_NE(log.find("ListModelInvocationJobs failed"), std::string::npos) << log;
  EXPECT_NE(log.find("invocationJobSummaries is missing"), std::string::npos) << log;

  rig.jobs.errors.clear();
  ASSERT_TRUE(rig.run("2026-11-22T06:06:00Z").ok());  // retried at once: the last list did not succeed
  ASSERT_TRUE(rig.run("2026-11-22T06:15:00Z").ok());
  std::size_t failures = 0;
  for (const auto& p : rig.owed()) failures += p["batchwatch"]["rule"] == "job-ended-badly";
  EXPECT_EQ(failures, 1u);
  EXPECT_EQ(rig.jobs.calls.size(), 4u);
}

TEST(EngineJobsDrain, AccessDeniedNamesTheMissingActionAndMetricRulesAreUnaffected) {
  Rig rig({tokens_high(), job_status_rule()});
  rig.metrics.add_listing(kNs, kTokens, kM1);
  rig.metrics.add_point(series_key(kNs, kTokens, kM1, "Average", kHour), at("2026-11-22T05:00:00Z"), 1250000);
  auto denied = api_error("bedrock", "ListModelInvocationJobs", "AccessDeniedException");
  denied.http_status = 403;
  rig.jobs.errors[{}] = denied;
  const auto report = rig.run("2026-11-22T06:05:00Z");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(rig.store->get("tokens-high", "modelId=m1")->state, AlarmState::Alarm);
  EXPECT_EQ(rig.owed().size(), 1u);  // the metric rule's ALARM
  EXPECT_TRUE(rig.store->jobs().empty());
  const auto lines = rig.log.lines();
  std::size_t errors = 0;
  for (const auto& line : lines)
    if (line.find("bedrock:ListModelInvocationJobs") != std::string::npos) ++errors;
  EXPECT_EQ(errors, 1u) << rig.log.text();
}

}  // namespace
}  // namespace bw::agent
