// DynamoDB over AWS JSON 1.0: request bodies and headers, a failed condition with and without the old
// item, a missing table, throttling retried, AccessDenied naming the action.
#include "aws/dynamodb.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using ::testing::ElementsAre;
using ::testing::StartsWith;

UpdateItemRequest claim_request() {
  UpdateItemRequest r;
  r.table = "batchwatch-ha";
  r.key = {{"pk", attr_string("k1#ops")}};
  r.update_expression = "SET #owner = :me";
  r.condition_expression = "attribute_not_exists(pk) OR #owner = :me";
  r.names = {{"#owner", "owner"}};
  r.values = {{":me", attr_string("a")}};
  return r;
}

struct Dynamo {
  Harness h;
  ServiceClient service = h.client("dynamodb", "http://localhost:5000");
  DynamoDbClient client{service};
  nlohmann::json sent_body(std::size_t i = 0) const { return nlohmann::json::parse(h.transport.requests.at(i).body); }
};

TEST(DynamoDbItems, AttributeValuesBuiltAndRead) {
  const nlohmann::json item{{"owner", attr_string("a")}, {"token", attr_number(42)}, {"done", attr_bool(true)},
                            {"bad", {{"N", "4x"}}}};
  EXPECT_EQ(attr_number(-3), nlohmann::json::parse(R"({"N":"-3"})"));
  EXPECT_EQ(item_string(item, "owner"), "a");
  EXPECT_EQ(item_number(item, "token"), 42);
  EXPECT_EQ(item_bool(item, "done"), true);
  EXPECT_EQ(item_number(item, "owner"), std::nullopt);  // wrong type
  EXPECT_EQ(item_number(item, "bad"), std::nullopt);
  EXPECT_EQ(item_string(item, "missing"), std::nullopt);
  EXPECT_EQ(item_bool(nlohmann::json(), "done"), std::nullopt);
}

TEST(DynamoDbUpdateItem, SignedJson10CallWithConditionAndAllNew) {
  Dynamo d;
  d.h.transport.respond(200, R"({"Attributes":{"pk":{"S":"k1#ops"},"owner":{"S":"a"},"token":{"N":"1"}}})");
  auto r = d.client.update_item(claim_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->condition_failed);
  EXPECT_EQ(item_number(r->item, "token"), 1);
  const auto& sent = d.h.transport.requests.at(0);
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Target"), "DynamoDB_20120810.UpdateItem");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
              StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/dynamodb/aws4_request, "));
  EXPECT_EQ(d.sent_body(), nlohmann::json::parse(R"({
    "TableName":"batchwatch-ha","Key":{"pk":{"S":"k1#ops"}},"UpdateExpression":"SET #owner = :me",
    "ConditionExpression":"attribute_not_exists(pk) OR #owner = :me",
    "ExpressionAttributeNames":{"#owner":"owner"},"ExpressionAttributeValues":{":me":{"S":"a"}},
    "ReturnValues":"ALL_NEW","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})"));
  EXPECT_THAT(d.h.observer.responses, ElementsAre("dynamodb UpdateItem 200"));
}

TEST(DynamoDbUpdateItem, UnconditionalUpdateSendsNoConditionMembers) {
  UpdateItemRequest r = claim_request();
  r.condition_expression.clear();
  r.names.clear();
  r.values = nlohmann::json::object();
  const auto body = update_item_request(r);
  EXPECT_FALSE(body.contains("ConditionExpression"));
  EXPECT_FALSE(body.contains("ReturnValuesOnConditionCheckFailure"));
  EXPECT_FALSE(body.contains("ExpressionAttributeNames"));
  EXPECT_FALSE(body.contains("ExpressionAttributeValues"));
}

TEST(DynamoDbUpdateItem, FailedConditionCarriesTheOldItemAndIsNotRetried) {
  Dynamo d;
  d.h.transport.respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                             R"("Message":"The conditional request failed",)"
                             R"("Item":{"pk":{"S":"k1#ops"},"owner":{"S":"b"},"done":{"BOOL":true}}})");
  auto r = d.client.update_item(claim_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->condition_failed);
  EXPECT_EQ(item_string(r->item, "owner"), "b");
  EXPECT_EQ(item_bool(r->item, "done"), true);
  EXPECT_EQ(d.h.transport.requests.size(), 1u);
  EXPECT_TRUE(d.h.sleeps.empty());
}

TEST(DynamoDbUpdateItem, FailedConditionWithoutAnItem) {
  Dynamo d;
  d.h.transport.respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                             R"("message":"The conditional request failed"})");
  auto r = d.client.update_item(claim_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->condition_failed);
  EXPECT_TRUE(r->item.is_null());
}

TEST(DynamoDbUpdateItem, ThrottlingIsRetriedThenSucceeds) {
  Dynamo d;
  d.h.transport
      .respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"})")
      .respond(400, R"({"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate exceeded"})")
      .respond(200, R"({"Attributes":{"token":{"N":"2"}}})");
  auto r = d.client.update_item(claim_request());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(item_number(r->item, "token"), 2);
  EXPECT_EQ(d.h.transport.requests.size(), 3u);
  EXPECT_EQ(d.h.sleeps.size(), 2u);
  EXPECT_THAT(d.h.observer.retries, ElementsAre("dynamodb UpdateItem", "dynamodb UpdateItem"));
}

TEST(DynamoDbUpdateItem, ThrottledBeyondTheRetriesIsAnError) {
  Dynamo d;
  for (int i = 0; i < 3; ++i)
    d.h.transport.respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded","message":"x"})");
  auto r = d.client.update_item(claim_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RequestLimitExceeded");
  EXPECT_EQ(r.error().attempts, 3);
}

TEST(DynamoDbUpdateItem, AccessDeniedNamesTheMissingAction) {
  Dynamo d;
  d.h.transport.respond(400, R"({"__type":"com.amazon.coral.service#AccessDeniedException",)"
                             R"("Message":"User: arn:aws:iam::1:user/x is not authorized to perform: dynamodb:UpdateItem"})");
  auto r = d.client.update_item(claim_request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AccessDeniedException");
  EXPECT_EQ(dynamodb_denied_action(r.error()), "dynamodb:UpdateItem");
  EXPECT_EQ(d.h.transport.requests.size(), 1u);
  Error other = r.error();
  other.code = "ValidationException";
  EXPECT_EQ(dynamodb_denied_action(other), "");
}

TEST(DynamoDbGetItem, ConsistentReadAndAnAbsentItem) {
  Dynamo d;
  d.h.transport.respond(200, R"({"Item":{"owner":{"S":"b"}}})").respond(200, "{}");
  auto found = d.client.get_item("batchwatch-ha", {{"pk", attr_string("k1#ops")}});
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(item_string(*found.value(), "owner"), "b");
  EXPECT_EQ(d.sent_body(), nlohmann::json::parse(
                               R"({"TableName":"batchwatch-ha","Key":{"pk":{"S":"k1#ops"}},"ConsistentRead":true})"));
  EXPECT_EQ(find_header(d.h.transport.requests[0].headers, "X-Amz-Target"), "DynamoDB_20120810.GetItem");
  auto absent = d.client.get_item("batchwatch-ha", {{"pk", attr_string("k2#ops")}});
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST(DynamoDbDescribeTable, StatusOrMissing) {
  Dynamo d;
  d.h.transport.respond(200, R"({"Table":{"TableName":"batchwatch-ha","TableStatus":"CREATING"}})")
      .respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
                    R"("message":"Requested resource not found: Table: batchwatch-ha not found"})")
      .respond(200, R"({"Table":{}})");
  auto creating = d.client.describe_table("batchwatch-ha");
  ASSERT_TRUE(creating.ok()) << creating.error().describe();
  EXPECT_EQ(creating.value(), std::optional<std::string>("CREATING"));
  EXPECT_EQ(d.sent_body(), nlohmann::json({{"TableName", "batchwatch-ha"}}));
  EXPECT_EQ(find_header(d.h.transport.requests[0].headers, "X-Amz-Target"), "DynamoDB_20120810.DescribeTable");
  auto missing = d.client.describe_table("batchwatch-ha");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto malformed = d.client.describe_table("batchwatch-ha");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, "MalformedResponse");
}

TEST(DynamoDbCreateTable, OneStringHashKeyOnDemand) {
  Dynamo d;
  d.h.transport.respond(200, R"({"TableDescription":{"TableStatus":"CREATING"}})");
  ASSERT_TRUE(d.client.create_table("batchwatch-ha", "pk").ok());
  EXPECT_EQ(find_header(d.h.transport.requests[0].headers, "X-Amz-Target"), "DynamoDB_20120810.CreateTable");
  EXPECT_EQ(d.sent_body(), nlohmann::json::parse(R"({"TableName":"batchwatch-ha",
    "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})"));
}

TEST(DynamoDbUpdateTimeToLive, EnablesTheAttribute) {
  Dynamo d;
  d.h.transport.respond(200, R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires_at"}})");
  ASSERT_TRUE(d.client.update_time_to_live("batchwatch-ha", "expires_at").ok());
  EXPECT_EQ(find_header(d.h.transport.requests[0].headers, "X-Amz-Target"), "DynamoDB_20120810.UpdateTimeToLive");
  EXPECT_EQ(d.sent_body(), nlohmann::json::parse(R"({"TableName":"batchwatch-ha",
    "TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires_at"}})"));
}

}  // namespace
}  // namespace bw::aws
