#pragma once
// When cycles run (pure). The first cycle runs at start; later ones when a new whole period of some
// rule has become trusted: at a period boundary + poll.delay. The next time is always computed
// from the clock after a cycle ends, so a slow or failed cycle delays the next one instead of
// stacking cycles.
#include <vector>

#include "config/config.hpp"

namespace bw::agent {

// The earliest boundary + delay strictly after `now` over every rule's period, and now + jobs.every when
// jobs are watched (now + 60s when there
// are no rules with a metric).
Time next_cycle(const config::Config& config, Time now);

// After a failed cycle: try again no later than `retry_after` (so a transient AWS error does not
// cost a whole long period), but never before the usual schedule would if that is sooner.
Time next_cycle_after_failure(const config::Config& config, Time now, Duration retry_after = Duration{30});

}  // namespace bw::agent
