#include "agent/planner.hpp"

#include <map>
#include <utility>

namespace bw::agent {

int window_slots(const config::Rule& rule) {
  return std::visit([](const auto& spec) { return spec.range(); }, rule.spec);
}

Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<std::vector<Dimension>>>& expansions,
               Time now, Duration delay) {
  Plan plan;
  std::map<SeriesKey, std::size_t> index;
  std::vector<Time> earliest;  // per series: the oldest slot start any instance needs
  std::vector<Time> latest;    // per series: the window end
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& rule = rules[r];
    const auto& m = rule.metric;
    const Time end = period_floor(now - delay, m.period);
    const int slots = window_slots(rule);
    const Time start = end - m.period * slots;
    std::vector<std::vector<Dimension>> concrete;
    if (m.has_wildcard()) {
      if (r < expansions.size()) concrete = expansions[r];
    } else {
      concrete.push_back(m.dimensions);
    }
    for (auto& dims : concrete) {
      SeriesKey key{MetricId{m.ns, m.name, dims}, m.stat, m.period};
      auto [it, inserted] = index.emplace(std::move(key), plan.series.size());
      if (inserted) {
        plan.series.push_back(it->first);
        earliest.push_back(start);
        latest.push_back(end);
      } else {
        earliest[it->second] = std::min(earliest[it->second], start);
        latest[it->second] = std::max(latest[it->second], end);
      }
      plan.instances.push_back(Instance{r, std::move(dims), it->second, end, slots});
    }
  }
  std::map<std::pair<Time, Time>, std::size_t> group_index;
  for (std::size_t s = 0; s < plan.series.size(); ++s) {
    auto [it, inserted] = group_index.emplace(std::make_pair(earliest[s], latest[s]), plan.groups.size());
    if (inserted) plan.groups.push_back(QueryGroup{earliest[s], latest[s], {}});
    plan.groups[it->second].series.push_back(s);
  }
  return plan;
}

}  // namespace bw::agent
