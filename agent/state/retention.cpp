#include "agent/state/retention.hpp"

#include <string>

namespace bw::agent {

void prune_expired(StateStore& store, Time now, Duration retention, Logger& log) {
  const Time cutoff = now - retention;
  const auto pruned = store.prune(cutoff, kPruneRowsPerPass);
  if (!pruned) {
    log.warn("state file not pruned; will try again next cycle", {{"error", pruned.error().describe()}});
    return;
  }
  if (pruned->history == 0 && pruned->outbox == 0) return;
  log.debug("state file pruned", {{"before", format_rfc3339(cutoff)},
                                  {"history_rows", std::to_string(pruned->history)},
                                  {"outbox_rows", std::to_string(pruned->outbox)}});
}

}  // namespace bw::agent
