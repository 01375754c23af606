#pragma once
// One recorded or replayed transition as `backtest` and `history` print it: a table line, or one
// JSON object a line (INTERFACE.md: time, rule, labels, from, to, value, reason).
#include <optional>
#include <string>
#include <vector>

#include "rules/series.hpp"
#include "rules/time.hpp"

namespace bw::agent {

struct TransitionLine {
  Time at{};
  std::string rule;
  std::vector<Dimension> labels;
  std::string from, to;
  std::optional<double> value;
  std::string reason;
};

void print_transition(const TransitionLine& t, bool json);

// The labels of a stored series text ("modelId=m1,account=prod"). A segment without '=' belongs to the
// value before it: a value with a comma in it is not split.
std::vector<Dimension> labels_of(const std::string& series);

}  // namespace bw::agent
