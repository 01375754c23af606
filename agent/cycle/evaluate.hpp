#pragma once
// Evaluates one (rule, series) at one step: cuts each input's window out of the cached points and
// calls the rule kind's pure evaluation.
#include <array>
#include <vector>

#include "agent/cycle/planner.hpp"
#include "agent/cycle/series_cache.hpp"
#include "config/config.hpp"
#include "rules/jobs.hpp"
#include "rules/kinds.hpp"

namespace bw::agent {

// Window buffers reused from one evaluation to the next (one per input role), so that a cycle does not
// allocate a window per (rule, series, step).
struct WindowScratch {
  std::array<std::vector<Slot>, 5> by_role;
};

// `step_end` is the end of the primary window at this step; `at` is the evaluation time. `explain`
// asks for the reason text (see bw::Explain); kinds that always explain ignore it. `active_job`: for a
// drained rule with wait_for_jobs, a job of the series' model still running (it holds the drain).
Evaluation evaluate_instance(const config::Rule& rule, const Instance& instance, Time step_end, const Plan& plan,
                             const SeriesCache& cache, const Previous& previous, Time at, WindowScratch& scratch,
                             Explain explain = Explain::Yes, const JobSnapshot* active_job = nullptr);

// The price of a model from a cost rule's table ("*" as the fallback).
const Price* price_for(const config::CostRule& cost, const std::vector<Dimension>& labels);

}  // namespace bw::agent
