#include "agent/cycle/evaluate.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "rules/threshold.hpp"

namespace bw::agent {

const Price* price_for(const config::CostRule& cost, const std::vector<Dimension>& labels) {
  for (const auto& d : labels) {
    if (d.name != "modelId") continue;
    if (auto it = cost.prices.find(d.value); it != cost.prices.end()) return &it->second;
  }
  auto it = cost.prices.find("*");
  return it == cost.prices.end() ? nullptr : &it->second;
}

Evaluation evaluate_instance(const config::Rule& rule, const Instance& inst, Time step_end, const Plan& plan,
                             const SeriesCache& cache, const Previous& previous, Time at, WindowScratch& scratch,
                             Explain explain, const JobSnapshot* active_job) {
  // The window of each input at this step, in the order of rule_inputs().
  auto window = [&](Role role) -> const std::vector<Slot>& {
    auto& out = scratch.by_role.at(static_cast<std::size_t>(role));
    out.clear();
    for (const auto& in : plan.inputs_of(inst)) {
      if (in.role != role) continue;
      // Inputs keep their offset from the primary window (a history window ends where `for` begins).
      const Time end = in.window_end - (inst.window_end - step_end);
      make_window(cache.points(plan.series[in.series]), period_floor(end, in.period), in.period, in.slots, out);
      break;
    }
    return out;
  };
  auto period_of = [&](Role role) {
    for (const auto& in : plan.inputs_of(inst))
      if (in.role == role) return in.period;
    return rule.metric.period;
  };
  return std::visit(
      [&](const auto& spec) -> Evaluation {
        using S = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<S, ThresholdSpec>) {
          return evaluate_threshold(spec, window(Role::Primary), previous.state, explain);
        } else if constexpr (std::is_same_v<S, BaselineSpec>) {
          BaselineInputs in{window(Role::Primary), rule.metric.period, window(Role::History), period_of(Role::History),
                            window(Role::Gate)};
          return evaluate_baseline(spec, in, previous);
        } else if constexpr (std::is_same_v<S, DrainedSpec>) {
          return evaluate_drained(spec, window(Role::Primary), rule.metric.period, previous, active_job);
        } else if constexpr (std::is_same_v<S, AbsentSpec>) {
          return evaluate_absent(spec, window(Role::Primary), rule.metric.period);
        } else if constexpr (std::is_same_v<S, config::DeadlineRule>) {
          return evaluate_deadline(spec.spec, window(Role::Primary), window(Role::Rate), at, previous);
        } else if constexpr (std::is_same_v<S, config::CostRule>) {
          const Price* price = price_for(spec, *inst.labels);
          if (price == nullptr) {
            Evaluation e;
            e.state = AlarmState::InsufficientData;
            e.reason = fmt::format("No price for {} in {}", labels_text(*inst.labels), spec.pricing_file);
            return e;
          }
          return evaluate_cost(spec.budget, *price, window(Role::Primary), window(Role::Output));
        } else if constexpr (config::is_job_spec_v<S>) {
          Evaluation e;  // job kinds: evaluated by the job watch (the planner gives them no instances)
          e.reason = "job rule";
          return e;
        } else {
          Evaluation e;  // composite rules are evaluated by the engine from other rules' states
          e.reason = "composite";
          return e;
        }
      },
      rule.spec);
}

}  // namespace bw::agent
