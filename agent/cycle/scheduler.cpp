#include "agent/cycle/scheduler.hpp"

namespace bw::agent {

Time next_cycle(const config::Config& cfg, Time now) {
  std::optional<Time> next;
  for (const auto& rule : cfg.rules) {
    if (std::holds_alternative<CompositeSpec>(rule.spec) || rule.is_job_rule()) continue;  // no metric period
    const auto p = rule.metric.period;
    Time t = period_floor(now - cfg.poll.delay, p) + p + cfg.poll.delay;
    if (!next || t < *next) next = t;
  }
  return next.value_or(now + Duration{60});
}

Time next_cycle_after_failure(const config::Config& cfg, Time now, Duration retry_after) {
  return std::min(next_cycle(cfg, now), now + retry_after);
}

}  // namespace bw::agent
