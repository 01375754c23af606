#include "agent/cycle/rule_inputs.hpp"

#include <type_traits>

namespace bw::agent {

int periods_in(Duration d, Duration period) {
  const auto n = (d.count() + period.count() - 1) / period.count();
  return static_cast<int>(std::max<std::int64_t>(n, 1));
}

std::vector<InputSpec> rule_inputs(const config::Rule& rule, Duration lookback) {
  const auto& m = rule.metric;
  InputSpec primary{Role::Primary, m.name, m.stat, m.period, 1, Duration{0}};
  return std::visit(
      [&](const auto& spec) -> std::vector<InputSpec> {
        using S = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<S, ThresholdSpec>) {
          primary.slots = spec.range();
          return {primary};
        } else if constexpr (std::is_same_v<S, BaselineSpec>) {
          primary.slots = periods_in(spec.for_, m.period);
          std::vector<InputSpec> in{primary};
          if (spec.while_)
            in.push_back({Role::Gate, spec.while_->metric, spec.while_->stat, m.period, 2, Duration{0}});
          if (!spec.expected) {
            // Long histories are read hourly: 7 days is 168 points instead of 2,016 five-minute ones.
            const Duration hp = spec.learn >= Duration{86400} ? std::max(Duration{3600}, m.period) : m.period;
            in.push_back({Role::History, m.name, m.stat, hp, periods_in(spec.learn, hp), spec.for_});
          }
          return in;
        } else if constexpr (std::is_same_v<S, DrainedSpec>) {
          primary.slots = periods_in(spec.hold + lookback, m.period) + 1;
          return {primary};
        } else if constexpr (std::is_same_v<S, AbsentSpec>) {
          primary.slots = periods_in(spec.for_, m.period);
          return {primary};
        } else if constexpr (std::is_same_v<S, config::DeadlineRule>) {
          primary.slots = 3;  // the newest backlog reading, reaching back past a missing period or two
          return {primary,
                  InputSpec{Role::Rate, spec.rate.name, spec.rate.stat, m.period, spec.spec.rate_periods, Duration{0}}};
        } else if constexpr (std::is_same_v<S, config::CostRule>) {
          return {primary, InputSpec{Role::Output, spec.output.name, spec.output.stat, m.period, 1, Duration{0}}};
        } else {
          // job kinds: evaluated by the job watch, from the job list rather than a metric
          static_assert(std::is_same_v<S, CompositeSpec> || config::is_job_spec_v<S>);
          return {};
        }
      },
      rule.spec);
}

}  // namespace bw::agent
