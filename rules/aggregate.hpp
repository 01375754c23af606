#pragma once
// Raw datapoints aggregated into periods and a statistic exactly as CloudWatch does, for replay
// (the demo data and `batchwatch backtest`). Pure.
#include <optional>
#include <string_view>
#include <vector>

#include "rules/series.hpp"

namespace bw {

// True for Average Sum Minimum Maximum SampleCount and pNN / pNN.N / pNN.NN with 0 <= NN <= 100.
bool is_statistic(std::string_view stat);

// Average Sum Minimum Maximum SampleCount pNN pNN.N; nullopt for an unknown statistic or no values.
// Percentiles use the nearest-rank method: the value at rank ceil(p/100 x n) of the sorted values.
// `values` may be reordered (percentiles sort it).
std::optional<double> aggregate(std::string_view stat, std::vector<double>& values);

// Raw points (any order, any timestamps) -> one Datapoint per period in [start, end) that has at
// least one raw point, stamped at the period start (periods aligned to the epoch), sorted.
std::vector<Datapoint> aggregate_series(const std::vector<Datapoint>& raw, Duration period, std::string_view stat,
                                        Time start, Time end);

}  // namespace bw
