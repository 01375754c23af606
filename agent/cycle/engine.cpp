#include "agent/cycle/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/delivery/notification.hpp"

namespace bw::agent {

namespace {

// The first period end an instance still has to evaluate, or nothing when no whole period is new.
// A stored instance resumes after its last evaluated period, reaching back at most `catch_up`.
std::optional<Time> first_step(const Instance& inst, const KnownState* prev, Duration period, Duration catch_up) {
  if (!prev || prev->window_end == Time{}) return inst.window_end;
  if (prev->window_end >= inst.window_end) return std::nullopt;
  const Time first = std::max(prev->window_end + period, period_floor(inst.window_end - catch_up, period));
  return std::min(first, inst.window_end);
}

// The series a composite rule is evaluated for: each series of its children's, or one ("") across labels.
std::set<std::string> composite_series(const CompositeSpec& spec,
                                       const std::map<std::string, std::map<std::string, AlarmState>>& states) {
  std::set<std::string> out;
  for (const auto* list : {&spec.all_of, &spec.any_of})
    for (const auto& child : *list)
      if (auto it = states.find(child); it != states.end())
        for (const auto& [series, state] : it->second) out.insert(series);
  if (spec.across_labels || out.empty()) out = {""};
  return out;
}

// The children's states a composite rule sees for `series`.
std::vector<ChildState> composite_children(const CompositeSpec& spec,
                                           const std::map<std::string, std::map<std::string, AlarmState>>& states,
                                           const std::string& series) {
  std::vector<ChildState> children;
  for (const auto* list : {&spec.all_of, &spec.any_of})
    for (const auto& child : *list)
      if (auto it = states.find(child); it != states.end())
        for (const auto& [s, state] : it->second)
          if (spec.across_labels || s == series) children.push_back({child, s, state});
  return children;
}

// Series text -> the labels of the first result with that text (a composite result is labelled so).
std::map<std::string, LabelSet> labels_by_series(const std::vector<InstanceResult>& results) {
  std::map<std::string, LabelSet> out;
  for (const auto& r : results) out.try_emplace(labels_text(*r.labels), r.labels);
  return out;
}

}  // namespace

aws::Result<std::vector<std::vector<LabelSet>>> Engine::discover(Time now) {
  const auto& rules = config_.rules;
  std::vector<std::vector<LabelSet>> expansions(rules.size());
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& m = rules[r].metric;
    if (!m.has_wildcard()) continue;
    const std::string key = m.ns + '|' + m.name + '|' + labels_text(m.dimensions);
    auto it = discovered_.find(key);
    if (it == discovered_.end() || now >= it->second.expires) {
      auto found = source_.discover(m);
      if (!found) return found.error();
      log_.debug("discovered series", {{"metric", m.name}, {"count", std::to_string(found->size())}});
      it = discovered_.insert_or_assign(key, Discovered{now + config_.poll.discovery_ttl, share_labels(std::move(found.value()))})
               .first;
    }
    expansions[r] = it->second.series;
  }
  return expansions;
}

// Each instance is evaluated at every period step since its last evaluation (bounded by
// catch_up), so what happened while the agent was down is still seen, once.
aws::Result<Engine::CycleWork> Engine::plan_cycle(Time now, const StateStore& store) {
  auto expansions = discover(now);
  if (!expansions) return expansions.error();
  CycleWork work{make_plan(config_.rules, expansions.value(), now, config_.poll.delay, config_.poll.catch_up), {}};
  expansions.value() = {};  // shared with the plan (discovered_ keeps them for the next cycles)
  auto& plan = work.plan;
  if (!known_.loaded()) known_.load(store, config_.rules);  // one query, on the first cycle (or after a failed commit)
  known_.compact();  // before this cycle's results refer to the kept reasons
  work.instances.resize(plan.instances.size());
  for (std::size_t i = 0; i < plan.instances.size(); ++i) {
    const auto& inst = plan.instances[i];
    const auto& rule = config_.rules[inst.rule];
    auto& pending = work.instances[i];
    pending.known = known_.find(inst.rule, labels_text(*inst.labels));
    const KnownState* prev = pending.known == KnownStates::npos ? nullptr : &known_[pending.known];
    // The status page draws the last kTrailPeriods periods: keep that much cached (fetched once, then
    // only the new periods; GetMetricData bills per metric, not per datapoint).
    if (draw_trails_ && inst.input_count > 0)
      widen(plan, inst.series, inst.window_end - rule.metric.period * SeriesTrails::kTrailPeriods);
    pending.first = first_step(inst, prev, rule.metric.period, config_.poll.catch_up);
    if (!pending.first) continue;
    const Duration back = inst.window_end - *pending.first;
    for (const auto& in : plan.inputs_of(inst)) widen(plan, in.series, in.window_end - back - in.period * in.slots);
  }
  regroup(plan);
  return work;
}

aws::Result<std::size_t> Engine::fetch(Plan& plan, CycleReport& report) {
  // Ask only for what the cache lacks, grouped by identical ranges (one GetMetricData range each).
  std::map<std::pair<Time, Time>, std::vector<std::size_t>> groups;
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    if (auto range = cache_.missing(plan.series[s], plan.series_start[s], plan.series_end[s])) groups[*range].push_back(s);
  for (const auto& [range, members] : groups) {
    // Usually one range covers every series: then the plan's keys are passed as they are, not copied.
    const bool all = members.size() == plan.series.size();  // members are ascending series indices
    std::vector<SeriesKey> keys;
    if (!all) {
      keys.reserve(members.size());
      for (auto s : members) keys.push_back(plan.series[s]);
    }
    auto fetched = source_.fetch(all ? plan.series : keys, range.first, range.second);
    if (!fetched) return fetched.error();
    report.fetch_calls++;
    report.series_fetched += members.size();
    for (std::size_t i = 0; i < members.size(); ++i) {
      report.datapoints += fetched.value()[i].size();
      cache_.store(plan.series[members[i]], range.first, range.second, std::move(fetched.value()[i]));
    }
  }
  report.query_groups = groups.size();
  std::set<SeriesKey> keep(plan.series.begin(), plan.series.end());
  cache_.retain(keep);
  for (std::size_t s = 0; s < plan.series.size(); ++s) cache_.prune(plan.series[s], plan.series_start[s]);
  for (const auto& key : plan.series)
    if (const auto& pts = cache_.points(key); !pts.empty())
      report.newest_datapoint.emplace_back(key.str(), pts.back().start);
  return groups.size();
}

Engine::StatesByRule Engine::evaluate_instances(CycleWork& work, Time now, CycleRecorder& recorder,
                                                CycleReport& report) {
  StatesByRule states;
  // Only composite rules read the states by name: without one, 25,000 map nodes are not built.
  const bool composites = std::any_of(config_.rules.begin(), config_.rules.end(),
                                      [](const config::Rule& r) { return std::holds_alternative<CompositeSpec>(r.spec); });
  WindowScratch scratch;
  newest_step_.clear();
  for (std::size_t i = 0; i < work.plan.instances.size(); ++i) {
    auto res = evaluate_steps(work.plan.instances[i], work.plan, work.instances[i], now, scratch, recorder);
    if (work.instances[i].first) {  // its steps ran up to the instance's newest period
      Time& newest = newest_step_[res.rule->name];
      newest = std::max(newest, work.plan.instances[i].window_end);
    }
    if (composites) states[res.rule->name][labels_text(*res.labels)] = res.evaluation.state;
    report.results.push_back(std::move(res));
  }
  std::vector<PendingInstance>().swap(work.instances);
  return states;
}

InstanceResult Engine::evaluate_steps(const Instance& inst, const Plan& plan, const PendingInstance& pending, Time now,
                                      WindowScratch& scratch, CycleRecorder& recorder) {
  const auto& rule = config_.rules[inst.rule];
  bool had_prev = pending.known != KnownStates::npos;
  const AlarmState old_state = had_prev ? known_[pending.known].state : AlarmState::InsufficientData;
  InstanceResult res{&rule, inst.labels, old_state, Evaluation{}};
  Evaluation eval;  // the newest
  StoredState cur = had_prev ? known_.stored(pending.known, {}) : StoredState{};  // record() fills in the key
  std::optional<Time> written = had_prev ? known_[pending.known].written_at : std::nullopt;
  bool queued = false;  // whether the last evaluation queued the row
  const auto* drained = std::get_if<DrainedSpec>(&rule.spec);
  const JobSnapshot* active = drained && drained->wait_for_jobs ? job_watch_.active_job(*inst.labels) : nullptr;
  if (!pending.first) {
    res.evaluated = false;
    eval = Evaluation{cur.state, cur.value, {}, std::nullopt, cur.marker};
    res.reason = known_.reason(pending.known);
  }
  for (Time step = pending.first.value_or(inst.window_end + rule.metric.period); step <= inst.window_end;
       step += rule.metric.period) {
    const Time at = step == inst.window_end ? now : step + config_.poll.delay;
    const Previous previous{cur.state, cur.changed_at, cur.marker};
    // Decide the state first; the reason is written only where someone reads it: a change (history,
    // notification, log), a repeat notification, or every newest result when explaining results.
    // A new instance, or a result `once` prints, is explained whatever the state: explain it at once.
    const bool surely_wanted = !had_prev || (explain_results_ && step == inst.window_end);
    eval = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch,
                             surely_wanted ? Explain::Yes : Explain::No, active);
    const bool wanted = surely_wanted || eval.state != cur.state || repeat_due(rule, cur, eval.state, at);
    if (wanted && eval.reason.empty())
      eval = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch, Explain::Yes, active);
    queued = recorder.record(rule, *inst.labels, cur, had_prev, eval, step, at, res);
    if (queued) written = at;
    had_prev = true;
  }
  if (pending.first) {
    if (!queued && written && recorder.checkpoint(cur, *written)) written = cur.evaluated_at;
    const auto known = pending.known != KnownStates::npos ? pending.known : known_.insert(inst.rule, cur.series);
    known_.assign(known, cur);
    known_[known].written_at = written;
    // The newest reason, or the last change's when it was not written again: what known_ now keeps.
    res.reason = known_.reason(known);
  }
  res.evaluation = {eval.state, eval.value};
  res.since = cur.changed_at;
  return res;
}

// The newest period end its children evaluated this cycle: what every replica reading the same data
// agrees on. Children that evaluated no period (job rules only) leave the cycle's minute.
Time Engine::composite_time(const CompositeSpec& spec, Time now) const {
  std::optional<Time> newest;
  for (const auto* names : {&spec.all_of, &spec.any_of})
    for (const auto& child : *names)
      if (auto it = newest_step_.find(child); it != newest_step_.end() && (!newest || it->second > *newest))
        newest = it->second;
  return newest.value_or(std::chrono::floor<std::chrono::minutes>(now));
}

// Composite rules, from the states just computed (children evaluated above, in this cycle).
void Engine::evaluate_composites(StatesByRule& states, Time now, const StateStore& store, CycleRecorder& recorder,
                                 CycleReport& report) {
  const auto is_composite = [](const config::Rule& r) { return std::holds_alternative<CompositeSpec>(r.spec); };
  if (std::none_of(config_.rules.begin(), config_.rules.end(), is_composite)) return;
  const auto labels_of = labels_by_series(report.results);
  for (const auto& rule : config_.rules) {
    const auto* spec = std::get_if<CompositeSpec>(&rule.spec);
    if (!spec) continue;
    for (const auto& series : composite_series(*spec, states)) {
      const auto children = composite_children(*spec, states, series);
      const auto labelled = labels_of.find(series);
      const auto labels = labelled == labels_of.end() ? share_labels(std::vector<Dimension>{}) : labelled->second;
      auto prev = store.get(rule.name, series);
      StoredState cur = prev.value_or(StoredState{});
      const auto eval = evaluate_composite(*spec, children);
      InstanceResult res{&rule, labels, cur.state, eval};
      res.reason = report.keep_text(eval.reason);
      const Time event = composite_time(*spec, now);
      if (!recorder.record(rule, *labels, cur, prev.has_value(), eval, event, now, res))
        recorder.checkpoint(cur, prev->evaluated_at);
      newest_step_[rule.name] = std::max(newest_step_[rule.name], event);  // a composite of composites
      res.since = cur.changed_at;
      states[rule.name][series] = res.evaluation.state;
      report.results.push_back(std::move(res));
    }
  }
}

Result<CycleReport> Engine::run(Time now, StateStore& store, RunMode mode, std::optional<Time> recorded_at) {
  auto work = plan_cycle(now, store);
  if (!work) return aws_failure(work.error());
  CycleReport report;
  report.now = now;
  report.series = work->plan.series.size();
  report.results.reserve(work->plan.instances.size());
  if (auto fetched = fetch(work->plan, report); !fetched) return aws_failure(fetched.error());

  // Jobs before the metric rules: a drained rule with wait_for_jobs reads the fresh view.
  job_watch_.refresh(now, store, report);
  CycleRecorder recorder(config_, store, log_, region_, recorded_at, report,
                         job_watch_.enabled() ? &job_watch_ : nullptr, checkpoint_);
  recorder.list_transitions(list_transitions_);
  auto states = evaluate_instances(work.value(), now, recorder, report);
  report.texts = known_.text_owner();  // the results' kept reasons, whatever known_ does next
  job_watch_.evaluate(now, store, recorder, report, explain_results_);
  for (const auto& r : report.results)
    if (r.rule->is_job_rule()) states[r.rule->name][labels_text(*r.labels)] = r.evaluation.state;
  if (draw_trails_) report.trails = trails_of(work->plan, cache_, config_.rules);
  evaluate_composites(states, now, store, recorder, report);
  if (mode == RunMode::Record) {
    auto committed = store.commit(recorder.updates(), job_watch_.update());
    job_watch_.committed(committed.ok());
    if (!committed) {
      known_.forget();  // memory is ahead of the file: read it again, and evaluate again from there
      return committed.error();
    }
  } else {
    job_watch_.committed(false);  // a dry run writes nothing: the next run starts from the file again
    known_.forget();
  }
  known_.trim();
  std::stable_sort(report.transitions.begin(), report.transitions.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  return report;
}

Result<Unit> Engine::flush(StateStore& store) {
  const auto rows = known_.unwritten(config_.rules);
  if (rows.empty()) return Unit{};
  auto done = store.commit(rows);
  if (done) known_.mark_written();
  return done;
}

}  // namespace bw::agent
