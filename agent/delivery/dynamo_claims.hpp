#pragma once
// The ClaimStore (claims.hpp) on a DynamoDB table every replica shares. One item per (idempotency key,
// target): pk (S) "<key>#<target>", owner (S), token (N, the fencing token: +1 on every successful
// claim), until (N, epoch seconds when the claim lapses, on the claimer's clock), done (BOOL), done_at (N),
// expires_at (N, the table's TTL attribute: 14 days after the last write, so the table does not grow
// forever). Each operation is one conditional UpdateItem, so two replicas can never both win.
#include <cstdint>
#include <functional>
#include <string>

#include "agent/delivery/claims.hpp"
#include "aws/dynamodb.hpp"

namespace bw::agent {

inline constexpr const char* kClaimKeyAttribute = "pk";
inline constexpr const char* kClaimTtlAttribute = "expires_at";
inline constexpr Duration kClaimRetention{14 * 86400};

class DynamoClaimStore final : public ClaimStore {
 public:
  DynamoClaimStore(aws::DynamoDbClient& client, std::string table) : client_(client), table_(std::move(table)) {}

  Claim claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
              Duration lease) override;
  Result<bool> complete(const std::string& key, const std::string& target, const std::string& replica,
                        std::uint64_t token, Time now) override;
  Result<bool> release(const std::string& key, const std::string& target, const std::string& replica,
                       std::uint64_t token) override;

  const std::string& table() const { return table_; }

 private:
  // A claim refused by its condition: who has it, from the old item (or a consistent read).
  Claim refused(const nlohmann::json& key_item, nlohmann::json old_item, Time now);
  // An update that only the holder of `token` may make; false when the condition failed (fenced).
  Result<bool> update_if_holder(const std::string& key, const std::string& target, const std::string& replica,
                                std::uint64_t token, const std::string& set, nlohmann::json values);
  // "DynamoDB table "T" (REGION, ENDPOINT): UpdateItem failed: ..." and, when denied, the missing permission.
  std::string describe(const aws::Error& error) const;

  aws::DynamoDbClient& client_;
  std::string table_;
};

// Waits used while a table is being created; injected so tests never sleep.
using SleepFor = std::function<void(Duration)>;

struct TableSetup {
  std::string table;
  bool create = false;  // ha.create_table
  int max_polls = 60;   // DescribeTable after CreateTable, one a second, until ACTIVE
};

// Makes sure the claims table is usable: DescribeTable; when missing and `create`, CreateTable (pk S HASH,
// on-demand), wait until ACTIVE (bounded), and UpdateTimeToLive on expires_at. Errors name the table, the
// region and the endpoint (the client's); a missing table without `create` says how to fix it; AccessDenied names the action.
Result<Unit> ensure_claims_table(aws::DynamoDbClient& client, const TableSetup& setup, const SleepFor& sleep);

}  // namespace bw::agent
