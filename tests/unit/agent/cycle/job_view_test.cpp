// The job view's bookkeeping (pure): first sight, progress points, vanishing, pruning.
#include <gtest/gtest.h>

#include "agent/cycle/job_view.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

JobSnapshot job(std::string arn, std::optional<std::int64_t> processed, std::string_view submitted) {
  JobSnapshot j;
  j.arn = std::move(arn);
  j.name = j.arn;
  j.status = "InProgress";
  j.processed = processed;
  j.submit_time = at(submitted);
  return j;
}

TEST(TrackedJobs, NewJobsAreFirstSeenNowAndOnlyChangesAreWritten) {
  TrackedJobs view;
  JobViewUpdate u1;
  view.apply({}, {job("a", 10, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:00:00Z"), u1);
  ASSERT_EQ(u1.upserts.size(), 1u);
  EXPECT_EQ(u1.upserts[0].history.first_seen, at("2026-11-22T02:00:00Z"));
  EXPECT_EQ(u1.upserts[0].history.progress.size(), 1u);

  JobViewUpdate u2;  // the same list again: nothing changed, nothing to write
  view.apply({}, {job("a", 10, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:05:00Z"), u2);
  EXPECT_TRUE(u2.empty());

  JobViewUpdate u3;
  view.apply({}, {job("a", 25, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:10:00Z"), u3);
  ASSERT_EQ(u3.upserts.size(), 1u);
  EXPECT_EQ(u3.upserts[0].history.first_seen, at("2026-11-22T02:00:00Z"));
  ASSERT_EQ(u3.upserts[0].history.progress.size(), 2u);
  EXPECT_EQ(u3.upserts[0].history.progress[1].processed, 25);
}

TEST(TrackedJobs, ProgressKeepsABoundedTail) {
  TrackedJobs view;
  Time t = at("2026-11-22T02:00:00Z");
  for (int i = 0; i < 100; ++i) {
    JobViewUpdate u;
    view.apply({}, {job("a", i, "2026-11-22T01:00:00Z")}, t + Duration{60 * i}, u);
  }
  const auto& points = view.jobs().begin()->second.history.progress;
  ASSERT_EQ(points.size(), kJobProgressPoints);
  EXPECT_EQ(points.back().processed, 99);
  EXPECT_EQ(points.front().processed, 100 - static_cast<std::int64_t>(kJobProgressPoints));
}

TEST(TrackedJobs, MissingFromItsScopesListVanishesAndComesBack) {
  TrackedJobs view;
  const JobScope prod{"prod", "us-east-1"}, dev{"dev", "us-east-1"};
  JobViewUpdate u;
  view.apply(prod, {job("a", 1, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:00:00Z"), u);
  view.apply(dev, {job("b", 1, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:00:00Z"), u);
  JobViewUpdate gone;
  view.apply(prod, {}, at("2026-11-22T02:05:00Z"), gone);  // only prod's list: dev's job stays
  ASSERT_EQ(gone.upserts.size(), 1u);
  EXPECT_EQ(gone.upserts[0].job.arn, "a");
  EXPECT_TRUE(gone.upserts[0].history.vanished);
  JobViewUpdate back;
  view.apply(prod, {job("a", 1, "2026-11-22T01:00:00Z")}, at("2026-11-22T02:10:00Z"), back);
  ASSERT_EQ(back.upserts.size(), 1u);
  EXPECT_FALSE(back.upserts[0].history.vanished);
}

TEST(TrackedJobs, PruneForgetsJobsBeyondLookbackAndOldVanishedOnes) {
  TrackedJobs view;
  JobViewUpdate u;
  view.apply({}, {job("old", 1, "2026-11-18T00:00:00Z"), job("kept", 1, "2026-11-22T00:00:00Z")},
             at("2026-11-22T02:00:00Z"), u);
  JobViewUpdate pruned;
  view.prune(at("2026-11-19T02:00:00Z"), at("2026-10-23T02:00:00Z"), pruned);
  ASSERT_EQ(pruned.removed.size(), 1u);
  EXPECT_EQ(pruned.removed[0].job.arn, "old");
  EXPECT_EQ(view.jobs().size(), 1u);
  // A vanished job last changed before the retention cutoff goes too.
  JobViewUpdate gone;
  view.apply({}, {}, at("2026-11-22T03:00:00Z"), gone);
  JobViewUpdate pruned2;
  view.prune(at("2026-11-19T02:00:00Z"), at("2026-11-22T02:30:00Z"), pruned2);
  EXPECT_EQ(pruned2.removed.size(), 1u);
  EXPECT_TRUE(view.empty());
}

}  // namespace
}  // namespace bw::agent
