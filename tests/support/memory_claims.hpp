#pragma once
// The shared claim table of `ha:` in memory, for unit tests: one item per "<key>#<target>" with the
// conditional semantics of the DynamoDB table (docs/architecture.md, "High availability"), so the
// ClaimGate and several Dispatchers sharing one store can be tested without a network:
//   claim:    attribute_not_exists(pk) OR (done = false AND (until <= now OR owner = me))
//             -> owner = me, token + 1, until = now + lease, expires_at = now + 14 days
//   complete: owner = me AND token = tok -> done = true, done_at = now
//   release:  owner = me AND token = tok -> until = 0
// `failing` makes every call fail as a throttled or unreachable table would.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/delivery/claims.hpp"

namespace bw::agent::testing {

class MemoryClaimStore final : public ClaimStore {
 public:
  struct Item {
    std::string owner;
    std::uint64_t token = 0;
    Time until{};
    bool done = false;
    Time done_at{};
    Time expires_at{};
  };

  Claim claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
              Duration lease) override {
    ++calls;
    if (failing) return Claim{Claim::Status::Failed, 0, "", {}, failure("UpdateItem")};
    auto [it, fresh] = items_.try_emplace(key + "#" + target);
    Item& item = it->second;
    if (fresh || (!item.done && (item.until <= now || item.owner == replica))) {
      item.owner = replica;
      item.token += 1;
      item.until = now + lease;
      item.expires_at = now + Duration{14 * 86400};
      return Claim{Claim::Status::Won, item.token, "", {}, ""};
    }
    if (item.done) return Claim{Claim::Status::DoneByPeer, 0, item.owner, {}, ""};
    return Claim{Claim::Status::HeldByPeer, 0, item.owner, item.until, ""};
  }

  Result<bool> complete(const std::string& key, const std::string& target, const std::string& replica,
                        std::uint64_t token, Time now) override {
    ++calls;
    if (failing) return state_error("claims", failure("UpdateItem"));
    Item* item = held(key, target, replica, token);
    if (!item) return false;
    item->done = true;
    item->done_at = now;
    return true;
  }

  Result<bool> release(const std::string& key, const std::string& target, const std::string& replica,
                       std::uint64_t token) override {
    ++calls;
    if (failing) return state_error("claims", failure("UpdateItem"));
    Item* item = held(key, target, replica, token);
    if (!item) return false;
    item->until = Time{};
    return true;
  }

  std::optional<Item> item(const std::string& key, const std::string& target) const {
    auto it = items_.find(key + "#" + target);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }

  bool failing = false;
  int calls = 0;

 private:
  // The item when `replica` holds it with `token` (the condition of complete and release), else null.
  Item* held(const std::string& key, const std::string& target, const std::string& replica, std::uint64_t token) {
    auto it = items_.find(key + "#" + target);
    if (it == items_.end() || it->second.owner != replica || it->second.token != token) return nullptr;
    return &it->second;
  }
  static std::string failure(const char* operation) {
    return std::string("DynamoDB table memory-claims: ") + operation +
           " failed: ProvisionedThroughputExceededException (retries exhausted)";
  }
  std::map<std::string, Item> items_;
};

}  // namespace bw::agent::testing
