#include "agent/cli/jobs_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

const Time kNow = at("2026-11-22T08:00:00Z");

JobRow row(std::string name, std::string status, Time submitted, std::optional<std::int64_t> processed,
           std::optional<std::int64_t> total) {
  JobRow r;
  r.job.arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + name;
  r.job.name = std::move(name);
  r.job.model_id = "anthropic.claude-3-haiku";
  r.job.status = std::move(status);
  r.job.submit_time = submitted;
  r.job.processed = processed;
  r.job.total = total;
  r.job.errors = 3;
  r.job.output_s3_uri = "s3://out/" + r.job.name + "/";
  return r;
}

TEST(JobsReport, NewestSubmittedFirstThenByName) {
  std::vector<JobRow> rows{row("b", "InProgress", at("2026-11-22T06:00:00Z"), 1, 2),
                           row("old", "Completed", at("2026-11-21T06:00:00Z"), 2, 2),
                           row("a", "InProgress", at("2026-11-22T06:00:00Z"), 1, 2)};
  sort_job_rows(rows);
  EXPECT_EQ(rows[0].job.name, "a");
  EXPECT_EQ(rows[1].job.name, "b");
  EXPECT_EQ(rows[2].job.name, "old");
}

TEST(JobsReport, TableShowsProgressErrorsEtaOrEndAndOutput) {
  auto running = row("nightly-42", "InProgress", at("2026-11-22T06:00:00Z"), 45'600, 100'000);
  running.eta = at("2026-11-22T10:05:00Z");
  auto done = row("nightly-41", "Completed", at("2026-11-21T06:00:00Z"), 1'000, 1'000);
  done.job.end_time = at("2026-11-21T09:30:00Z");
  auto queued = row("nightly-43", "Scheduled", at("2026-11-22T07:00:00Z"), std::nullopt, std::nullopt);
  const auto text = jobs_table({queued, running, done}, kNow);
  EXPECT_NE(text.find("JOB"), std::string::npos) << text;
  EXPECT_NE(text.find("45.6k / 100k (45.6%)"), std::string::npos) << text;
  EXPECT_NE(text.find("eta 2026-11-22T10:05Z (in 2h 5m)"), std::string::npos) << text;
  EXPECT_NE(text.find("ended 2026-11-21T09:30Z"), std::string::npos) << text;
  EXPECT_NE(text.find("s3://out/nightly-41/"), std::string::npos) << text;
  EXPECT_NE(text.find("3 job(s)"), std::string::npos) << text;
  EXPECT_EQ(text.find("ACCOUNT/REGION"), std::string::npos) << "no account column without aws.accounts";
  // Columns line up: every row's STATUS starts where the header's does.
  const auto header_end = text.find('\n');
  const auto status_col = text.find("STATUS");
  const auto second = text.substr(header_end + 1);
  EXPECT_EQ(second.find("Scheduled"), status_col) << text;
}

TEST(JobsReport, ZeroTotalAndAnEmptyList) {
  auto empty_job = row("empty", "Completed", kNow, 0, 0);
  EXPECT_NE(jobs_table({empty_job}, kNow).find("0 / 0"), std::string::npos);
  EXPECT_EQ(jobs_table({}, kNow), "no jobs submitted within jobs.lookback\n");
}

TEST(JobsReport, JsonLinesUseBedrockNamesAndEta) {
  auto running = row("nightly-42", "InProgress", at("2026-11-22T06:00:00Z"), 456, 1000);
  running.eta = at("2026-11-22T10:05:00Z");
  running.scope = {"210987654321", "us-west-2"};
  const auto j = nlohmann::json::parse(job_json_line(running));
  EXPECT_EQ(j["jobName"], "nightly-42");
  EXPECT_EQ(j["status"], "InProgress");
  EXPECT_EQ(j["processedRecordCount"], 456);
  EXPECT_EQ(j["totalRecordCount"], 1000);
  EXPECT_EQ(j["outputS3Uri"], "s3://out/nightly-42/");
  EXPECT_EQ(j["eta"], "2026-11-22T10:05:00Z");
  EXPECT_EQ(j["account"], "210987654321");
  EXPECT_EQ(j["region"], "us-west-2");
  auto done = row("nightly-41", "Completed", kNow, 1, 1);
  const auto d = nlohmann::json::parse(job_json_line(done));
  EXPECT_TRUE(d["eta"].is_null());
  EXPECT_FALSE(d.contains("account"));
}

}  // namespace
}  // namespace bw::agent
