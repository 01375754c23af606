// Alarm storms: the dispatcher hands an sns target its due rows ten at a time, SnsSender sends each
// ten as one PublishBatch (scripted transport), a Failed entry stays pending with backoff while the
// rest of its call is delivered, and each call's outcomes are recorded in one transaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "agent/delivery/dispatcher.hpp"
#include "agent/delivery/targets.hpp"
#include "tests/unit/agent/state/forwarding_store.hpp"
#include "tests/unit/agent/test_support.hpp"
#include "tests/unit/aws/fake_transport.hpp"

namespace bw::agent {
namespace {

using ::testing::HasSubstr;
using testing::at;

const Time kT0 = at("2026-11-22T06:05:00Z");
constexpr const char* kTopic = "arn:aws:sns:us-east-1:123456789012:ops";

// Counts how the dispatcher records outcomes: batches through mark_attempts, or row by row.
class CountingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<Unit> mark_attempts(const std::vector<Attempt>& attempts) override {
    batch_sizes.push_back(attempts.size());
    return ForwardingStore::mark_attempts(attempts);
  }
  Result<Unit> mark_delivered(std::int64_t id, Time at) override {
    ++single_marks;
    return ForwardingStore::mark_delivered(id, at);
  }
  Result<Unit> mark_retry(std::int64_t id, Time next, const std::string& error) override {
    ++single_marks;
    return ForwardingStore::mark_retry(id, next, error);
  }
  std::vector<std::size_t> batch_sizes;
  int single_marks = 0;
};

// A PublishBatch answer for entries e1..eN, all successful but those in `failed`.
std::string batch_answer(int entries, std::vector<int> failed = {}) {
  std::string ok, bad;
  for (int i = 1; i <= entries; ++i) {
    const auto id = "e" + std::to_string(i);
    if (std::find(failed.begin(), failed.end(), i) != failed.end())
      bad += "<member><Id>" + id + "</Id><Code>InternalError</Code><Message>retry me</Message>"
             "<SenderFault>false</SenderFault></member>";
    else
      ok += "<member><Id>" + id + "</Id><MessageId>msg-" + id + "</MessageId></member>";
  }
  return "<PublishBatchResponse><PublishBatchResult><Successful>" + ok + "</Successful><Failed>" + bad +
         "</Failed></PublishBatchResult></PublishBatchResponse>";
}

class SnsBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StateUpdate u;
    u.state.rule = "r";
    u.state.series = "modelId=m1";
    u.state.state = AlarmState::Alarm;
    u.state.changed_at = u.state.evaluated_at = kT0;
    for (int i = 1; i <= 12; ++i) {
      OutboxRow r;
      r.idempotency_key = "key-" + std::to_string(i);
      r.target = "ops";
      r.subject = "ALARM: \"r/modelId=m" + std::to_string(i) + "\" in us-east-1";
      r.payload = R"({"batchwatch":{"severity":"critical"}})";
      r.rule = "r";
      r.series = "modelId=m" + std::to_string(i);
      r.state = "ALARM";
      r.created_at = r.next_attempt_at = kT0;
      u.outbox.push_back(r);
    }
    ASSERT_TRUE(real_->commit({u}).ok());
    dispatcher_.add_sender("ops", std::make_unique<SnsSender>(sns_, kTopic));
  }
  OutboxRow stored(std::int64_t id) const {
    for (const auto& r : real_->outbox())
      if (r.id == id) return r;
    ADD_FAILURE() << "no outbox row " << id;
    return {};
  }
  std::string action(std::size_t request) const {
    const auto& body = h_.transport.requests.at(request).body;
    return body.substr(0, body.find('&'));
  }

  testing::TempDb db_;
  std::unique_ptr<StateStore> real_ = db_.open();
  CountingStore store_{*real_};
  testing::CapturedLog log_{LogLevel::Debug};
  aws::fake::Harness h_;
  aws::ServiceClient service_ = h_.client("sns", "http://localhost:5000", 1);
  aws::SnsClient sns_{service_};
  Dispatcher dispatcher_{store_, log_.log()};
};

TEST_F(SnsBatchTest, TwelveRowsTwoCallsAFailedEntryRetriedAloneLater) {
  h_.transport.respond(200, batch_answer(10, {4})).respond(200, batch_answer(2));
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.delivered, 11);
  EXPECT_EQ(report.retrying, 1);
  EXPECT_THAT(report.last_error, HasSubstr("InternalError: retry me"));
  ASSERT_EQ(h_.transport.requests.size(), 2u);
  EXPECT_EQ(action(0), "Action=PublishBatch");
  EXPECT_EQ(action(1), "Action=PublishBatch");
  // Each entry carries its own subject and attributes.
  EXPECT_THAT(h_.transport.requests[0].body,
              HasSubstr("PublishBatchRequestEntries.member.10.Subject=ALARM%3A+%22r%2FmodelId%3Dm10%22"));
  EXPECT_THAT(h_.transport.requests[0].body,
              HasSubstr("PublishBatchRequestEntries.member.3.MessageAttributes.entry.3.Value.StringValue=critical"));
  // One transaction per call, none row by row.
  EXPECT_EQ(store_.batch_sizes, (std::vector<std::size_t>{10, 2}));
  EXPECT_EQ(store_.single_marks, 0);

  for (std::int64_t id = 1; id <= 12; ++id) {
    const auto r = stored(id);
    EXPECT_EQ(r.attempts, 1) << id;
    if (id == 4) {
      EXPECT_EQ(r.status, "pending");
      EXPECT_EQ(r.next_attempt_at, kT0 + Dispatcher::backoff(0));
      EXPECT_EQ(r.last_error, "sns PublishBatch entry: InternalError: retry me");
    } else {
      EXPECT_EQ(r.status, "delivered") << id;
    }
  }
  // Not due again before its backoff; then it goes alone, with Publish.
  EXPECT_EQ(dispatcher_.deliver_due(kT0 + Duration{29}).delivered, 0);
  h_.transport.respond(200, "<PublishResponse><PublishResult><MessageId>m-4</MessageId></PublishResult></PublishResponse>");
  EXPECT_EQ(dispatcher_.deliver_due(kT0 + Duration{30}).delivered, 1);
  ASSERT_EQ(h_.transport.requests.size(), 3u);
  EXPECT_EQ(action(2), "Action=Publish");
  EXPECT_THAT(h_.transport.requests[2].body, HasSubstr("Subject=ALARM%3A+%22r%2FmodelId%3Dm4%22"));
  EXPECT_EQ(stored(4).status, "delivered");
  EXPECT_EQ(stored(4).attempts, 2);
}

TEST_F(SnsBatchTest, AFailedCallLeavesEveryRowOfItPending) {
  h_.transport.respond(400, "<ErrorResponse><Error><Code>AuthorizationError</Code><Message>no</Message></Error>"
                            "</ErrorResponse>")
      .respond(200, batch_answer(2));
  const auto report = dispatcher_.deliver_due(kT0);
  EXPECT_EQ(report.delivered, 2);
  EXPECT_EQ(report.retrying, 10);
  for (std::int64_t id = 1; id <= 10; ++id) {
    EXPECT_EQ(stored(id).status, "pending");
    EXPECT_THAT(stored(id).last_error, HasSubstr("AuthorizationError"));
  }
  EXPECT_EQ(stored(11).status, "delivered");
}

TEST(MarkAttempts, RecordsEachOutcomeAsTheSingleMarksDo) {
  testing::TempDb db;
  auto store = db.open();
  StateUpdate u;
  u.state.rule = "r";
  u.state.series = "s";
  for (const char* key : {"a", "b", "c"}) {
    OutboxRow r;
    r.idempotency_key = key;
    r.target = "t";
    r.created_at = r.next_attempt_at = kT0;
    u.outbox.push_back(r);
  }
  ASSERT_TRUE(store->commit({u}).ok());
  using O = StateStore::Attempt::Outcome;
  ASSERT_TRUE(store->mark_attempts({{1, O::Delivered, kT0, ""}, {2, O::Retry, kT0 + Duration{60}, "busy"},
                                    {3, O::Dead, kT0, "refused"}})
                  .ok());
  const auto rows = store->outbox();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].status, "delivered");
  EXPECT_EQ(rows[1].status, "pending");
  EXPECT_EQ(rows[1].next_attempt_at, kT0 + Duration{60});
  EXPECT_EQ(rows[1].last_error, "busy");
  EXPECT_EQ(rows[2].status, "dead");
  EXPECT_EQ(rows[2].last_error, "refused");
  for (const auto& r : rows) EXPECT_EQ(r.attempts, 1);
}

}  // namespace
}  // namespace bw::agent
