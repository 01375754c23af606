#pragma once
// Delivers the outbox: each due row goes to its target; delivered rows are marked, failed rows are
// retried later with backoff, and rows no target can ever take are marked dead (kept, logged). A
// target whose sender takes batches (sns: PublishBatch) gets its due rows batch_limit() at a time,
// and the outcomes of each batch are recorded in one transaction.
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "agent/clock.hpp"
#include "agent/delivery/claim_gate.hpp"
#include "agent/delivery/claims.hpp"
#include "agent/delivery/sender.hpp"
#include "agent/log.hpp"
#include "agent/state/state_store.hpp"

namespace bw::agent {

struct DispatchReport {
  int delivered = 0;
  int retrying = 0;
  int dead = 0;
  int interrupted = 0;  // left owed by a cancel
  std::string last_error;
  ClaimCounts claims;  // with `ha:`: how this pass's claims went (a failed one also counts as retrying)
};

class Dispatcher {
 public:
  // outcome: "delivered", "retried", "dead" (counted on /metrics by the daemon).
  using OutcomeHook = std::function<void(const std::string& target, const std::string& outcome)>;

  Dispatcher(StateStore& store, Logger& log);
  // `max_age`: an undelivered notification older than this is marked dead (kept, logged, counted).
  void add_sender(const std::string& target, std::unique_ptr<Sender> sender, Duration max_age = Duration{86400});
  // Full jitter: the retry delay is random() × backoff(attempts); without it, backoff(attempts) exactly.
  void set_random(std::function<double()> random) { random_ = std::move(random); }
  void set_outcome_hook(OutcomeHook hook) { hook_ = std::move(hook); }
  // Told every claim outcome (counted on /metrics as batchwatch_claims_total by the daemon).
  void set_claim_hook(ClaimGate::Hook hook) { claim_hook_ = std::move(hook); }
  // At most this many retries per target per pass, so a recovered target is not hit by the whole
  // backlog at once; the rest wait for the next pass (first attempts are never held back).
  void set_retry_budget(int per_target) { retry_budget_ = per_target; }
  // High availability (`ha:`): each due row is claimed in `claims` as `replica` for `lease` before it
  // is sent, and only the replica that won it sends (claim_gate.hpp). Without this call every due
  // row is sent, as with a single agent.
  void set_claims(ClaimStore& claims, std::string replica, Duration lease);
  // Where the claims' leases are timed (the system clock by default): the daemon's clock, a fake one
  // in tests. Only the claims read it; a pass's own time is the `now` it is given.
  void set_clock(const Clock& clock) { clock_ = &clock; }

  DispatchReport deliver_due(Time now);
  // From another thread, at shutdown: cancels every sender (a hook in progress is stopped) and ends
  // the pass in progress; the rows not done stay owed.
  void cancel();
  // The earliest time a pending row is due (nullopt when none): when to wake up next.
  std::optional<Time> next_due() const;

  // Upper bound of the delay before the next attempt after `attempts` failures: 30s doubling, at
  // most 15 minutes.
  static Duration backoff(int attempts);

 private:
  struct Entry {
    std::unique_ptr<Sender> sender;
    Duration max_age{86400};
  };
  // When a failed row is tried again: backoff(attempts), with full jitter when there is a random source.
  Time retry_at(const OutboxRow& row, Time now) const;
  // Marks a row older than `max_age` dead (logged, counted); true when it did.
  bool expire_if_too_old(const OutboxRow& row, Duration max_age, Time now, DispatchReport& report);
  // The rows of this pass that go to a sender, per target, oldest first; rows too old, over the
  // retry budget or without a sender are dealt with on the way.
  std::map<std::string, std::vector<OutboxRow>> sendable(Time now, DispatchReport& report);
  // Hands one target's rows to its sender, batch_limit() at a time (each batch through `gate` when
  // there is one), and records each answer.
  void send(Sender& sender, const std::vector<OutboxRow>& rows, Time now, DispatchReport& report, ClaimGate* gate);
  // One batch with `ha:`: only the rows this replica claims go to the sender, and only while its
  // claims are fresh; the others are settled as the gate decided.
  void send_claimed(Sender& sender, ClaimGate& gate, const std::vector<OutboxRow>& batch, Time now,
                    DispatchReport& report);
  // The rows a gate settled without a send, recorded in one transaction (a failed claim is retrying).
  void record_settled(const std::vector<OutboxRow>& batch, const Admission& admission, DispatchReport& report);
  // Records what the sender answered for a batch: the rows' new status in one transaction, then the
  // report, the hook and the log of each.
  void record(const std::vector<OutboxRow>& rows, const std::vector<Delivery>& answers, Time now,
              DispatchReport& report);
  void account(const OutboxRow& row, const Delivery& d, DispatchReport& report);
  void outcome(const std::string& target, const char* what) {
    if (hook_) hook_(target, what);
  }
  StateStore& store_;
  Logger& log_;
  std::map<std::string, Entry> senders_;
  std::function<double()> random_;
  OutcomeHook hook_;
  ClaimGate::Hook claim_hook_;
  int retry_budget_ = 20;
  ClaimStore* claims_ = nullptr;
  std::string replica_;
  Duration lease_{30};
  const Clock* clock_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace bw::agent
