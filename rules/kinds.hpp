#pragma once
// The rule kinds beyond `threshold`: their settings and their pure evaluation functions.
// Every function here is pure: windows, the previous state and `now` are parameters.
// Windows are period slots, oldest first, ending at the newest trusted period (see make_window).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rules/alarm.hpp"
#include "rules/series.hpp"
#include "rules/tz.hpp"

namespace bw {

// What the store remembers of a (rule, series) between evaluations.
struct Previous {
  AlarmState state = AlarmState::InsufficientData;
  Time changed_at{};
  std::optional<Time> marker;  // kind-specific memory (drained: where the last drain began)
};

// Evaluation::marker carries the kind-specific memory back to the store (see Previous::marker).

// How many `period` slots cover `span`: ceil(span / period), at least 1. The window sizes the kinds
// below look at (drained's `for`, absent's `for`, baseline's `for`).
int slots_for(Duration span, Duration period);

struct JobSnapshot;  // rules/jobs.hpp

// --- drained: backlog > 0 followed by backlog == 0 held for `hold` fires DRAINED once per drain.
struct DrainedSpec {
  Duration hold{300};            // `for:` the backlog must stay at zero this long
  bool missing_is_zero = false;  // `treat_missing_data: zero`; otherwise missing is not zero
  bool wait_for_jobs = false;    // `wait_for_jobs: true`: no DRAINED while a job of the model is active
};
// `active_job`: an active job (is_active_job_status) of the series' modelId, same account and region;
// nullptr when none. With wait_for_jobs a would-be drain is held (OK, marker = where the zero run
// began) until no job is active, then fires once, even if the window no longer shows the zeros.
Evaluation evaluate_drained(const DrainedSpec& spec, const std::vector<Slot>& backlog, Duration period,
                            const Previous& previous, const JobSnapshot* active_job = nullptr);

// --- absent: no datapoint at all for `for` (metrics stopped, permissions lost, wrong region).
struct AbsentSpec {
  Duration for_{900};
};
Evaluation evaluate_absent(const AbsentSpec& spec, const std::vector<Slot>& window, Duration period);

// --- baseline: throughput compared with what it should be, gated on work still pending.
struct Condition {
  std::string metric;  // another metric of the same namespace and labels
  std::string stat = "Maximum";
  Comparison comparison = Comparison::Greater;
  double threshold = 0;
};
struct BaselineSpec {
  std::optional<double> expected;  // static baseline; else learned
  Duration learn{0};               // learned from this much history of the same series
  enum class Method { Median, Mean } method = Method::Median;
  bool seasonal_daily = false;  // learn from the same time of day on past days
  std::optional<double> below;  // fraction: 0.5 for `below: 50%` (alarm when value < 50% of baseline)
  std::optional<double> above;  // fraction: 2.0 for `above: 200%`
  Duration for_{900};
  std::optional<Condition> while_;
};
struct BaselineInputs {
  std::vector<Slot> recent;  // the metric over `for`, at the rule's period
  Duration period{300};
  std::vector<Slot> history;  // the metric over `learn` (ending where `recent` begins), at history_period
  Duration history_period{3600};
  std::vector<Slot> gate;  // the `while` metric, newest slots (same period as recent)
};
Evaluation evaluate_baseline(const BaselineSpec& spec, const BaselineInputs& in, const Previous& previous);

// --- deadline: will the backlog drain before the deadline at the recent rate?
struct DailyDeadline {
  int minute_of_day = 360;  // 06:00
  TimeZone zone;            // IANA zone, e.g. America/Chicago
  std::string text;         // as written, for reasons
};
struct DeadlineSpec {
  std::variant<DailyDeadline, Time> deadline;
  int rate_periods = 3;    // the projection averages this many periods of the rate metric
  Duration rate_per{60};   // the rate metric counts per this long (Bedrock: per minute)
};
// The deadline after `now`: minute_of_day on the zone's local date of `now` if that instant is
// strictly after `now`, else on the next local date (each resolved by TimeZone::to_utc, so a gap
// time means the end of the gap and an overlap time its first occurrence).
Time next_deadline(const DailyDeadline& deadline, Time now);
// A daily deadline that passes while the rule is in ALARM and work is still pending stays the
// deadline (marker) until the backlog drains: a missed night is not rescheduled to tomorrow.
Evaluation evaluate_deadline(const DeadlineSpec& spec, const std::vector<Slot>& backlog,
                             const std::vector<Slot>& rate, Time now, const Previous& previous = {});

// --- cost: token burn rate priced per model, against a budget.
struct Price {
  double input_per_million = 0;   // USD per 1M input tokens, on-demand
  double output_per_million = 0;  // USD per 1M output tokens, on-demand
  double batch_discount = 0.5;    // batch price = on-demand × (1 − discount)
};
struct CostSpec {
  std::optional<double> per_hour;  // USD budget
  std::optional<double> per_day;   // USD budget, against the projected daily cost
};
// input/output: tokens-per-minute windows (newest slots). The projected daily cost is put in
// Evaluation::value (USD/day) and stated in the reason.
Evaluation evaluate_cost(const CostSpec& spec, const Price& price, const std::vector<Slot>& input_tpm,
                         const std::vector<Slot>& output_tpm);

// --- composite: like CloudWatch composite alarms, over the states of other rules.
struct CompositeSpec {
  std::vector<std::string> all_of;
  std::vector<std::string> any_of;
  bool across_labels = false;  // false: children of the same labels; true: any series of the child rules
};
struct ChildState {
  std::string rule;
  std::string series;  // labels text
  AlarmState state = AlarmState::InsufficientData;
};
Evaluation evaluate_composite(const CompositeSpec& spec, const std::vector<ChildState>& children);

}  // namespace bw
