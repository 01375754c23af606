#pragma once
// High availability (`ha:`): the step between the rows a Dispatcher pass would send and their
// Sender. Every replica has the same outbox rows (same idempotency keys); before a row is sent, this
// replica claims (key, target) in the shared ClaimStore, and only the rows it wins go to the Sender.
// A row another replica delivered is marked delivered here without a send; a row another replica
// holds waits until that claim lapses; a row whose claim could not be asked is not sent (fail closed:
// never notify twice) and is retried with the usual backoff.
//
// Fencing: a claim is a lease, and a peer takes it over once `until` (claim time + lease) has passed
// on the peer's clock. This replica sends only while less than half the lease has passed on its own
// clock since before it claimed, so a send that ends in time is never overtaken, with clocks skewed
// by up to the other half minus the send time. Otherwise it sends nothing, releases, and retries.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/clock.hpp"
#include "agent/delivery/claims.hpp"
#include "agent/delivery/sender.hpp"
#include "agent/log.hpp"
#include "agent/state/state_store.hpp"

namespace bw::agent {

// The `outcome` of batchwatch_claims_total. Fenced: won, then not sent because the lease was too old.
enum class ClaimOutcome { Won, PeerDelivered, PeerHeld, Failed, Fenced };
std::string_view to_string(ClaimOutcome outcome);  // won peer_delivered peer_held failed fenced

struct ClaimCounts {
  int won = 0;
  int peer_delivered = 0;
  int peer_held = 0;
  int failed = 0;
  int fenced = 0;
  int& operator[](ClaimOutcome outcome);
  int total() const { return won + peer_delivered + peer_held + failed + fenced; }
};

// What the gate decided for one batch of one target.
struct Admission {
  std::vector<OutboxRow> won;                // to send, in batch order
  std::vector<std::uint64_t> tokens;         // the fencing token held for each row of `won`
  std::vector<StateStore::Attempt> settled;  // the other rows: delivered elsewhere, deferred, or retried
  int failed = 0;                            // rows of `settled` whose claim could not be asked
  std::string last_error;                    // the last of those errors
  Time claimed_from{};                       // this replica's clock just before the first claim
};

class ClaimGate {
 public:
  using Hook = std::function<void(ClaimOutcome)>;
  // `counts` and `hook` (may be empty) are told every outcome; they outlive the gate.
  ClaimGate(ClaimStore& claims, std::string replica, Duration lease, const Clock& clock, Logger& log,
            ClaimCounts& counts, const Hook& hook);

  // Claims every row of `batch` for this replica. A row whose claim fails is due again at
  // `retry_at(row)` (an attempt is counted, so the usual backoff grows).
  Admission admit(const std::vector<OutboxRow>& batch, const std::function<Time(const OutboxRow&)>& retry_at);
  // Whether the rows `admission` won may still be sent: less than half the lease has passed on this
  // replica's clock since just before they were claimed.
  bool may_send(const Admission& admission) const;
  // The rows won too long ago to send: released, and due again at once without counting an attempt.
  std::vector<StateStore::Attempt> fence(const Admission& admission);
  // After the send, before the rows are marked here: completes each claim the target took (the
  // table then answers "done" to every other replica), releases the others so any replica may retry.
  void finish(const Admission& admission, const std::vector<Delivery>& answers);

 private:
  void count(ClaimOutcome outcome);
  // The attempt that settles a row this replica did not win, logged.
  StateStore::Attempt settle_unwon(const OutboxRow& row, const Claim& claim, Time at);
  void complete(const OutboxRow& row, std::uint64_t token);
  void release(const OutboxRow& row, std::uint64_t token);

  ClaimStore& claims_;
  std::string replica_;
  Duration lease_;
  const Clock& clock_;
  Logger& log_;
  ClaimCounts& counts_;
  const Hook& hook_;
};

}  // namespace bw::agent
