#pragma once
// Query planning (pure): which series the rules need, each asked for once, grouped into
// GetMetricData calls that share a time range.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agent/cycle/rule_inputs.hpp"
#include "config/config.hpp"
#include "rules/series.hpp"

namespace bw::agent {

// The concrete dimensions of a series, shared by the discovery cache, each (rule, series) of a plan and
// the cycle's results: one copy per discovered series, not one per rule over it (at 25,000 instances
// the copies were 1.6 MB of the cycle's peak, twice). Never null.
using LabelSet = std::shared_ptr<const std::vector<Dimension>>;
inline LabelSet share_labels(std::vector<Dimension> labels) {
  return std::make_shared<const std::vector<Dimension>>(std::move(labels));
}
std::vector<LabelSet> share_labels(std::vector<std::vector<Dimension>> sets);

// One input of one (rule, series): which series, and the window evaluated at the newest step.
struct InstanceInput {  // fields ordered for size (32 bytes): a plan holds one per (rule, series) and input
  std::size_t series = 0;  // index into Plan::series
  Time window_end{};       // end (exclusive) of the newest period evaluated
  Duration period{60};
  int slots = 0;
  Role role = Role::Primary;
};

// One (rule, series) to evaluate. `series`, `window_end` and `slots` repeat the primary input.
struct Instance {  // 48 bytes
  std::uint32_t rule = 0;  // index into the rules
  int slots = 0;
  LabelSet labels;  // the concrete dimensions of the series
  std::size_t series = 0;
  Time window_end{};
  // Its inputs in Plan::inputs (Plan::inputs_of), primary first; none for composite rules. One vector
  // for the plan, not one per instance: 25,000 small blocks were 1 MB of the cycle's peak.
  std::uint32_t first_input = 0, input_count = 0;
};

// Series that can share one GetMetricData call: the same [start, end).
struct QueryGroup {
  Time start{};
  Time end{};
  std::vector<std::size_t> series;
};

struct Plan {
  std::vector<SeriesKey> series;  // unique
  std::vector<Time> series_start;  // per series: the oldest slot any input needs
  std::vector<Time> series_end;    // per series: the newest window end
  std::vector<Instance> instances;
  std::vector<InstanceInput> inputs;  // of every instance, in order
  std::vector<QueryGroup> groups;

  std::span<const InstanceInput> inputs_of(const Instance& inst) const {
    return std::span<const InstanceInput>(inputs).subspan(inst.first_input, inst.input_count);
  }
};

// How many period slots a rule's primary input evaluates.
int window_slots(const config::Rule& rule);

// `expansions[i]` holds the concrete dimension sets of rules[i] when its metric has a wildcard
// (ignored otherwise). The newest trusted period of each input is the last whole period that ended
// at least `delay` before `now`. `lookback` widens drained windows (see rule_inputs).
Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<LabelSet>>& expansions, Time now,
               Duration delay, Duration lookback = Duration{0});
// The same from dimension sets of its own (tests, benchmarks).
Plan make_plan(const std::vector<config::Rule>& rules, const std::vector<std::vector<std::vector<Dimension>>>& expansions,
               Time now, Duration delay, Duration lookback = Duration{0});

// Widens a series' range to start at `start` at the earliest (catch-up), then regroups.
void widen(Plan& plan, std::size_t series, Time start);
// Recomputes Plan::groups from the per-series ranges.
void regroup(Plan& plan);

}  // namespace bw::agent
