// baseline: is throughput well below (or above) what it should be, while work is waiting?
//
// k = slots_for(for, period); the newest k slots of `recent` are "the last `for`".
// value    = mean of the real datapoints among them (reported; value_time = the newest one's start).
// baseline = spec.expected, or learned from the real values in `history`: median (mean of the middle
//            two for an even count) or mean. With seasonal_daily only history slots whose time of day
//            overlaps the time of day of the last `for` count, so a 05:45-06:00 window at an hourly
//            history_period learns from the 05:00 slots of past days. Enough history means at least 3
//            values AND those values spanning at least half of `learn` (oldest start to newest end):
//            three points from one afternoon are not a week's baseline. learn = 0 waives the span.
//
// Decision, in this order:
//   1. `while` set and its newest real gate value does not satisfy (comparison, threshold) -> OK,
//      "...; not evaluated: NumberOfRecordsPendingProcessing is 0 (condition > 0 does not hold)".
//      A gate with no datapoints does not hold either: Bedrock publishes nothing for an idle queue, and
//      an idle queue is never an incident (nor a reason to sit in INSUFFICIENT_DATA all night).
//   2. no real datapoint in the last `for`                -> INSUFFICIENT_DATA.
//   3. no baseline (too little history, or baseline <= 0) -> INSUFFICIENT_DATA, never ALARM.
//   4. ALARM iff all k slots are real and every one is < below x baseline (for `below`), or every one
//      is > above x baseline (for `above`). Like a threshold with M = N = k and missing = notBreaching:
//      one recovered or missing period keeps it OK, so a value flapping around the line does not page.
//      Comparisons are strict: exactly 50% of baseline is not "below 50%".
// `previous` is not needed: the decision is re-derived from the windows each time.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>

#include "rules/human.hpp"
#include "rules/kinds.hpp"

namespace bw {

namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t time_of_day(Time t) { return ((epoch(t) % kDay) + kDay) % kDay; }

// Does [s, s + len) overlap [from, from + span) on the 24-hour circle?
bool overlaps_daily(Time s, Duration len, Time from, Duration span) {
  if (span.count() >= kDay) return true;
  const auto delta = ((time_of_day(s) - time_of_day(from)) % kDay + kDay) % kDay;
  return delta < span.count() || delta + len.count() > kDay;
}

struct Learned {
  std::optional<double> value;
  std::string how;  // "median of 7d", for the reason
  std::string why;  // why there is no baseline
};

Learned learn(const BaselineSpec& spec, const BaselineInputs& in, Time recent_from, Duration recent_span) {
  Learned out;
  if (spec.expected) {
    out.how = "expected";
    out.value = *spec.expected;
  } else {
    const bool median = spec.method == BaselineSpec::Method::Median;
    out.how = fmt::format("{} of {}{}", median ? "median" : "mean", format_duration(spec.learn),
                          spec.seasonal_daily ? " at this time of day" : "");
    std::vector<double> values;
    std::optional<Time> oldest, newest;
    for (const auto& slot : in.history) {
      if (!slot.value) continue;
      if (spec.seasonal_daily && !overlaps_daily(slot.start, in.history_period, recent_from, recent_span)) continue;
      values.push_back(*slot.value);
      if (!oldest || slot.start < *oldest) oldest = slot.start;
      if (!newest || slot.start > *newest) newest = slot.start;
    }
    const auto span = values.empty() ? Duration{0} : *newest + in.history_period - *oldest;
    if (values.size() < 3 || span * 2 < spec.learn) {
      out.why =
          fmt::format("baseline not learned: {} history datapoints spanning {} (need at least 3 spanning half of {})",
                      values.size(), format_duration(span), format_duration(spec.learn));
      return out;
    }
    if (median) {
      const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
      std::nth_element(values.begin(), mid, values.end());
      double m = *mid;
      if (values.size() % 2 == 0) m = (m + *std::max_element(values.begin(), mid)) / 2;
      out.value = m;
    } else {
      out.value = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    }
  }
  if (*out.value <= 0) {
    out.why = fmt::format("baseline {} ({}) gives no ratio", format_count(*out.value), out.how);
    out.value.reset();
  }
  return out;
}

std::string limits(const BaselineSpec& spec) {
  std::string out;
  if (spec.below) out = "alarm below " + format_percent(*spec.below);
  if (spec.above) out += (out.empty() ? "alarm above " : " or above ") + format_percent(*spec.above);
  return out;
}

}  // namespace

Evaluation evaluate_baseline(const BaselineSpec& spec, const BaselineInputs& in, const Previous& /*previous*/) {
  const auto k = static_cast<std::size_t>(slots_for(spec.for_, in.period));
  const auto from = in.recent.size() > k ? in.recent.size() - k : 0;
  Evaluation ev;

  double sum = 0;
  std::size_t real = 0;
  for (std::size_t i = from; i < in.recent.size(); ++i) {
    if (!in.recent[i].value) continue;
    sum += *in.recent[i].value;
    ++real;
    ev.value_time = in.recent[i].start;
  }
  if (real > 0) ev.value = sum / static_cast<double>(real);

  // Time of day of the last `for`, as if the window were complete.
  const Time recent_end = in.recent.empty() ? Time{} : in.recent.back().start + in.period;
  const Duration recent_span = in.period * static_cast<int>(k);
  const auto base = learn(spec, in, recent_end - recent_span, recent_span);

  std::string head = ev.value ? "Throughput " + format_count(*ev.value) : "Throughput has no datapoints";
  if (ev.value && base.value)
    head += fmt::format(" is {} of baseline {} ({}; {})", format_percent(*ev.value / *base.value),
                        format_count(*base.value), base.how, limits(spec));

  if (spec.while_) {
    const auto& c = *spec.while_;
    std::optional<double> gate;
    for (auto it = in.gate.rbegin(); it != in.gate.rend() && !gate; ++it) gate = it->value;
    if (!gate || !breaches(c.comparison, *gate, c.threshold)) {
      ev.state = AlarmState::Ok;
      ev.reason = fmt::format("{}; not evaluated: {} {} (condition {} {} {})", head, c.metric,
                              gate ? "is " + format_count(*gate) : std::string{"has no datapoints"},
                              symbol(c.comparison), format_count(c.threshold), gate ? "does not hold" : "cannot hold");
      return ev;
    }
  }
  if (!ev.value) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("{} in the last {}", head, format_duration(spec.for_));
    return ev;
  }
  if (!base.value) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("{}; {}", head, base.why);
    return ev;
  }

  std::size_t low = 0, high = 0;
  for (std::size_t i = from; i < in.recent.size(); ++i) {
    const auto& v = in.recent[i].value;
    if (!v) continue;
    if (spec.below && *v < *spec.below * *base.value) ++low;
    if (spec.above && *v > *spec.above * *base.value) ++high;
  }
  const bool complete = real == k;
  if (complete && (low == k || high == k)) {
    ev.state = AlarmState::Alarm;
    ev.reason = fmt::format("{} for {}", head, format_duration(spec.for_));
    return ev;
  }
  ev.state = AlarmState::Ok;
  ev.reason = head;
  if (!complete) ev.reason += fmt::format("; {} of {} periods missing (missing is not breaching)", k - real, k);
  if (low > 0 && low < k) ev.reason += fmt::format("; {} of {} periods below {}", low, k, format_percent(*spec.below));
  if (high > 0 && high < k) ev.reason += fmt::format("; {} of {} periods above {}", high, k, format_percent(*spec.above));
  return ev;
}

}  // namespace bw
