#include "agent/cycle/planner.hpp"

#include <map>
#include <utility>

namespace bw::agent {

int window_slots(const config::Rule& rule) {
  const auto inputs = rule_inputs(rule, Duration{0});
  return inputs.empty() ? 0 : inputs.front().slots;
}

std::vector<LabelSet> share_labels(std::vector<std::vector<Dimension>> sets) {
  std::vector<LabelSet> out;
  out.reserve(sets.size());
  for (auto& dims : sets) out.push_back(share_labels(std::move(dims)));
  return out;
}

Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<std::vector<Dimension>>>& expansions,
               Time now, Duration delay, Duration lookback) {
  std::vector<std::vector<LabelSet>> shared;
  shared.reserve(expansions.size());
  for (const auto& sets : expansions) shared.push_back(share_labels(sets));
  return make_plan(rules, shared, now, delay, lookback);
}

Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<LabelSet>>& expansions, Time now,
               Duration delay, Duration lookback) {
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
  const std::vector<LabelSet> none;
  std::vector<LabelSet> fixed;
  // The label sets of rules[r]'s series (valid until the next call).
  const auto concrete = [&](std::size_t r) -> const std::vector<LabelSet>& {
    const auto& m = rules[r].metric;
    if (m.has_wildcard()) return r < expansions.size() ? expansions[r] : none;
    fixed = {share_labels(m.dimensions)};
    return fixed;
  };
  std::size_t count = 0;  // reserved: grown by doubling, the vector would hold up to twice as many
  for (std::size_t r = 0; r < rules.size(); ++r) count += concrete(r).size();
  plan.instances.reserve(count);
  plan.inputs.reserve(count);  // most rules read one series
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& rule = rules[r];
    const auto& m = rule.metric;
    const auto inputs = rule_inputs(rule, lookback);
    if (inputs.empty()) continue;  // composite: from the other rules' results; job kinds: by the job watch
    const Time primary_end = period_floor(now - delay, inputs.front().period);
    for (const auto& dims : concrete(r)) {
      Instance inst{static_cast<std::uint32_t>(r), inputs.front().slots, dims, 0, primary_end,
                    static_cast<std::uint32_t>(plan.inputs.size()), static_cast<std::uint32_t>(inputs.size())};
      for (const auto& in : inputs) {
        const Time end = period_floor(primary_end - in.lag, in.period);
        const Time start = end - in.period * in.slots;
        const auto s = need(SeriesKey{MetricId{m.ns, in.metric, *dims}, in.stat, in.period}, start, end);
        plan.inputs.push_back(InstanceInput{s, end, in.period, in.slots, in.role});
      }
      inst.series = plan.inputs[inst.first_input].series;
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
