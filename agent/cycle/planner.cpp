#include "agent/cycle/planner.hpp"

#include <map>
#include <utility>

namespace bw::agent {

int window_slots(const config::Rule& rule) {
  const auto inputs = rule_inputs(rule, Duration{0});
  return inputs.empty() ? 0 : inputs.front().slots;
}

Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<std::vector<Dimension>>>& expansions,
               Time now, Duration delay, Duration lookback) {
  Plan plan;
  std::map<SeriesKey, std::size_t> index;
  auto need = [&](SeriesKey key, Time start, Time end) {
    auto [it, inserted] = index.emplace(std::move(key), plan.series.size());
    if (inserted) {
      plan.series.push_back(it->first);
      plan.series_start.push_back(start);
      plan.series_end.push_back(end);
    } else {
      plan.series_start[it->second] = std::min(plan.series_start[it->second], start);
      plan.series_end[it->second] = std::max(plan.series_end[it->second], end);
    }
    return it->second;
  };
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& rule = rules[r];
    const auto& m = rule.metric;
    const auto inputs = rule_inputs(rule, lookback);
    if (inputs.empty()) continue;  // composite: from the other rules' results; job kinds: by the job watch
    std::vector<std::vector<Dimension>> concrete;
    if (m.has_wildcard()) {
      if (r < expansions.size()) concrete = expansions[r];
    } else {
      concrete.push_back(m.dimensions);
    }
    const Time primary_end = period_floor(now - delay, inputs.front().period);
    for (auto& dims : concrete) {
      Instance inst{r, dims, 0, primary_end, inputs.front().slots, {}};
      for (const auto& in : inputs) {
        const Time end = period_floor(primary_end - in.lag, in.period);
        const Time start = end - in.period * in.slots;
        const auto s = need(SeriesKey{MetricId{m.ns, in.metric, dims}, in.stat, in.period}, start, end);
        inst.inputs.push_back(InstanceInput{in.role, s, end, in.slots, in.period});
      }
      inst.series = inst.inputs.front().series;
      plan.instances.push_back(std::move(inst));
    }
  }
  regroup(plan);
  return plan;
}

void widen(Plan& plan, std::size_t series, Time start) {
  plan.series_start[series] = std::min(plan.series_start[series], start);
}

void regroup(Plan& plan) {
  plan.groups.clear();
  std::map<std::pair<Time, Time>, std::size_t> group_index;
  for (std::size_t s = 0; s < plan.series.size(); ++s) {
    auto [it, inserted] =
        group_index.emplace(std::make_pair(plan.series_start[s], plan.series_end[s]), plan.groups.size());
    if (inserted) plan.groups.push_back(QueryGroup{plan.series_start[s], plan.series_end[s], {}});
    plan.groups[it->second].series.push_back(s);
  }
}

}  // namespace bw::agent
