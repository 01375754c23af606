#pragma once
// Query planning (pure): which series the due rules need, each asked for once, grouped into
// GetMetricData calls that share a time range.
#include <cstddef>
#include <vector>

#include "config/config.hpp"
#include "rules/series.hpp"

namespace bw::agent {

// One (rule, series) to evaluate.
struct Instance {
  std::size_t rule = 0;           // index into the rules
  std::vector<Dimension> labels;  // the concrete dimensions of the series
  std::size_t series = 0;         // index into Plan::series
  Time window_end{};              // end (exclusive) of the newest trusted period
  int slots = 0;                  // periods in the evaluation window
};

// Series that can share one GetMetricData call: the same [start, end).
struct QueryGroup {
  Time start{};
  Time end{};
  std::vector<std::size_t> series;
};

struct Plan {
  std::vector<SeriesKey> series;  // unique
  std::vector<Instance> instances;
  std::vector<QueryGroup> groups;
};

// How many period slots a rule evaluates.
int window_slots(const config::Rule& rule);

// `expansions[i]` holds the concrete dimension sets of rules[i] when its metric has a wildcard
// (ignored otherwise). The newest trusted period of each rule is the last whole period that ended
// at least `delay` before `now`.
Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<std::vector<Dimension>>>& expansions,
               Time now, Duration delay);

}  // namespace bw::agent
