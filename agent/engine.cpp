#include "agent/engine.hpp"

#include <fmt/format.h>

#include "agent/notification.hpp"
#include "rules/threshold.hpp"

namespace bw::agent {

bool owes_notification(AlarmState state, const std::string& last_notified) {
  switch (state) {
    case AlarmState::Alarm:
    case AlarmState::Drained: return true;
    case AlarmState::Ok: return last_notified == "ALARM";
    case AlarmState::InsufficientData: return false;
  }
  return false;
}

namespace {

Evaluation evaluate(const config::Rule& rule, const std::vector<Datapoint>& points, const Instance& inst,
                    AlarmState previous) {
  const auto window = make_window(points, inst.window_end, rule.metric.period, inst.slots);
  return std::visit(
      [&](const auto& spec) -> Evaluation {
        using Spec = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<Spec, ThresholdSpec>) return evaluate_threshold(spec, window, previous);
      },
      rule.spec);
}

}  // namespace

Result<CycleReport> Engine::run(Time now, StateStore* store, bool record) {
  const auto& rules = config_.rules;
  std::vector<std::vector<std::vector<Dimension>>> expansions(rules.size());
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (!rules[r].metric.has_wildcard()) continue;
    auto found = source_.discover(rules[r].metric);
    if (!found) return found.error();
    log_.debug("discovered series", {{"rule", rules[r].name}, {"count", std::to_string(found->size())}});
    expansions[r] = std::move(found.value());
  }
  const Plan plan = make_plan(rules, expansions, now, config_.poll.delay);

  CycleReport report;
  report.now = now;
  report.series = plan.series.size();
  report.query_groups = plan.groups.size();
  std::vector<std::vector<Datapoint>> points(plan.series.size());
  for (const auto& group : plan.groups) {
    std::vector<SeriesKey> keys;
    keys.reserve(group.series.size());
    for (auto s : group.series) keys.push_back(plan.series[s]);
    auto fetched = source_.fetch(keys, group.start, group.end);
    if (!fetched) return fetched.error();
    for (std::size_t i = 0; i < group.series.size(); ++i) {
      report.datapoints += fetched.value()[i].size();
      points[group.series[i]] = std::move(fetched.value()[i]);
    }
  }

  std::vector<StateUpdate> updates;
  for (const auto& inst : plan.instances) {
    const auto& rule = rules[inst.rule];
    const std::string series = labels_text(inst.labels);
    std::optional<StoredState> prev = store ? store->get(rule.name, series) : std::nullopt;
    const AlarmState old_state = prev ? prev->state : AlarmState::InsufficientData;
    InstanceResult res{&rule, inst.labels, old_state, evaluate(rule, points[inst.series], inst, old_state), false, 0};
    res.transition = !prev || prev->state != res.evaluation.state;

    StateUpdate u;
    u.old_state = old_state;
    u.state.rule = rule.name;
    u.state.series = series;
    u.state.state = res.evaluation.state;
    u.state.value = res.evaluation.value;
    u.state.reason = res.evaluation.reason;
    u.state.evaluated_at = now;
    u.state.changed_at = res.transition ? now : prev->changed_at;
    u.state.notified_state = prev ? prev->notified_state : "";
    // A first evaluation into INSUFFICIENT_DATA is the starting state, not a change worth a history row.
    u.transition = res.transition && !(!prev && res.evaluation.state == AlarmState::InsufficientData);
    if (res.transition && owes_notification(res.evaluation.state, u.state.notified_state)) {
      u.state.notified_state = std::string(to_string(res.evaluation.state));
      StateChange change{&rule, inst.labels, old_state, res.evaluation, now, region_};
      const auto msg = message(change).dump();
      const auto subj = subject(change);
      const auto key = idempotency_key(rule.name, inst.labels, res.evaluation.state, now);
      for (const auto& target : rule.notify) {
        OutboxRow row;
        row.idempotency_key = key;
        row.target = target;
        row.subject = subj;
        row.payload = msg;
        row.rule = rule.name;
        row.series = series;
        row.state = std::string(to_string(res.evaluation.state));
        row.created_at = now;
        row.next_attempt_at = now;
        u.outbox.push_back(std::move(row));
      }
      res.notifications = u.outbox.size();
      report.notifications += u.outbox.size();
    }
    if (res.transition) {
      log_.info("state change", {{"rule", rule.name},
                                 {"series", series},
                                 {"from", std::string(to_string(old_state))},
                                 {"to", std::string(to_string(res.evaluation.state))},
                                 {"reason", res.evaluation.reason}});
    }
    updates.push_back(std::move(u));
    report.results.push_back(std::move(res));
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
  return report;
}

}  // namespace bw::agent
