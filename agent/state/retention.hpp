#pragma once
// state.retention: what the daemon deletes from the state file as its clock moves on.
#include <cstddef>

#include "agent/log.hpp"
#include "agent/state/state_store.hpp"

namespace bw::agent {

// Rows one pass may delete per table: far more than any cycle writes, so pruning keeps up, yet a
// pass after a long stop (or the first after an upgrade) stays short; the rest go on later passes.
inline constexpr std::size_t kPruneRowsPerPass = 10000;

// Deletes history and finished outbox rows older than `retention` as of `now` (the daemon's clock,
// simulated or not), and logs what went. A failure is logged as a warning: the next pass tries again.
void prune_expired(StateStore& store, Time now, Duration retention, Logger& log);

}  // namespace bw::agent
