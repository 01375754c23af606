#include "agent/cycle/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/cycle/evaluate.hpp"
#include "agent/delivery/notification.hpp"

namespace bw::agent {

bool owes_notification(AlarmState state, const std::string& last_notified, const std::vector<AlarmState>& notify_on) {
  if (std::find(notify_on.begin(), notify_on.end(), state) == notify_on.end()) return false;
  if (state == AlarmState::Ok) return !last_notified.empty() && last_notified != "OK";
  return true;
}

bool owes_notification(AlarmState state, const std::string& last_notified) {
  static const std::vector<AlarmState> defaults{AlarmState::Alarm, AlarmState::Ok, AlarmState::Drained};
  return owes_notification(state, last_notified, defaults);
}

namespace {

const std::vector<AlarmState>& notify_on(const config::Rule& rule) {
  static const std::vector<AlarmState> alarm_ok{AlarmState::Alarm, AlarmState::Ok};
  static const std::vector<AlarmState> drained{AlarmState::Drained};
  if (!rule.notify_on.empty()) return rule.notify_on;
  return std::holds_alternative<DrainedSpec>(rule.spec) ? drained : alarm_ok;
}

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

}  // namespace

bool Engine::silenced(const config::Rule& rule, const std::vector<Dimension>& labels, Time at, StateStore* store) const {
  for (const auto& s : config_.silences) {
    if (at < s.starts || at >= s.ends || (s.rule != "*" && s.rule != rule.name)) continue;
    if (std::all_of(s.labels.begin(), s.labels.end(), [&](const auto& kv) { return label_matches(labels, kv.first, kv.second); }))
      return true;
  }
  if (store == nullptr) return false;
  for (const auto& s : store->silences()) {
    if (at < s.starts || at >= s.ends || (s.rule != "*" && s.rule != rule.name)) continue;
    auto j = nlohmann::json::parse(s.labels_json, nullptr, false);
    bool all = j.is_object();
    for (auto it = j.begin(); all && it != j.end(); ++it)
      all = it->is_string() && label_matches(labels, it.key(), it->get<std::string>());
    if (all) return true;
  }
  return false;
}

Result<std::vector<std::vector<std::vector<Dimension>>>> Engine::discover(Time now) {
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

Result<std::size_t> Engine::fetch(Plan& plan, CycleReport& report) {
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
  return groups.size();
}

Result<CycleReport> Engine::run(Time now, StateStore* store, bool record, std::optional<Time> recorded_at) {
  const auto& rules = config_.rules;
  const Duration catch_up = config_.poll.catch_up;
  auto expansions = discover(now);
  if (!expansions) return expansions.error();
  Plan plan = make_plan(rules, expansions.value(), now, config_.poll.delay, catch_up);
  expansions.value() = {};  // copied into the plan (discovered_ keeps them for the next cycles)

  // Each instance is evaluated at every period step since its last evaluation (bounded by
  // catch_up), so what happened while the agent was down is still seen, once.
  struct Work {
    std::optional<StoredState> prev;
    std::vector<Time> steps;
  };
  std::vector<Work> work(plan.instances.size());
  for (std::size_t i = 0; i < plan.instances.size(); ++i) {
    const auto& inst = plan.instances[i];
    const auto& rule = rules[inst.rule];
    const Duration p = rule.metric.period;
    auto& w = work[i];
    w.prev = store ? store->get(rule.name, labels_text(inst.labels)) : std::nullopt;
    Time first = inst.window_end;
    if (w.prev && w.prev->window_end != Time{}) {
      if (w.prev->window_end >= inst.window_end) continue;  // no new whole period: nothing to evaluate
      first = std::max(w.prev->window_end + p, period_floor(inst.window_end - catch_up, p));
      first = std::min(first, inst.window_end);
    }
    for (Time t = first; t <= inst.window_end; t += p) w.steps.push_back(t);
    const Duration back = inst.window_end - first;
    for (const auto& in : inst.inputs) widen(plan, in.series, in.window_end - back - in.period * in.slots);
  }
  regroup(plan);

  CycleReport report;
  report.now = now;
  report.series = plan.series.size();
  report.results.reserve(plan.instances.size());
  if (auto fetched = fetch(plan, report); !fetched) return fetched.error();
  for (const auto& key : plan.series)
    if (const auto& pts = cache_.points(key); !pts.empty()) report.newest_datapoint.emplace_back(key.str(), pts.back().start);

  std::vector<StateUpdate> updates;
  WindowScratch scratch;
  std::map<std::string, std::map<std::string, AlarmState>> final_states;  // rule -> series -> state
  auto record_step = [&](const config::Rule& rule, const std::vector<Dimension>& labels, StoredState& cur, bool had_prev,
                         const Evaluation& eval, Time step_end, Time at, InstanceResult& res) {
    const std::string series = labels_text(labels);
    StateUpdate u;
    u.old_state = cur.state;
    const bool changed = !had_prev || cur.state != eval.state;
    u.transition = changed && !(!had_prev && eval.state == AlarmState::InsufficientData);
    if (changed) {
      cur.changed_at = at;
      if (u.transition) {
        report.transitions.push_back(Transition{at, &rule, labels, u.old_state, eval.state, eval.value, eval.reason});
        res.transition = true;
        log_.info("state change", {{"rule", rule.name},
                                   {"series", series},
                                   {"from", std::string(to_string(u.old_state))},
                                   {"to", std::string(to_string(eval.state))},
                                   {"reason", eval.reason}});
      }
    }
    const bool owes = u.transition && owes_notification(eval.state, cur.notified_state, notify_on(rule));
    const bool repeat = repeat_due(rule, cur, eval.state, at);
    cur.rule = rule.name;
    cur.series = series;
    cur.state = eval.state;
    cur.value = eval.value;
    if (!eval.reason.empty()) cur.reason = eval.reason;  // else: the reason of the last explained change stays
    cur.evaluated_at = at;
    cur.window_end = step_end;
    cur.marker = eval.marker;
    if (owes || repeat) {
      StateChange change{&rule, labels, u.old_state, eval, at, region_};
      u.outbox = outbox_rows(rule, change, series, silenced(rule, labels, at, store), recorded_at.value_or(at));
      cur.notified_state = std::string(to_string(eval.state));
      cur.notified_at = at;
      res.notifications += u.outbox.size();
      report.notifications += u.outbox.size();
    }
    u.state = cur;
    updates.push_back(std::move(u));
  };

  updates.reserve(plan.instances.size());
  for (std::size_t i = 0; i < plan.instances.size(); ++i) {
    const auto& inst = plan.instances[i];
    const auto& rule = rules[inst.rule];
    auto& w = work[i];
    InstanceResult res{&rule, inst.labels, w.prev ? w.prev->state : AlarmState::InsufficientData, {}, false, 0, true};
    bool had_prev = w.prev.has_value();
    StoredState cur = had_prev ? std::move(*w.prev) : StoredState{};
    w.prev.reset();  // moved into `cur`: 25,000 stored states are not held twice
    if (w.steps.empty()) {
      res.evaluated = false;
      res.evaluation = Evaluation{cur.state, cur.value, cur.reason, std::nullopt, cur.marker};
    }
    for (const Time step : w.steps) {
      const Time at = step == inst.window_end ? now : step + config_.poll.delay;
      const Previous previous{cur.state, cur.changed_at, cur.marker};
      // Decide the state first; the reason is written only where someone reads it: a change (history,
      // notification, log), a repeat notification, or every newest result when explaining results.
      res.evaluation = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch, Explain::No);
      const bool wanted = !had_prev || res.evaluation.state != cur.state || repeat_due(rule, cur, res.evaluation.state, at) ||
                          (explain_results_ && step == inst.window_end);
      if (wanted && res.evaluation.reason.empty())
        res.evaluation = evaluate_instance(rule, inst, step, plan, cache_, previous, at, scratch, Explain::Yes);
      record_step(rule, inst.labels, cur, had_prev, res.evaluation, step, at, res);
      had_prev = true;
    }
    if (res.evaluation.reason.empty()) res.evaluation.reason = cur.reason;
    final_states[rule.name][labels_text(inst.labels)] = res.evaluation.state;
    res.since = cur.changed_at;
    report.results.push_back(std::move(res));
  }
  std::vector<Work>().swap(work);  // every instance's steps and stored state are used up

  // Composite rules, from the states just computed (children evaluated above, in this cycle).
  for (const auto& rule : rules) {
    const auto* spec = std::get_if<CompositeSpec>(&rule.spec);
    if (!spec) continue;
    std::set<std::string> series_set;
    for (const auto* list : {&spec->all_of, &spec->any_of})
      for (const auto& child : *list)
        for (const auto& [series, state] : final_states[child]) series_set.insert(series);
    if (spec->across_labels || series_set.empty()) series_set = {""};
    for (const auto& series : series_set) {
      std::vector<ChildState> children;
      for (const auto* list : {&spec->all_of, &spec->any_of})
        for (const auto& child : *list)
          for (const auto& [s, state] : final_states[child])
            if (spec->across_labels || s == series) children.push_back({child, s, state});
      std::vector<Dimension> labels;
      for (const auto& r : report.results)
        if (labels_text(r.labels) == series) { labels = r.labels; break; }
      auto prev = store ? store->get(rule.name, series) : std::nullopt;
      StoredState cur = prev.value_or(StoredState{});
      InstanceResult res{&rule, labels, cur.state, evaluate_composite(*spec, children), false, 0, true};
      record_step(rule, labels, cur, prev.has_value(), res.evaluation, cur.window_end, now, res);
      res.since = cur.changed_at;
      final_states[rule.name][series] = res.evaluation.state;
      report.results.push_back(std::move(res));
    }
  }

  if (store && record) {
    std::string error;
    if (!store->commit(updates, error)) {
      aws::Error e;
      e.kind = aws::Error::Kind::Protocol;
      e.service = "state";
      e.operation = "commit";
      e.code = "StateStoreError";
      e.message = error;
      return e;
    }
  }
  std::stable_sort(report.transitions.begin(), report.transitions.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  return report;
}

}  // namespace bw::agent
