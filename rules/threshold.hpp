#pragma once
// CloudWatch metric alarm semantics for threshold rules: M out of N, the evaluation range,
// TreatMissingData and premature-alarm avoidance. Pure: the window and previous state are inputs.
#include <vector>

#include "rules/alarm.hpp"
#include "rules/series.hpp"

namespace bw {

struct ThresholdSpec {
  Comparison comparison = Comparison::Greater;
  double threshold = 0;
  int evaluation_periods = 1;   // N
  int datapoints_to_alarm = 1;  // M (1 <= M <= N)
  int evaluation_range = 0;     // slots fetched; 0 means the default (see evaluation_range())
  TreatMissing treat_missing = TreatMissing::Missing;

  // The number of period slots the evaluation looks at: `evaluation_range` when set, else N + 2
  // (the CloudWatch documentation's examples use 5 for N = 3).
  int range() const { return evaluation_range > 0 ? evaluation_range : evaluation_periods + 2; }
};

// `window` holds range() slots, oldest first, ending at the newest trusted period.
// `previous` is the state before this evaluation (INSUFFICIENT_DATA for a new alarm). With Explain::No
// the evaluation does not allocate (see Explain).
Evaluation evaluate_threshold(const ThresholdSpec& spec, const std::vector<Slot>& window, AlarmState previous,
                              Explain explain = Explain::Yes);

}  // namespace bw
