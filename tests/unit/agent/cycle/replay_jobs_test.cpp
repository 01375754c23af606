// Job snapshots in replay files: read as Bedrock's own answer, listed as Bedrock would have listed
// them at the step being replayed.
#include <gtest/gtest.h>

#include "agent/cycle/replay_source.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

std::string snapshot(const std::string& name, const std::string& status, const std::string& observed,
                     const std::string& submitted = "2026-11-22T00:00:00Z") {
  return R"({"job": {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/)" + name +
         R"(", "jobName": ")" + name + R"(", "modelId": "m1", "status": ")" + status + R"(", "submitTime": ")" +
         submitted + R"(", "processedRecordCount": 5, "totalRecordCount": 10}, "observed": ")" + observed + R"("})";
}

TEST(ReplayJobs, EachListHasEveryJobsNewestSnapshotAtTheStep) {
  ReplaySource replay;
  std::string error;
  ASSERT_TRUE(replay.add_line(snapshot("a", "InProgress", "2026-11-22T01:00:00Z"), error)) << error;
  ASSERT_TRUE(replay.add_line(snapshot("a", "Failed", "2026-11-22T02:00:00Z"), error)) << error;
  ASSERT_TRUE(replay.add_line(snapshot("b", "Scheduled", "2026-11-22T01:30:00Z"), error)) << error;
  EXPECT_EQ(replay.job_snapshots(), 3u);
  EXPECT_EQ(replay.size(), 0u);  // no datapoints
  EXPECT_EQ(*replay.first(), at("2026-11-22T01:00:00Z"));
  EXPECT_EQ(*replay.last(), at("2026-11-22T02:00:00Z"));

  EXPECT_TRUE(replay.jobs_at(at("2026-11-22T00:59:59Z"), at("2026-11-21T00:00:00Z")).empty());
  auto early = replay.jobs_at(at("2026-11-22T01:00:00Z"), at("2026-11-21T00:00:00Z"));
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].name, "a");
  EXPECT_EQ(early[0].status, "InProgress");
  EXPECT_EQ(early[0].processed, 5);

  Time cursor = at("2026-11-22T03:00:00Z");
  ReplayJobSource source(replay, cursor);
  auto listings = source.list_jobs(at("2026-11-21T00:00:00Z"));
  ASSERT_EQ(listings.size(), 1u);
  ASSERT_TRUE(listings[0].jobs.ok());
  ASSERT_EQ(listings[0].jobs.value().size(), 2u);
  EXPECT_EQ(listings[0].jobs.value()[0].status, "Failed");  // a's newest
  EXPECT_EQ(listings[0].jobs.value()[1].status, "Scheduled");
  // submitTimeAfter is strict, as Bedrock's.
  EXPECT_TRUE(source.list_jobs(at("2026-11-22T00:00:00Z")).at(0).jobs.value().empty());
}

TEST(ReplayJobs, MalformedSnapshotsNameWhatIsWrong) {
  ReplaySource replay;
  std::string error;
  EXPECT_FALSE(replay.add_line(R"({"job": {"jobArn": "x"}})", error));
  EXPECT_NE(error.find("observed"), std::string::npos) << error;
  EXPECT_FALSE(replay.add_line(R"({"job": 3, "observed": "2026-11-22T01:00:00Z"})", error));
  EXPECT_NE(error.find("\"job\" must be an object"), std::string::npos) << error;
  EXPECT_FALSE(replay.add_line(R"({"job": {"jobName": "no-arn"}, "observed": "2026-11-22T01:00:00Z"})", error));
  EXPECT_NE(error.find("jobArn"), std::string::npos) << error;
  EXPECT_FALSE(replay.add_line(
      R"({"job": {"jobArn": "a", "totalRecordCount": "many"}, "observed": "2026-11-22T01:00:00Z"})", error));
  EXPECT_NE(error.find("totalRecordCount"), std::string::npos) << error;
  EXPECT_EQ(replay.job_snapshots(), 0u);
}

}  // namespace
}  // namespace bw::agent
