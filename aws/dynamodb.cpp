#include "aws/dynamodb.hpp"

#include <fmt/format.h>

#include <charconv>

namespace bw::aws {
namespace {

constexpr std::string_view kService = "dynamodb";

const nlohmann::json* member(const nlohmann::json& item, std::string_view name, const char* type) {
  if (!item.is_object()) return nullptr;
  auto it = item.find(name);
  if (it == item.end() || !it->is_object()) return nullptr;
  auto v = it->find(type);
  return v == it->end() ? nullptr : &*v;
}

}  // namespace

nlohmann::json attr_string(std::string_view value) { return {{"S", value}}; }
nlohmann::json attr_number(std::int64_t value) { return {{"N", std::to_string(value)}}; }
nlohmann::json attr_bool(bool value) { return {{"BOOL", value}}; }

std::optional<std::string> item_string(const nlohmann::json& item, std::string_view name) {
  const auto* v = member(item, name, "S");
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<std::int64_t> item_number(const nlohmann::json& item, std::string_view name) {
  const auto* v = member(item, name, "N");
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const auto& text = v->get_ref<const std::string&>();
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return out;
}

std::optional<bool> item_bool(const nlohmann::json& item, std::string_view name) {
  const auto* v = member(item, name, "BOOL");
  if (v == nullptr || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

nlohmann::json update_item_request(const UpdateItemRequest& r) {
  nlohmann::json body{{"TableName", r.table},
                      {"Key", r.key},
                      {"UpdateExpression", r.update_expression},
                      {"ReturnValues", "ALL_NEW"}};
  if (!r.condition_expression.empty()) {
    body["ConditionExpression"] = r.condition_expression;
    body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
  }
  if (!r.names.empty()) body["ExpressionAttributeNames"] = r.names;
  if (!r.values.empty()) body["ExpressionAttributeValues"] = r.values;
  return body;
}

nlohmann::json get_item_request(std::string_view table, const nlohmann::json& key) {
  return {{"TableName", table}, {"Key", key}, {"ConsistentRead", true}};
}

nlohmann::json create_table_request(std::string_view table, std::string_view hash_key) {
  return {{"TableName", table},
          {"AttributeDefinitions", {{{"AttributeName", hash_key}, {"AttributeType", "S"}}}},
          {"KeySchema", {{{"AttributeName", hash_key}, {"KeyType", "HASH"}}}},
          {"BillingMode", "PAY_PER_REQUEST"}};
}

nlohmann::json update_time_to_live_request(std::string_view table, std::string_view attribute) {
  return {{"TableName", table}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", attribute}}}};
}

Result<std::string> parse_table_status(const nlohmann::json& response) {
  const nlohmann::json* status = nullptr;
  if (auto t = response.is_object() ? response.find("Table") : response.end(); t != response.end() && t->is_object())
    if (auto s = t->find("TableStatus"); s != t->end() && s->is_string()) status = &*s;
  if (status == nullptr) return malformed_response(kService, "DescribeTable", "response has no Table.TableStatus");
  return status->get<std::string>();
}

std::string dynamodb_denied_action(const Error& error) { return aws::denied_action(error, kService); }

Result<nlohmann::json> DynamoDbClient::call(std::string_view operation, const nlohmann::json& body) {
  return client_.call_json(kDynamoDbTarget, operation, body, kDynamoDbContentType);
}

Result<UpdateItemOutcome> DynamoDbClient::update_item(const UpdateItemRequest& request) {
  auto resp = call("UpdateItem", update_item_request(request));
  if (resp) {
    auto attributes = resp->find("Attributes");
    return UpdateItemOutcome{false, attributes == resp->end() ? nlohmann::json() : *attributes};
  }
  const Error& e = resp.error();
  if (e.kind != Error::Kind::Api || e.code != "ConditionalCheckFailedException") return e;
  UpdateItemOutcome out{true, nullptr};
  auto body = nlohmann::json::parse(e.json_body, nullptr, false);
  if (auto item = body.is_object() ? body.find("Item") : body.end(); item != body.end() && item->is_object())
    out.item = *item;
  return out;
}

Result<std::optional<nlohmann::json>> DynamoDbClient::get_item(std::string_view table, const nlohmann::json& key) {
  auto resp = call("GetItem", get_item_request(table, key));
  if (!resp) return resp.error();
  auto item = resp->find("Item");
  if (item == resp->end() || !item->is_object()) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(*item);
}

Result<std::optional<std::string>> DynamoDbClient::describe_table(std::string_view table) {
  auto resp = call("DescribeTable", nlohmann::json{{"TableName", table}});
  if (!resp) {
    if (resp.error().code == "ResourceNotFoundException") return std::optional<std::string>();
    return resp.error();
  }
  auto status = parse_table_status(resp.value());
  if (!status) return status.error();
  return std::optional<std::string>(std::move(status.value()));
}

Result<Unit> DynamoDbClient::create_table(std::string_view table, std::string_view hash_key) {
  auto resp = call("CreateTable", create_table_request(table, hash_key));
  if (!resp) return resp.error();
  return Unit{};
}

Result<Unit> DynamoDbClient::update_time_to_live(std::string_view table, std::string_view attribute) {
  auto resp = call("UpdateTimeToLive", update_time_to_live_request(table, attribute));
  if (!resp) return resp.error();
  return Unit{};
}

}  // namespace bw::aws
