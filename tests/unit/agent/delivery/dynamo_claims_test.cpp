// DynamoClaimStore over a scripted DynamoDB: the item layout and conditions it sends, every Claim status
// from the answers, complete/release fenced by the token, and the table's setup at start.
#include "agent/delivery/dynamo_claims.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/aws/fake_transport.hpp"

namespace bw::agent {
namespace {

using aws::fake::Harness;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = aws::fake::kT0;
const Time now = Time{std::chrono::seconds{kNow}};

std::string condition_failed(const std::string& item = "") {
  return R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"failed")" +
         (item.empty() ? std::string() : R"(,"Item":)" + item) + "}";
}

struct Store {
  Harness h;
  aws::ServiceClient service = h.client("dynamodb", "http://127.0.0.1:4566");
  aws::DynamoDbClient client{service};
  DynamoClaimStore store{client, "batchwatch-ha"};
  std::vector<Duration> slept;
  SleepFor sleep = [this](Duration d) { slept.push_back(d); };
  json body(std::size_t i) const { return json::parse(h.transport.requests.at(i).body); }
  std::string target(std::size_t i) const {
    return std::string(aws::find_header(h.transport.requests.at(i).headers, "X-Amz-Target"));
  }
};

TEST(DynamoClaim, WonSendsTheItemLayoutAndTheConditionAndTakesTheToken) {
  Store s;
  s.h.transport.respond(200, R"({"Attributes":{"pk":{"S":"k1#ops"},"owner":{"S":"a"},"token":{"N":"3"}}})");
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  ASSERT_EQ(c.status, Claim::Status::Won) << c.error;
  EXPECT_EQ(c.token, 3u);
  EXPECT_EQ(s.target(0), "DynamoDB_20120810.UpdateItem");
  EXPECT_EQ(s.body(0), json::parse(R"j({
    "TableName":"batchwatch-ha","Key":{"pk":{"S":"k1#ops"}},
    "UpdateExpression":"SET #owner = :me, #until = :until, #done = :false, expires_at = :expires ADD #token :one",
    "ConditionExpression":"attribute_not_exists(pk) OR (#done = :false AND (#until <= :now OR #owner = :me))",
    "ExpressionAttributeNames":{"#owner":"owner","#until":"until","#token":"token","#done":"done"},
    "ExpressionAttributeValues":{":me":{"S":"a"},":now":{"N":"1768471200"},":until":{"N":"1768471230"},
      ":false":{"BOOL":false},":expires":{"N":"1769680800"},":one":{"N":"1"}},
    "ReturnValues":"ALL_NEW","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j"));
}

TEST(DynamoClaim, DoneItemIsDoneByPeer) {
  Store s;
  s.h.transport.respond(400, condition_failed(R"({"owner":{"S":"b"},"done":{"BOOL":true},"until":{"N":"1"}})"));
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  EXPECT_EQ(c.status, Claim::Status::DoneByPeer);
  EXPECT_EQ(c.owner, "b");
  EXPECT_EQ(s.h.transport.requests.size(), 1u);  // the old item came back: no second read
}

TEST(DynamoClaim, UnexpiredPeerClaimIsHeldByPeerUntilItsLease) {
  Store s;
  s.h.transport.respond(400, condition_failed(R"({"owner":{"S":"b"},"done":{"BOOL":false},"until":{"N":"1768471215"}})"));
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  EXPECT_EQ(c.status, Claim::Status::HeldByPeer);
  EXPECT_EQ(c.owner, "b");
  EXPECT_EQ(c.held_until, now + Duration{15});
}

TEST(DynamoClaim, WithoutTheOldItemAConsistentReadSaysWhoHasIt) {
  Store s;
  s.h.transport.respond(400, condition_failed())
      .respond(200, R"({"Item":{"owner":{"S":"c"},"done":{"BOOL":true}}})");
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  EXPECT_EQ(c.status, Claim::Status::DoneByPeer);
  EXPECT_EQ(c.owner, "c");
  EXPECT_EQ(s.target(1), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(s.body(1), json::parse(R"({"TableName":"batchwatch-ha","Key":{"pk":{"S":"k1#ops"}},"ConsistentRead":true})"));
}

TEST(DynamoClaim, ThrottledBeyondRetriesFailsNamingTheTable) {
  Store s;
  for (int i = 0; i < 3; ++i)
    s.h.transport.respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"x"})");
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  EXPECT_EQ(c.status, Claim::Status::Failed);
  EXPECT_THAT(c.error, HasSubstr("DynamoDB table \"batchwatch-ha\" in us-east-1 (http://127.0.0.1:4566)"));
  EXPECT_THAT(c.error, HasSubstr("UpdateItem: ProvisionedThroughputExceededException"));
}

TEST(DynamoClaim, AccessDeniedFailsNamingThePermission) {
  Store s;
  s.h.transport.respond(400, R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"})");
  const Claim c = s.store.claim("k1", "ops", "a", now, Duration{30});
  EXPECT_EQ(c.status, Claim::Status::Failed);
  EXPECT_THAT(c.error, HasSubstr("missing permission dynamodb:UpdateItem"));
}

TEST(DynamoClaim, AnUnreachableTableFails) {
  Store s;
  for (int i = 0; i < 3; ++i) s.h.transport.fail("CouldNotConnect", "connection refused");
  EXPECT_EQ(s.store.claim("k1", "ops", "a", now, Duration{30}).status, Claim::Status::Failed);
}

TEST(DynamoComplete, MarksDoneOnlyForTheHolderOfTheToken) {
  Store s;
  s.h.transport.respond(200, R"({"Attributes":{}})").respond(400, condition_failed(R"({"owner":{"S":"b"}})"));
  auto done = s.store.complete("k1", "ops", "a", 3, now);
  ASSERT_TRUE(done.ok()) << done.error().describe();
  EXPECT_TRUE(done.value());
  EXPECT_EQ(s.body(0), json::parse(R"({
    "TableName":"batchwatch-ha","Key":{"pk":{"S":"k1#ops"}},
    "UpdateExpression":"SET #done = :true, done_at = :now, expires_at = :expires",
    "ConditionExpression":"#owner = :me AND #token = :tok",
    "ExpressionAttributeNames":{"#owner":"owner","#token":"token","#done":"done"},
    "ExpressionAttributeValues":{":true":{"BOOL":true},":now":{"N":"1768471200"},":expires":{"N":"1769680800"},
      ":me":{"S":"a"},":tok":{"N":"3"}},
    "ReturnValues":"ALL_NEW","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})"));
  auto fenced = s.store.complete("k1", "ops", "a", 3, now);
  ASSERT_TRUE(fenced.ok());
  EXPECT_FALSE(fenced.value());
}

TEST(DynamoRelease, LetsTheClaimLapseAtOnceForTheHolder) {
  Store s;
  s.h.transport.respond(200, "{}").respond(500, R"({"__type":"InternalServerError","message":"x"})");
  auto released = s.store.release("k1", "ops", "a", 4);
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(released.value());
  EXPECT_EQ(s.body(0)["UpdateExpression"], "SET #until = :zero");
  EXPECT_EQ(s.body(0)["ExpressionAttributeNames"], json::parse(R"({"#owner":"owner","#token":"token","#until":"until"})"));
  EXPECT_EQ(s.body(0)["ExpressionAttributeValues"], json::parse(R"({":zero":{"N":"0"},":me":{"S":"a"},":tok":{"N":"4"}})"));
  for (int i = 0; i < 2; ++i) s.h.transport.respond(500, R"({"__type":"InternalServerError","message":"x"})");
  auto broken = s.store.release("k1", "ops", "a", 4);
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().describe(), HasSubstr("DynamoDB table \"batchwatch-ha\""));
}

constexpr const char* kNotFound =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Table not found"})";

TEST(EnsureClaimsTable, AnExistingTableIsUsedAsItIs) {
  Store s;
  s.h.transport.respond(200, R"({"Table":{"TableStatus":"ACTIVE"}})");
  ASSERT_TRUE(ensure_claims_table(s.client, {"batchwatch-ha", false}, s.sleep).ok());
  EXPECT_EQ(s.h.transport.requests.size(), 1u);
}

TEST(EnsureClaimsTable, MissingWithoutCreateIsAnErrorSayingHowToFixIt) {
  Store s;
  s.h.transport.respond(400, kNotFound);
  auto r = ensure_claims_table(s.client, {"batchwatch-ha", false}, s.sleep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().describe(),
            "DynamoDB table \"batchwatch-ha\" does not exist in us-east-1 (http://127.0.0.1:4566); create it or set "
            "ha.create_table: true");
}

TEST(EnsureClaimsTable, MissingWithCreateCreatesWaitsUntilActiveAndTurnsOnTtl) {
  Store s;
  s.h.transport.respond(400, kNotFound)
      .respond(200, R"({"TableDescription":{"TableStatus":"CREATING"}})")
      .respond(200, R"({"Table":{"TableStatus":"CREATING"}})")
      .respond(200, R"({"Table":{"TableStatus":"ACTIVE"}})")
      .respond(200, R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires_at"}})");
  auto r = ensure_claims_table(s.client, {"batchwatch-ha", true}, s.sleep);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  std::vector<std::string> ops;
  for (std::size_t i = 0; i < s.h.transport.requests.size(); ++i) ops.push_back(s.target(i));
  EXPECT_THAT(ops, ::testing::ElementsAre("DynamoDB_20120810.DescribeTable", "DynamoDB_20120810.CreateTable",
                                          "DynamoDB_20120810.DescribeTable", "DynamoDB_20120810.DescribeTable",
                                          "DynamoDB_20120810.UpdateTimeToLive"));
  EXPECT_EQ(s.body(1)["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(s.body(4)["TimeToLiveSpecification"]["AttributeName"], "expires_at");
  EXPECT_EQ(s.slept, std::vector<Duration>{Duration{1}});
}

TEST(EnsureClaimsTable, ATableThatNeverBecomesActiveIsAnError) {
  Store s;
  s.h.transport.respond(400, kNotFound).respond(200, "{}");
  for (int i = 0; i < 3; ++i) s.h.transport.respond(200, R"({"Table":{"TableStatus":"CREATING"}})");
  TableSetup setup{"batchwatch-ha", true};
  setup.max_polls = 3;
  auto r = ensure_claims_table(s.client, setup, s.sleep);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("still CREATING after 3 s"));
  EXPECT_EQ(s.slept.size(), 3u);
}

TEST(EnsureClaimsTable, AccessDeniedNamesTheAction) {
  Store s;
  s.h.transport.respond(400, kNotFound)
      .respond(400, R"({"__type":"com.amazon.coral.service#AccessDeniedException","Message":"not authorized"})");
  auto r = ensure_claims_table(s.client, {"batchwatch-ha", true}, s.sleep);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("missing permission dynamodb:CreateTable"));
  EXPECT_THAT(r.error().describe(), HasSubstr("DynamoDB table \"batchwatch-ha\" in us-east-1"));
}

TEST(EnsureClaimsTable, APeerCreatingItFirstIsFine) {
  Store s;
  s.h.transport.respond(400, kNotFound)
      .respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"exists"})")
      .respond(200, R"({"Table":{"TableStatus":"ACTIVE"}})")
      .respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"TimeToLive is already enabled"})");
  ASSERT_TRUE(ensure_claims_table(s.client, {"batchwatch-ha", true}, s.sleep).ok());
}

}  // namespace
}  // namespace bw::agent
