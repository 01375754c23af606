#pragma once
// Which series a rule reads, and how much of each: one input for most kinds, several for rules that
// compare metrics (baseline's gate and history, deadline's rate, cost's output tokens).
#include <vector>

#include "config/config.hpp"

namespace bw::agent {

enum class Role { Primary, Gate, History, Rate, Output };

struct InputSpec {
  Role role = Role::Primary;
  std::string metric;  // metric name (namespace and dimensions are the rule's)
  std::string stat;
  Duration period{60};
  int slots = 1;        // periods evaluated
  Duration lag{0};      // the window ends this long before the primary window's end
};

// The inputs of a rule, primary first. Composite rules read no metric: empty.
// `lookback` widens a drained rule's window so a drain is seen even if it began while nobody watched.
std::vector<InputSpec> rule_inputs(const config::Rule& rule, Duration lookback);

// Whole periods in `d` (at least 1).
int periods_in(Duration d, Duration period);

}  // namespace bw::agent
