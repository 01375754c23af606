// How a cycle fails: AWS failures and state commit failures come back as the agent error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agent/cycle/engine_fixture.hpp"
#include "tests/unit/agent/state/forwarding_store.hpp"

namespace bw::agent {
namespace {

using namespace testing;  // the engine fixture and the agent test helpers

// A store whose commits fail, as on a full disk; everything else is the real (temp file) store's.
class CommitRefusingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  Result<Unit> commit(const std::vector<StateUpdate>&, const JobViewUpdate& = {}) override {
    ++commits;
    return state_error("state commit", "database or disk is full");
  }

  int commits = 0;
};

TEST_F(EngineTest, DiscoverErrorPropagatesAndWritesNothing) {
  ASSERT_TRUE(store_);
  src_.discover_error = testing::api_error("monitoring", "ListMetrics", "Throttling");
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, Error::Kind::Aws);
  ASSERT_TRUE(report.error().aws);
  EXPECT_EQ(report.error().aws->service, "monitoring");
  EXPECT_EQ(report.error().aws->operation, "ListMetrics");
  EXPECT_EQ(report.error().aws->code, "Throttling");
  // What the CLI prints after "cycle failed: " is the AWS error's own description.
  EXPECT_EQ(report.error().describe(), report.error().aws->describe());
  EXPECT_TRUE(src_.fetches.empty());
  EXPECT_TRUE(store_->all_states().empty());
}

TEST_F(EngineTest, FetchErrorPropagatesAndWritesNothing) {
  ASSERT_TRUE(store_);
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  src_.fetch_error = testing::api_error("monitoring", "GetMetricData", "InternalFailure");
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  ASSERT_TRUE(report.error().aws);
  EXPECT_EQ(report.error().aws->operation, "GetMetricData");
  EXPECT_EQ(report.error().aws->code, "InternalFailure");
  EXPECT_EQ(src_.fetches.size(), 1u);
  EXPECT_TRUE(store_->all_states().empty());
  EXPECT_TRUE(store_->outbox().empty());
}

TEST_F(EngineTest, CommitFailureIsAnError) {
  ASSERT_TRUE(store_);
  db_.exec_raw("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);
  const auto report = run(at("2026-11-22T06:05:00Z"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, Error::Kind::State);
  EXPECT_EQ(report.error().what, "state commit");
  EXPECT_FALSE(report.error().aws);
  EXPECT_NE(report.error().message.find("disk says no"), std::string::npos) << report.error().message;
  EXPECT_EQ(report.error().describe(), "state commit: " + report.error().message);
  EXPECT_TRUE(store_->all_states().empty());  // the ALARM was not half-recorded
}

TEST_F(EngineTest, CommitFailureFromTheStoreEndsTheCycleWithTheStoresError) {
  ASSERT_TRUE(store_);
  CommitRefusingStore refusing(*store_);
  Engine engine(config_, src_, log_.log(), "us-east-1");
  src_.add_point(key("m1"), at("2026-11-22T05:00:00Z"), 1250000);

  const auto report = engine.run(at("2026-11-22T06:05:00Z"), refusing, RunMode::Record);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(refusing.commits, 1);
  EXPECT_EQ(report.error().kind, Error::Kind::State);
  EXPECT_FALSE(report.error().aws);
  // The CLI logs "cycle failed: " followed by this.
  EXPECT_EQ(report.error().describe(), "state commit: database or disk is full");

  // A dry run does not commit, so the same store serves it.
  const auto dry = engine.run(at("2026-11-22T06:05:00Z"), refusing, RunMode::DryRun);
  ASSERT_TRUE(dry.ok()) << dry.error().describe();
  EXPECT_EQ(refusing.commits, 1);
  EXPECT_EQ(dry->results[0].evaluation.state, AlarmState::Alarm);
}

TEST(AgentError, AnAwsFailureDescribesItselfAsTheAwsErrorDoes) {
  auto aws = testing::api_error("monitoring", "GetMetricData", "AccessDenied");
  aws.http_status = 403;
  const auto e = aws_failure(aws);
  EXPECT_EQ(e.kind, Error::Kind::Aws);
  EXPECT_EQ(e.describe(), "monitoring GetMetricData: AccessDenied (HTTP 403): injected by the test");
  EXPECT_EQ(e.message, "injected by the test");
}

}  // namespace
}  // namespace bw::agent
