#include "agent/delivery/claim_gate.hpp"

namespace bw::agent {

std::string_view to_string(ClaimOutcome outcome) {
  switch (outcome) {
    case ClaimOutcome::Won: return "won";
    case ClaimOutcome::PeerDelivered: return "peer_delivered";
    case ClaimOutcome::PeerHeld: return "peer_held";
    case ClaimOutcome::Failed: return "failed";
    case ClaimOutcome::Fenced: return "fenced";
  }
  return "unknown";
}

int& ClaimCounts::operator[](ClaimOutcome outcome) {
  switch (outcome) {
    case ClaimOutcome::Won: return won;
    case ClaimOutcome::PeerDelivered: return peer_delivered;
    case ClaimOutcome::PeerHeld: return peer_held;
    case ClaimOutcome::Failed: return failed;
    case ClaimOutcome::Fenced: break;
  }
  return fenced;
}

ClaimGate::ClaimGate(ClaimStore& claims, std::string replica, Duration lease, const Clock& clock, Logger& log,
                     ClaimCounts& counts, const Hook& hook)
    : claims_(claims), replica_(std::move(replica)), lease_(lease), clock_(clock), log_(log), counts_(counts),
      hook_(hook) {}

void ClaimGate::count(ClaimOutcome outcome) {
  ++counts_[outcome];
  if (hook_) hook_(outcome);
}

Admission ClaimGate::admit(const std::vector<OutboxRow>& batch,
                           const std::function<Time(const OutboxRow&)>& retry_at) {
  Admission out;
  // Read before the first request: the lease this replica relies on counts from here, so a slow
  // claim (a DynamoDB retry) shortens the time left to send instead of silently extending it.
  out.claimed_from = clock_.now();
  for (const auto& row : batch) {
    const auto claim = claims_.claim(row.idempotency_key, row.target, replica_, out.claimed_from, lease_);
    if (claim.status == Claim::Status::Won) {
      count(ClaimOutcome::Won);
      out.won.push_back(row);
      out.tokens.push_back(claim.token);
      continue;
    }
    const bool failed = claim.status == Claim::Status::Failed;
    if (failed) {
      out.failed++;
      out.last_error = claim.error;
    }
    out.settled.push_back(settle_unwon(row, claim, failed ? retry_at(row) : out.claimed_from));
  }
  return out;
}

// `at`: when the row was settled, or for a failed claim, when to try again.
StateStore::Attempt ClaimGate::settle_unwon(const OutboxRow& row, const Claim& claim, Time at) {
  using O = StateStore::Attempt::Outcome;
  switch (claim.status) {
    case Claim::Status::DoneByPeer:
      count(ClaimOutcome::PeerDelivered);
      log_.info("notification delivered by another replica; not sent here",
                {{"target", row.target}, {"key", row.idempotency_key}, {"replica", claim.owner}});
      return {row.id, O::DeliveredElsewhere, at, "delivered by replica " + claim.owner};
    case Claim::Status::HeldByPeer:
      count(ClaimOutcome::PeerHeld);
      log_.debug("notification held by another replica; asked again when its claim lapses",
                 {{"target", row.target},
                  {"key", row.idempotency_key},
                  {"replica", claim.owner},
                  {"until", format_rfc3339(claim.held_until)}});
      // A second after: `until` is the holder's deadline, and the claim is free only once it has passed.
      return {row.id, O::Deferred, claim.held_until + Duration{1},
              "held by replica " + claim.owner + " until " + format_rfc3339(claim.held_until)};
    case Claim::Status::Won:
    case Claim::Status::Failed: break;
  }
  count(ClaimOutcome::Failed);
  log_.error("notification not sent: its claim could not be made, and an unclaimed row is never sent; will retry",
             {{"target", row.target}, {"key", row.idempotency_key}, {"error", claim.error}});
  return {row.id, O::Retry, at, claim.error};
}

bool ClaimGate::may_send(const Admission& admission) const {
  return clock_.now() < admission.claimed_from + lease_ / 2;
}

std::vector<StateStore::Attempt> ClaimGate::fence(const Admission& admission) {
  std::vector<StateStore::Attempt> out;
  const Time now = clock_.now();
  const auto note = "claim older than half its lease (" + format_duration(lease_) + ") before the send; not sent";
  for (std::size_t i = 0; i < admission.won.size(); ++i) {
    const auto& row = admission.won[i];
    count(ClaimOutcome::Fenced);
    log_.warn("notification not sent: this replica's claim is too old to send safely; will retry",
              {{"target", row.target},
               {"key", row.idempotency_key},
               {"claimed_at", format_rfc3339(admission.claimed_from)},
               {"lease", format_duration(lease_)}});
    release(row, admission.tokens[i]);
    out.push_back({row.id, StateStore::Attempt::Outcome::Deferred, now, note});
  }
  return out;
}

void ClaimGate::finish(const Admission& admission, const std::vector<Delivery>& answers) {
  for (std::size_t i = 0; i < admission.won.size() && i < answers.size(); ++i) {
    if (answers[i].outcome == Delivery::Outcome::Delivered) complete(admission.won[i], admission.tokens[i]);
    else release(admission.won[i], admission.tokens[i]);
  }
}

void ClaimGate::complete(const OutboxRow& row, std::uint64_t token) {
  const auto done = claims_.complete(row.idempotency_key, row.target, replica_, token, clock_.now());
  if (!done)
    log_.error("notification delivered, but its claim could not be marked done: another replica may deliver it "
               "again (same idempotency key) once the lease lapses",
               {{"target", row.target}, {"key", row.idempotency_key}, {"error", done.error().describe()}});
  else if (!done.value())
    // The one documented window of a repeat: the send outlasted the lease and a peer took over.
    log_.error("delivered after losing the claim: another replica may deliver it again (same idempotency key)",
               {{"target", row.target}, {"key", row.idempotency_key}, {"replica", replica_}});
}

void ClaimGate::release(const OutboxRow& row, std::uint64_t token) {
  const auto released = claims_.release(row.idempotency_key, row.target, replica_, token);
  if (!released)
    log_.warn("claim not released; other replicas wait for its lease to lapse",
              {{"target", row.target}, {"key", row.idempotency_key}, {"error", released.error().describe()}});
}

}  // namespace bw::agent
