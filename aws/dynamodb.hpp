#pragma once
// DynamoDB over the AWS JSON 1.0 protocol, typed only as far as the HA claims need (agent/delivery/
// dynamo_claims.*): conditional UpdateItem, consistent GetItem, and the table's setup (DescribeTable,
// CreateTable, UpdateTimeToLive). Items and attribute values stay in DynamoDB's own JSON form
// ({"pk":{"S":"k"},"token":{"N":"3"}}); the helpers below build and read the few types we use.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"

namespace bw::aws {

inline constexpr std::string_view kDynamoDbTarget = "DynamoDB_20120810";
inline constexpr std::string_view kDynamoDbContentType = "application/x-amz-json-1.0";

// Attribute values: {"S": text}, {"N": "digits"}, {"BOOL": b}.
nlohmann::json attr_string(std::string_view value);
nlohmann::json attr_number(std::int64_t value);
nlohmann::json attr_bool(bool value);
// The member `name` of an item as that type; nullopt when absent or of another type.
std::optional<std::string> item_string(const nlohmann::json& item, std::string_view name);
std::optional<std::int64_t> item_number(const nlohmann::json& item, std::string_view name);
std::optional<bool> item_bool(const nlohmann::json& item, std::string_view name);

struct UpdateItemRequest {
  std::string table;
  nlohmann::json key;                          // {"pk":{"S":"..."}}
  std::string update_expression;               // "SET #owner = :me ..."
  std::string condition_expression;            // "" = unconditional
  std::map<std::string, std::string> names;    // "#owner" -> "owner" (owner, until are reserved words)
  nlohmann::json values = nlohmann::json::object();  // ":me" -> {"S":"a"}
};

// A failed condition is an answer, not an error: the caller learns who holds the item.
struct UpdateItemOutcome {
  bool condition_failed = false;
  // Updated: the item after the update (ReturnValues ALL_NEW). Condition failed: the item as it was
  // (ReturnValuesOnConditionCheckFailure ALL_OLD), or null when the service sent none back.
  nlohmann::json item;
};

// Pure halves of the protocol, tested without a network.
nlohmann::json update_item_request(const UpdateItemRequest& request);
nlohmann::json get_item_request(std::string_view table, const nlohmann::json& key);
nlohmann::json create_table_request(std::string_view table, std::string_view hash_key);
nlohmann::json update_time_to_live_request(std::string_view table, std::string_view attribute);
// DescribeTable's Table.TableStatus: CREATING, ACTIVE, UPDATING, DELETING, ...
Result<std::string> parse_table_status(const nlohmann::json& response);

// The IAM action an AccessDenied answer to a DynamoDB call names ("dynamodb:UpdateItem"), so the agent can
// say which permission is missing; "" for any other error.
std::string dynamodb_denied_action(const Error& error);

class DynamoDbClient {
 public:
  explicit DynamoDbClient(ServiceClient& client) : client_(client) {}

  // A ConditionalCheckFailedException is UpdateItemOutcome::condition_failed; every other failure
  // (throttling retried first, by ServiceClient) is an Error.
  Result<UpdateItemOutcome> update_item(const UpdateItemRequest& request);
  // ConsistentRead; nullopt when there is no such item.
  Result<std::optional<nlohmann::json>> get_item(std::string_view table, const nlohmann::json& key);
  // The table's status; nullopt when it does not exist (ResourceNotFoundException).
  Result<std::optional<std::string>> describe_table(std::string_view table);
  // One string hash key, on-demand billing. A table that already exists is an Error ResourceInUseException.
  Result<Unit> create_table(std::string_view table, std::string_view hash_key);
  // Expires items at the epoch seconds in `attribute`.
  Result<Unit> update_time_to_live(std::string_view table, std::string_view attribute);

  const Endpoint& endpoint() const { return client_.endpoint(); }

 private:
  Result<nlohmann::json> call(std::string_view operation, const nlohmann::json& body);
  ServiceClient& client_;
};

}  // namespace bw::aws
