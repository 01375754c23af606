#include "agent/delivery/dynamo_claims.hpp"

#include <fmt/format.h>

#include <chrono>

namespace bw::agent {
namespace {

using nlohmann::json;

// owner and until are DynamoDB reserved words; the others are aliased too so no expression depends on
// the reserved-word list.
const std::map<std::string, std::string> kNames{
    {"#owner", "owner"}, {"#until", "until"}, {"#token", "token"}, {"#done", "done"}};

// The claim condition: a new item, or one not done whose claim lapsed (or was released, until = 0) or is
// this replica's own (taken before a restart). Either way the token goes up.
constexpr const char* kClaimCondition =
    "attribute_not_exists(pk) OR (#done = :false AND (#until <= :now OR #owner = :me))";
constexpr const char* kClaimUpdate =
    "SET #owner = :me, #until = :until, #done = :false, expires_at = :expires ADD #token :one";
constexpr const char* kHolderCondition = "#owner = :me AND #token = :tok";

std::int64_t epoch(Time t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

json item_key(const std::string& key, const std::string& target) {
  return {{kClaimKeyAttribute, aws::attr_string(key + "#" + target)}};
}

aws::UpdateItemRequest conditional_update(const std::string& table, json key, std::string set, std::string condition,
                                          json values) {
  aws::UpdateItemRequest r;
  r.table = table;
  r.key = std::move(key);
  r.update_expression = std::move(set);
  r.condition_expression = std::move(condition);
  // Only the aliases an expression uses may be sent (DynamoDB rejects unused ones).
  for (const auto& [alias, name] : kNames)
    if (r.update_expression.find(alias) != std::string::npos || r.condition_expression.find(alias) != std::string::npos)
      r.names.emplace(alias, name);
  r.values = std::move(values);
  return r;
}

Claim failed(std::string error) {
  Claim c;
  c.status = Claim::Status::Failed;
  c.error = std::move(error);
  return c;
}

std::string where(const aws::DynamoDbClient& client, const std::string& table) {
  return fmt::format("DynamoDB table \"{}\" in {} ({})", table, client.endpoint().region, client.endpoint().url);
}

std::string explain(const aws::DynamoDbClient& client, const std::string& table, const aws::Error& error) {
  std::string out = fmt::format("{}: {}", where(client, table), error.describe());
  if (const auto action = aws::dynamodb_denied_action(error); !action.empty())
    out += fmt::format(" (missing permission {})", action);
  return out;
}

Error ha_error(std::string message) { return Error{Error::Kind::Aws, "", std::move(message), std::nullopt}; }

}  // namespace

std::string DynamoClaimStore::describe(const aws::Error& error) const { return explain(client_, table_, error); }

Claim DynamoClaimStore::claim(const std::string& key, const std::string& target, const std::string& replica,
                              Time now, Duration lease) {
  const json values{{":me", aws::attr_string(replica)},
                    {":now", aws::attr_number(epoch(now))},
                    {":until", aws::attr_number(epoch(now + lease))},
                    {":false", aws::attr_bool(false)},
                    {":expires", aws::attr_number(epoch(now + kClaimRetention))},
                    {":one", aws::attr_number(1)}};
  auto out = client_.update_item(conditional_update(table_, item_key(key, target), kClaimUpdate, kClaimCondition, values));
  if (!out) return failed(describe(out.error()));
  if (out->condition_failed) return refused(item_key(key, target), std::move(out->item), now);
  const auto token = aws::item_number(out->item, "token");
  if (!token || *token <= 0)
    return failed(fmt::format("{}: UpdateItem answered without a token: {}", where(client_, table_), out->item.dump()));
  Claim c;
  c.status = Claim::Status::Won;
  c.token = static_cast<std::uint64_t>(*token);
  return c;
}

Claim DynamoClaimStore::refused(const json& key_item, json old_item, Time now) {
  if (old_item.is_null()) {  // the service sent no ALL_OLD item: read it (consistently) to learn who has it
    auto read = client_.get_item(table_, key_item);
    if (!read) return failed(describe(read.error()));
    if (!read.value().has_value())  // gone between the two calls (TTL): the next pass claims it afresh
      return failed(fmt::format("{}: the claim was refused but its item is gone; retrying", where(client_, table_)));
    old_item = std::move(*read.value());
  }
  Claim c;
  c.owner = aws::item_string(old_item, "owner").value_or("");
  if (aws::item_bool(old_item, "done").value_or(false)) {
    c.status = Claim::Status::DoneByPeer;
    return c;
  }
  c.status = Claim::Status::HeldByPeer;
  // A missing `until` cannot pass the condition's "lapsed" test either; try again after a short while.
  const auto until = aws::item_number(old_item, "until");
  c.held_until = until ? Time{std::chrono::seconds{*until}} : now;
  return c;
}

Result<bool> DynamoClaimStore::update_if_holder(const std::string& key, const std::string& target,
                                                const std::string& replica, std::uint64_t token,
                                                const std::string& set, json values) {
  values[":me"] = aws::attr_string(replica);
  values[":tok"] = aws::attr_number(static_cast<std::int64_t>(token));
  auto out = client_.update_item(conditional_update(table_, item_key(key, target), set, kHolderCondition, values));
  if (!out) return ha_error(describe(out.error()));
  return !out->condition_failed;
}

Result<bool> DynamoClaimStore::complete(const std::string& key, const std::string& target, const std::string& replica,
                                        std::uint64_t token, Time now) {
  return update_if_holder(key, target, replica, token, "SET #done = :true, done_at = :now, expires_at = :expires",
                          {{":true", aws::attr_bool(true)},
                           {":now", aws::attr_number(epoch(now))},
                           {":expires", aws::attr_number(epoch(now + kClaimRetention))}});
}

Result<bool> DynamoClaimStore::release(const std::string& key, const std::string& target, const std::string& replica,
                                       std::uint64_t token) {
  return update_if_holder(key, target, replica, token, "SET #until = :zero", {{":zero", aws::attr_number(0)}});
}

namespace {

// After CreateTable: DescribeTable once a second until ACTIVE, at most `max_polls` times.
Result<Unit> wait_until_active(aws::DynamoDbClient& client, const TableSetup& setup, const SleepFor& sleep) {
  std::string status = "CREATING";
  for (int poll = 0; poll < setup.max_polls; ++poll) {
    auto described = client.describe_table(setup.table);
    if (!described) return ha_error(explain(client, setup.table, described.error()));
    status = described->value_or("missing");
    if (status == "ACTIVE") return Unit{};
    sleep(Duration{1});
  }
  return ha_error(fmt::format("{}: still {} after {} s of waiting for it to become ACTIVE",
                              where(client, setup.table), status, setup.max_polls));
}

Result<Unit> create_claims_table(aws::DynamoDbClient& client, const TableSetup& setup, const SleepFor& sleep) {
  auto created = client.create_table(setup.table, kClaimKeyAttribute);
  // ResourceInUseException: another replica created it first; wait for it like our own.
  if (!created && created.error().code != "ResourceInUseException")
    return ha_error(explain(client, setup.table, created.error()));
  if (auto active = wait_until_active(client, setup, sleep); !active) return active;
  auto ttl = client.update_time_to_live(setup.table, kClaimTtlAttribute);
  // ValidationException "TimeToLive is already enabled": a replica that created it at the same time did it.
  if (!ttl && ttl.error().code != "ValidationException") return ha_error(explain(client, setup.table, ttl.error()));
  return Unit{};
}

}  // namespace

Result<Unit> ensure_claims_table(aws::DynamoDbClient& client, const TableSetup& setup, const SleepFor& sleep) {
  auto described = client.describe_table(setup.table);
  if (!described) return ha_error(explain(client, setup.table, described.error()));
  if (described->has_value()) {
    if (*described.value() == "CREATING") return wait_until_active(client, setup, sleep);
    return Unit{};
  }
  if (!setup.create)
    return ha_error(fmt::format("DynamoDB table \"{}\" does not exist in {} ({}); create it or set ha.create_table: true",
                                setup.table, client.endpoint().region, client.endpoint().url));
  return create_claims_table(client, setup, sleep);
}

}  // namespace bw::agent
