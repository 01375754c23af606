#pragma once
// Evaluates one (rule, series) at one step: cuts each input's window out of the cached points and
// calls the rule kind's pure evaluation.
#include <vector>

#include "agent/planner.hpp"
#include "agent/series_cache.hpp"
#include "config/config.hpp"
#include "rules/kinds.hpp"

namespace bw::agent {

// `step_end` is the end of the primary window at this step; `at` is the evaluation time.
Evaluation evaluate_instance(const config::Rule& rule, const Instance& instance, Time step_end, const Plan& plan,
                             const SeriesCache& cache, const Previous& previous, Time at);

// The price of a model from a cost rule's table ("*" as the fallback).
const Price* price_for(const config::CostRule& cost, const std::vector<Dimension>& labels);

}  // namespace bw::agent
