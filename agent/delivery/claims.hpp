#pragma once
// High availability (`ha:`): every replica evaluates on its own (its own SQLite state file), and a
// notification is delivered by the one replica that claims it in a table every replica shares
// (DynamoDB). The claim is keyed by (idempotency_key, target); the idempotency key is the same on
// every replica for the same transition (it is made of the rule, the labels, the state and the
// evaluated period, not of the wall clock), so the replicas compete for the same item.
//
// A claim is a lease with a fencing token: the winner may deliver until its lease lapses; another
// replica may take a lapsed claim over (the token goes up), after which the old holder's complete()
// fails and it never delivers (ClaimGate checks its own lease before each send). docs/architecture.md
// ("High availability") has the failure analysis.
#include <cstdint>
#include <string>

#include "agent/error.hpp"
#include "rules/time.hpp"

namespace bw::agent {

struct Claim {
  enum class Status {
    Won,         // this replica holds it: deliver, then complete() (or release() if not delivered)
    DoneByPeer,  // delivered already (by `owner`): mark the local row delivered, send nothing
    HeldByPeer,  // `owner` holds an unexpired claim until `held_until` (its clock): try again then
    Failed,      // the table could not be asked (throttled beyond retries, unreachable, denied): send nothing
  };
  Status status = Status::Failed;
  std::uint64_t token = 0;  // Won: the fencing token this replica now holds
  std::string owner;        // DoneByPeer / HeldByPeer: the replica that has it
  Time held_until{};        // HeldByPeer: when that claim lapses
  std::string error;        // Failed: what went wrong, naming the table and the operation
};

// The shared table of claims. Implementations: DynamoClaimStore (agent/delivery/dynamo_claims.*),
// and an in-memory one with the same conditional semantics for unit tests (tests/support).
class ClaimStore {
 public:
  virtual ~ClaimStore() = default;
  // Takes the claim for `replica` until now + lease, unless it is done or another replica holds it
  // unexpired at `now` (this replica's clock). Taking over a lapsed or released claim raises the token.
  virtual Claim claim(const std::string& key, const std::string& target, const std::string& replica, Time now,
                      Duration lease) = 0;
  // Delivered: marks it done if `replica` still holds `token`. false: the claim was taken over (fenced).
  virtual Result<bool> complete(const std::string& key, const std::string& target, const std::string& replica,
                                std::uint64_t token, Time now) = 0;
  // Not delivered (to be retried, or refused here for good): lets any replica claim it at once, if
  // `replica` still holds `token`.
  virtual Result<bool> release(const std::string& key, const std::string& target, const std::string& replica,
                               std::uint64_t token) = 0;
};

}  // namespace bw::agent
