#pragma once
// What a cycle reports, and the CycleRecorder that turns each evaluation into the stored state, the
// history row and the notifications it owes (metric rules, composites and job rules alike).
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/cycle/planner.hpp"
#include "agent/cycle/series_trails.hpp"
#include "agent/log.hpp"
#include "agent/state/state_store.hpp"
#include "config/config.hpp"
#include "rules/jobs.hpp"

namespace bw::agent {

// What a cycle shows of one (rule, series). Kept small (the daemon holds one per instance at the
// cycle's peak: 88 bytes): the newest evaluation's state and value, not the whole Evaluation, and
// its reason as a view of text the report keeps alive.
struct InstanceResult {
  struct Shown {
    AlarmState state = AlarmState::InsufficientData;
    std::optional<double> value;
  };
  InstanceResult() = default;
  // `shown`: the newest evaluation (its reason is set apart: `reason`).
  InstanceResult(const config::Rule* r, LabelSet l, AlarmState old, const Evaluation& shown, bool was_evaluated = true)
      : rule(r), labels(std::move(l)), evaluation{shown.state, shown.value}, old_state(old), evaluated(was_evaluated) {}

  const config::Rule* rule = nullptr;
  LabelSet labels;  // never null
  Shown evaluation;  // the newest
  Time since{};      // when the state last changed (as stored after this cycle)
  // A metric rule's reason is the engine's kept one (KnownStates, alive while the report's `texts`
  // is held), referred to, not copied; a job or composite rule's is in the report's `other_texts`.
  std::string_view reason;
  std::size_t notifications = 0;                         // outbox rows queued by this cycle
  AlarmState old_state = AlarmState::InsufficientData;  // before this cycle
  bool transition = false;                               // any change during this cycle
  bool evaluated = true;  // false: no new period since the last evaluation; the stored state is shown
};

// A transition, as `backtest` prints it.
struct Transition {
  Time at{};
  const config::Rule* rule = nullptr;
  std::vector<Dimension> labels;
  AlarmState from = AlarmState::InsufficientData;
  AlarmState to = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
};

struct CycleReport {
  Time now{};
  std::vector<InstanceResult> results;
  std::vector<Transition> transitions;
  std::size_t series = 0;             // unique series the rules need
  std::size_t series_fetched = 0;     // of which fetched this cycle (the billed unit)
  std::size_t fetch_calls = 0;        // MetricSource::fetch calls (one per time range)
  std::size_t query_groups = 0;       // time ranges queried
  std::size_t datapoints = 0;
  std::size_t notifications = 0;
  std::map<std::string, std::size_t> silenced;  // of the notifications, those recorded as silenced, by target
  std::vector<std::pair<std::string, Time>> newest_datapoint;  // per series with data: its newest period start
  std::vector<StoredJob> jobs;        // the job view after this cycle (empty when jobs are not watched)
  std::size_t job_lists = 0;          // ListModelInvocationJobs passes made this cycle (one per scope)
  SeriesTrails trails;  // per result (composites have none): the recent curve the status page draws
  std::shared_ptr<const void> texts;  // owns the metric rules' results' reasons
  // Owns the other results' reasons (a deque: its strings never move). Shared, so that a copy of the
  // report, or a snapshot made from it, keeps them too.
  std::shared_ptr<std::deque<std::string>> other_texts = std::make_shared<std::deque<std::string>>();
  std::string_view keep_text(std::string text) { return other_texts->emplace_back(std::move(text)); }
};

// The states a rule notifies on: its notify_on, else ALARM and OK (DRAINED for a drained rule).
const std::vector<AlarmState>& notify_on(const config::Rule& rule);

// Whether a change to `state` owes a notification, given the last state one was owed for and the
// rule's notify_on(): OK only when it resolves a notified problem (no "OK" mail for every new series).
bool owes_notification(AlarmState state, const std::string& last_notified, const std::vector<AlarmState>& notify_on);

// Whether a run writes what it evaluated: a dry run reads the stored states and writes nothing.
enum class RunMode { Record, DryRun };

// A rule with `repeat` re-notifies while it stays in ALARM, once per repeat interval.
bool repeat_due(const config::Rule& rule, const StoredState& cur, AlarmState state, Time at);
// The reminder due at `at`: the last whole repeat interval after `notified_at` (so reminders keep the first
// notification's schedule), and the time its idempotency key is made of (that, to the minute).
Time next_reminder(Time notified_at, Duration repeat, Time at);
Time reminder_key_time(Time due);

// What the job watch adds to notifications (implemented by JobWatch, agent/cycle/job_watch.hpp).
class JobFacts {
 public:
  virtual ~JobFacts() = default;
  // For a drained notification of (`labels`): the jobs of that model (same account and region) that
  // reached a terminal status since the backlog was last above zero (`drain_marker` minus one
  // `period`), within jobs.lookback of `now`.
  virtual std::vector<JobSnapshot> finished_jobs(const std::vector<Dimension>& labels,
                                                 std::optional<Time> drain_marker, Duration period,
                                                 Time now) const = 0;
};

// What a job rule's evaluation carries besides the state: the job (for the payload), and whether
// the change is recorded without a notification (job_status of an old job seen on first start).
struct JobNotice {
  const JobSnapshot* job = nullptr;
  bool quiet = false;
};

// Whether a row last written with its evaluation at `written_at` is due to be written with the one at
// `evaluated_at`: once its own checkpoint slot boundary lies between them. Each (rule, series) has its
// slots shifted by a phase in [0, every) taken from a hash of its names, so rows written together (every
// row of a first cycle, or after a restart) are not all due in the same later cycle: each is written
// once per `every`, the rows spread evenly over it, and none lags more than `every`. Zero: every time.
bool checkpoint_due(std::string_view rule, std::string_view series, Time written_at, Time evaluated_at,
                    Duration every);

// Advances the stored state of a (rule, series) by each of its evaluations, and collects what the
// cycle commits: the state rows, the transitions (reported and logged) and the notifications owed.
// A state row is queued when something a later cycle or a restart needs changed (a new row, the state,
// a notification owed, the kind's marker), else once per `checkpoint` (see checkpoint()).
class CycleRecorder {
 public:
  CycleRecorder(const config::Config& config, const StateStore& store, Logger& log, const std::string& region,
                std::optional<Time> recorded_at, CycleReport& report, const JobFacts* jobs = nullptr,
                Duration checkpoint = Duration{0})
      : config_(config), store_(store), log_(log), region_(region), recorded_at_(recorded_at), report_(report),
        jobs_(jobs), checkpoint_(checkpoint) {}

  // `cur` is the state before `eval` (`had_prev`: one was stored), and is advanced to it. `step_end` is the
  // time of what was evaluated, the same on every replica: the period's end for a metric rule, the newest
  // period end among a composite's children, a job rule's time from the job (JobWatch). A transition's
  // idempotency key is made of it; `at` (the wall clock) is the payload's StateChangeTime.
  // Returns whether its row was queued (see the class comment).
  bool record(const config::Rule& rule, const std::vector<Dimension>& labels, StoredState& cur, bool had_prev,
              const Evaluation& eval, Time step_end, Time at, InstanceResult& result, const JobNotice& job = {});
  // After the last record() of a (rule, series) this cycle, when that one queued nothing: queues its row
  // if the row the store holds (`written_at`: its evaluated_at) has fallen a checkpoint behind `cur`
  // (checkpoint_due).
  // Returns whether it did.
  bool checkpoint(const StoredState& cur, Time written_at);

  std::vector<StateUpdate>& updates() { return updates_; }
  // Whether CycleReport::transitions is filled (backtest prints it; `once` and `run` read the results).
  void list_transitions(bool on) { list_transitions_ = on; }

 private:
  void report_transition(const config::Rule& rule, const std::vector<Dimension>& labels, const std::string& series,
                         AlarmState from, const Evaluation& eval, Time at, InstanceResult& result);
  // Whether a silence from the agent file or one added at run time (kept in the store) covers it.
  bool silenced(const config::Rule& rule, const std::vector<Dimension>& labels, Time at) const;
  // The silences added at run time (`batchwatch silence`), their labels parsed.
  static std::vector<config::Silence> added_silences(const StateStore& store);

  const config::Config& config_;
  const StateStore& store_;
  Logger& log_;
  const std::string& region_;
  std::optional<Time> recorded_at_;
  CycleReport& report_;
  const JobFacts* jobs_;
  Duration checkpoint_;
  bool list_transitions_ = true;
  mutable std::optional<std::vector<config::Silence>> added_silences_;  // read on first use
  std::vector<StateUpdate> updates_;
};

}  // namespace bw::agent
