#include "agent/cycle/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/delivery/notification.hpp"

namespace bw::agent {

const std::vector<AlarmState>& notify_on(const config::Rule& rule) {
  static const std::vector<AlarmState> alarm_ok{AlarmState::Alarm, AlarmState::Ok};
  static const std::vector<AlarmState> drained{AlarmState::Drained};
  if (!rule.notify_on.empty()) return rule.notify_on;
  return std::holds_alternative<DrainedSpec>(rule.spec) ? drained : alarm_ok;
}

bool owes_notification(AlarmState state, const std::string& last_notified, const std::vector<AlarmState>& notify_on) {
  if (std::find(notify_on.begin(), notify_on.end(), state) == notify_on.end()) return false;
  if (state == AlarmState::Ok) return !last_notified.empty() && last_notified != "OK";
  return true;
}

namespace {

// A rule with `repeat` re-notifies while it stays in ALARM, once per repeat interval.
bool repeat_due(const config::Rule& rule, const StoredState& cur, AlarmState state, Time at) {
  return state == AlarmState::Alarm && cur.state == AlarmState::Alarm && rule.repeat && cur.notified_state == "ALARM" &&
         at - cur.notified_at >= *rule.repeat;
}

bool label_matches(const std::vector<Dimension>& labels, const std::string& name, const std::string& value) {
  for (const auto& d : labels)
    if (d.name == name) return value == "*" || d.value == value;
  return false;
}

// Rows a state owes, one per target.
std::vector<OutboxRow> outbox_rows(const config::Rule& rule, const StateChange& change, const std::string& series,
                                   bool silenced, Time recorded_at) {
  std::vector<OutboxRow> rows;
  const auto msg = message(change).dump();
  const auto subj = subject(change);
  const auto key = idempotency_key(rule.name, change.labels, change.evaluation.state, change.at);
  for (const auto& target : rule.notify) {
    OutboxRow row;
    row.idempotency_key = key;
    row.target = target;
    row.subject = subj;
    row.payload = msg;
    row.rule = rule.name;
    row.series = series;
    row.state = std::string(to_string(change.evaluation.state));
    row.created_at = recorded_at;
    row.next_attempt_at = recorded_at;
    row.status = silenced ? "silenced" : "pending";
    rows.push_back(std::move(row));
  }
  return rows;
}

// The stored state moved on to one evaluation of the period ending at `step_end`, judged at `at`.
void advance(StoredState& cur, const config::Rule& rule, const std::string& series, const Evaluation& eval,
             Time step_end, Time at) {
  cur.rule = rule.name;
  cur.series = series;
  cur.state = eval.state;
  cur.value = eval.value;
  if (!eval.reason.empty()) cur.reason = eval.reason;  // else: the reason of the last explained change stays
  cur.evaluated_at = at;
  cur.window_end = step_end;
  cur.marker = eval.marker;
}

// The first period end an instance still has to evaluate, or nothing when no whole period is new.
// A stored instance resumes after its last evaluated period, reaching back at most `catch_up`.
std::optional<Time> first_step(const Instance& inst, const std::optional<StoredState>& prev, Duration period,
                               Duration catch_up) {
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
std::map<std::string, std::vector<Dimension>> labels_by_series(const std::vector<InstanceResult>& results) {
  std::map<std::string, std::vector<Dimension>> out;
  for (const auto& r : results) out.try_emplace(labels_text(r.labels), r.labels);
  return out;
}

}  // namespace

// Advances the stored state of a (rule, series) by each of its evaluations, and collects what the
// cycle commits: the state rows, the transitions (reported and logged) and the notifications owed.
class CycleRecorder {
 public:
  CycleRecorder(const config::Config& config, const StateStore& store, Logger& log, const std::string& region,
                std::optional<Time> recorded_at, CycleReport& report)
      : config_(config), store_(store), log_(log), region_(region), recorded_at_(recorded_at), report_(report) {}

  // `cur` is the state before `eval` (`had_prev`: one was stored), and is advanced to it.
  void record(const config::Rule& rule, const std::vector<Dimension>& labels, StoredState& cur, bool had_prev,
              const Evaluation& eval, Time step_end, Time at, InstanceResult& result) {
    const std::string series = labels_text(labels);
    StateUpdate u;
    u.old_state = cur.state;
    const bool changed = !had_prev || cur.state != eval.state;
    // A new series that starts in INSUFFICIENT_DATA has not changed: it has only begun.
    u.transition = changed && !(!had_prev && eval.state == AlarmState::InsufficientData);
    if (changed) cur.changed_at = at;
    if (u.transition) report_transition(rule, labels, series, u.old_state, eval, at, result);
    const bool owes = u.transition && owes_notification(eval.state, cur.notified_state, notify_on(rule));
    const bool repeat = repeat_due(rule, cur, eval.state, at);  // against the state before this evaluation
    advance(cur, rule, series, eval, step_end, at);
    if (owes || repeat) {
      const StateChange change{&rule, labels, u.old_state, eval, at, region_};
      const bool quiet = silenced(rule, labels, at);
      u.outbox = outbox_rows(rule, change, series, quiet, recorded_at_.value_or(at));
      if (quiet)
        for (const auto& row : u.outbox) ++report_.silenced[row.target];
      cur.notified_state = std::string(to_string(eval.state));
      cur.notified_at = at;
      result.notifications += u.outbox.size();
      report_.notifications += u.outbox.size();
    }
    u.state = cur;
    updates_.push_back(std::move(u));
  }

  std::vector<StateUpdate>& updates() { return updates_; }

 private:
  void report_transition(const config::Rule& rule, const std::vector<Dimension>& labels, const std::string& series,
                         AlarmState from, const Evaluation& eval, Time at, InstanceResult& result) {
    report_.transitions.push_back(Transition{at, &rule, labels, from, eval.state, eval.value, eval.reason});
    result.transition = true;
    log_.info("state change", {{"rule", rule.name},
                               {"series", series},
                               {"from", std::string(to_string(from))},
                               {"to", std::string(to_string(eval.state))},
                               {"reason", eval.reason}});
  }

  // Whether a silence from the agent file or one added at run time (kept in the store) covers it.
  bool silenced(const config::Rule& rule, const std::vector<Dimension>& labels, Time at) const {
    const auto applies = [&](const auto& s) {
      return at >= s.starts && at < s.ends && (s.rule == "*" || s.rule == rule.name);
    };
    for (const auto& s : config_.silences) {
      if (!applies(s)) continue;
      if (std::all_of(s.labels.begin(), s.labels.end(),
                      [&](const auto& kv) { return label_matches(labels, kv.first, kv.second); }))
        return true;
    }
    for (const auto& s : store_.silences()) {
      if (!applies(s)) continue;
      auto j = nlohmann::json::parse(s.labels_json, nullptr, false);
      bool all = j.is_object();
      for (auto it = j.begin(); all && it != j.end(); ++it)
        all = it->is_string() && label_matches(labels, it.key(), it->get<std::string>());
      if (all) return true;
    }
    return false;
  }

  const config::Config& config_;
  const StateStore& store_;
  Logger& log_;
  const std::string& region_;
  std::optional<Time> recorded_at_;
  CycleReport& report_;
  std::vector<StateUpdate> updates_;
};

aws::Result<std::vector<std::vector<std::vector<Dimension>>>> Engine::discover(Time now) {
  const auto& rules = config_.rules;
  std::vector<std::vector<std::vector<Dimension>>> expansions(rules.size());
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const auto& m = rules[r].metric;
    if (!m.has_wildcard()) continue;
    const std::string key = m.ns + '|' + m.name + '|' + labels_text(m.dimensions);
    auto it = discovered_.find(key);
    if (it == discovered_.end() || now >= it->second.expires) {
      auto found = source_.discover(m);
      if (!found) return found.error();
      log_.debug("discovered series", {{"metric", m.name}, {"count", std::to_string(found->size())}});
      it = discovered_.insert_or_assign(key, Discovered{now + config_.poll.discovery_ttl, std::move(found.value())}).first;
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
  expansions.value() = {};  // copied into the plan (discovered_ keeps them for the next cycles)
  auto& plan = work.plan;
  work.instances.resize(plan.instances.size());
  for (std::size_t i = 0; i < plan.instances.size(); ++i) {
    const auto& inst = plan.instances[i];
    const auto& rule = config_.rules[inst.rule];
    auto& pending = work.instances[i];
    pending.prev = store.get(rule.name, labels_text(inst.labels));
    // The status page draws the last kTrailPeriods periods: keep that much cached (fetched once, then
    // only the new periods; GetMetricData bills per metric, not per datapoint).
    if (!inst.inputs.empty())
      widen(plan, inst.series, inst.window_end - rule.metric.period * SeriesTrails::kTrailPeriods);
    const auto first = first_step(inst, pending.prev, rule.metric.period, config_.poll.catch_up);
    if (!first) continue;
    for (Time t = *first; t <= inst.window_end; t += rule.metric.period) pending.steps.push_back(t);
    const Duration back = inst.window_end - *first;
    for (const auto& in : inst.inputs) widen(plan, in.series, in.window_end - back - in.period * in.slots);
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
  WindowScratch scratch;
  recorder.updates().reserve(work.plan.instances.size());
  for (std::size_t i = 0; i < work.plan.instances.size(); ++i) {
    const auto& inst = work.plan.instances[i];
    auto res = evaluate_steps(inst, work.plan, work.instances[i], now, scratch, recorder);
    states[res.rule->name][labels_text(inst.labels)] = res.evaluation.state;
    report.results.push_back(std::move(res));
  }
  std::vector<PendingInstance>().swap(work.instances);  // every instance's steps and stored state are used up
  return states;
}

InstanceResult Engine::evaluate_steps(const Instance& inst, const Plan& plan, PendingInstance& pending, Time now,
                                      WindowScratch& scratch, CycleRecorder& recorder) {
  const auto& rule = config_.rules[inst.rule];
  const AlarmState old_state = pending.prev ? pending.prev->state : AlarmState::InsufficientData;
  InstanceResult res{&rule, inst.labels, old_state, {}, false, 0, true};
  bool had_prev = pending.prev.has_value();
  StoredState cur = had_prev ? std::move(*pending.prev) : StoredState{};
  pending.prev.reset();  // moved into `cur`: 25,000 stored states are not held twice
  if (pending.steps.empty()) {
    res.evaluated = false;
    res.evaluation = Evaluation{cur.state, cur.value, cur.reason, std::nullopt, cur.marker};
  }
  for (const Time step : pending.steps) {
    const Time at = step == inst.window_end ? now : step + config_.poll.delay;
    const Previous previous{cur.state, cur.changed_at, cur.marker};
    // Decide the state first; the reason is written only where someone reads it: a change (history,
    // notification, log), a repeat notification, or every newest result when explaining results.
    res.evaluation = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch, Explain::No);
    const bool wanted = !had_prev || res.evaluation.state != cur.state ||
                        repeat_due(rule, cur, res.evaluation.state, at) || (explain_results_ && step == inst.window_end);
    if (wanted && res.evaluation.reason.empty())
      res.evaluation = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch, Explain::Yes);
    recorder.record(rule, inst.labels, cur, had_prev, res.evaluation, step, at, res);
    had_prev = true;
  }
  if (res.evaluation.reason.empty()) res.evaluation.reason = cur.reason;
  res.since = cur.changed_at;
  return res;
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
      const auto labels = labelled == labels_of.end() ? std::vector<Dimension>{} : labelled->second;
      auto prev = store.get(rule.name, series);
      StoredState cur = prev.value_or(StoredState{});
      InstanceResult res{&rule, labels, cur.state, evaluate_composite(*spec, children), false, 0, true};
      recorder.record(rule, labels, cur, prev.has_value(), res.evaluation, cur.window_end, now, res);
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

  CycleRecorder recorder(config_, store, log_, region_, recorded_at, report);
  auto states = evaluate_instances(work.value(), now, recorder, report);
  report.trails = trails_of(work->plan, cache_, config_.rules);
  evaluate_composites(states, now, store, recorder, report);
  if (mode == RunMode::Record)
    if (auto committed = store.commit(recorder.updates()); !committed) return committed.error();
  std::stable_sort(report.transitions.begin(), report.transitions.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  return report;
}

}  // namespace bw::agent
