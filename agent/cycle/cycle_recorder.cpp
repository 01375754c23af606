#include "agent/cycle/cycle_recorder.hpp"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

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

bool repeat_due(const config::Rule& rule, const StoredState& cur, AlarmState state, Time at) {
  return state == AlarmState::Alarm && cur.state == AlarmState::Alarm && rule.repeat && cur.notified_state == "ALARM" &&
         at - cur.notified_at >= *rule.repeat;
}

namespace {

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
  const auto key = idempotency_key(rule.name, change.labels, change.evaluation.state, change.key_at);
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

}  // namespace

Time next_reminder(Time notified_at, Duration repeat, Time at) {
  if (repeat <= Duration{0} || at < notified_at) return at;
  return notified_at + repeat * ((at - notified_at) / repeat);
}

Time reminder_key_time(Time due) { return std::chrono::floor<std::chrono::minutes>(due); }

bool CycleRecorder::record(const config::Rule& rule, const std::vector<Dimension>& labels, StoredState& cur,
                           bool had_prev, const Evaluation& eval, Time step_end, Time at, InstanceResult& result,
                           const JobNotice& job) {
  const std::string series = labels_text(labels);
  const bool marker_moved = cur.marker != eval.marker;
  StateUpdate u;
  u.old_state = cur.state;
  const bool changed = !had_prev || cur.state != eval.state;
  // A new series that starts in INSUFFICIENT_DATA has not changed: it has only begun.
  u.transition = changed && !(!had_prev && eval.state == AlarmState::InsufficientData);
  if (changed) cur.changed_at = at;
  if (u.transition) report_transition(rule, labels, series, u.old_state, eval, at, result);
  const bool owes =
      u.transition && !job.quiet && owes_notification(eval.state, cur.notified_state, notify_on(rule));
  const bool repeat = repeat_due(rule, cur, eval.state, at);  // against the state before this evaluation
  advance(cur, rule, series, eval, step_end, at);
  if (owes || repeat) {
    // A reminder keeps to the schedule of the first notification (no drift from late cycles), and is keyed
    // by its due time to the minute: replicas whose cycles run seconds apart key it alike.
    const Time notified_at = owes ? at : next_reminder(cur.notified_at, *rule.repeat, at);
    const Time key_at = owes ? step_end : reminder_key_time(notified_at);
    StateChange change{&rule, labels, u.old_state, eval, at, region_, job.job, {}, key_at};
    if (jobs_ && std::holds_alternative<DrainedSpec>(rule.spec))
      change.jobs = jobs_->finished_jobs(labels, eval.marker, rule.metric.period, at);
    const bool quiet = silenced(rule, labels, at);
    u.outbox = outbox_rows(rule, change, series, quiet, recorded_at_.value_or(at));
    if (quiet)
      for (const auto& row : u.outbox) ++report_.silenced[row.target];
    cur.notified_state = std::string(to_string(eval.state));
    cur.notified_at = notified_at;
    result.notifications += u.outbox.size();
    report_.notifications += u.outbox.size();
  }
  // window_end, evaluated_at and value move every cycle; re-evaluating those periods after a restart
  // changes nothing (the state, marker and notified state it starts from are these), so they wait.
  if (had_prev && !changed && !owes && !repeat && !marker_moved) return false;
  u.state = cur;
  updates_.push_back(std::move(u));
  return true;
}

bool checkpoint_due(std::string_view rule, std::string_view series, Time written_at, Time evaluated_at,
                    Duration every) {
  if (evaluated_at <= written_at) return false;
  if (every <= Duration{0}) return true;
  if (evaluated_at - written_at >= every) return true;
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a: the same phase on every run and every replica
  for (const auto part : {rule, std::string_view("\0", 1), series})
    for (const unsigned char c : part) h = (h ^ c) * 1099511628211ull;
  const auto span = every.count();
  const auto phase = static_cast<Duration::rep>(h % static_cast<std::uint64_t>(span));
  const auto slot = [&](Time t) {  // floor((t - phase) / every), for times before the epoch too
    const auto x = t.time_since_epoch().count() - phase;
    return x >= 0 ? x / span : -((-x + span - 1) / span);
  };
  return slot(evaluated_at) > slot(written_at);
}

bool CycleRecorder::checkpoint(const StoredState& cur, Time written_at) {
  if (!checkpoint_due(cur.rule, cur.series, written_at, cur.evaluated_at, checkpoint_)) return false;
  updates_.push_back(StateUpdate{cur, false, cur.state, {}});
  return true;
}

void CycleRecorder::report_transition(const config::Rule& rule, const std::vector<Dimension>& labels,
                                      const std::string& series, AlarmState from, const Evaluation& eval, Time at,
                                      InstanceResult& result) {
  if (list_transitions_) report_.transitions.push_back(Transition{at, &rule, labels, from, eval.state, eval.value, eval.reason});
  result.transition = true;
  if (!log_.enabled(LogLevel::Info)) return;  // a first cycle has a transition per series: skip building the fields
  log_.info("state change", {{"rule", rule.name},
                             {"series", series},
                             {"from", std::string(to_string(from))},
                             {"to", std::string(to_string(eval.state))},
                             {"reason", eval.reason}});
}

bool CycleRecorder::silenced(const config::Rule& rule, const std::vector<Dimension>& labels, Time at) const {
  const auto covers = [&](const config::Silence& s) {
    return at >= s.starts && at < s.ends && (s.rule == "*" || s.rule == rule.name) &&
           std::all_of(s.labels.begin(), s.labels.end(),
                       [&](const auto& kv) { return label_matches(labels, kv.first, kv.second); });
  };
  if (std::any_of(config_.silences.begin(), config_.silences.end(), covers)) return true;
  if (!added_silences_) added_silences_ = added_silences(store_);
  return std::any_of(added_silences_->begin(), added_silences_->end(), covers);
}

// Read once per cycle, on the first notification owed (a first cycle or a storm owes hundreds), not
// once per notification, into the agent file's form. A silence whose labels are not an object of
// strings matches nothing.
std::vector<config::Silence> CycleRecorder::added_silences(const StateStore& store) {
  std::vector<config::Silence> out;
  for (auto& s : store.silences()) {
    auto j = nlohmann::json::parse(s.labels_json, nullptr, false);
    bool valid = j.is_object();
    config::Silence added{std::move(s.rule), {}, s.starts, s.ends, {}};
    for (auto it = j.begin(); valid && it != j.end(); ++it) {
      valid = it->is_string();
      if (valid) added.labels.emplace(it.key(), it->get<std::string>());
    }
    if (valid) out.push_back(std::move(added));
  }
  return out;
}

}  // namespace bw::agent
