// absent: the agent is blind. No datapoint at all for `for` means metrics stopped, permissions were
// lost, or the rule points at the wrong region; a value of any size, zero included, is a sign of life.
//
// k = slots_for(for, period); only the newest k slots of the window decide:
//   any real datapoint in them                -> OK, value = the newest one.
//   none, and the window has at least k slots -> ALARM "No datapoints for 15m (since 22/11/26 05:45:00)",
//                                                "since" being the start of the oldest of those k slots;
//                                                an older datapoint still in the window is named too.
//   none, and the window is shorter than k    -> INSUFFICIENT_DATA: the window cannot show `for` of
//                                                silence, and claiming absence would be a guess.
// No previous state is needed: absence is a condition, re-derived from the window every time.
#include <fmt/format.h>

#include <string>

#include "rules/human.hpp"
#include "rules/kinds.hpp"

namespace bw {

int slots_for(Duration span, Duration period) {
  if (period.count() <= 0 || span.count() <= 0) return 1;
  return static_cast<int>((span.count() + period.count() - 1) / period.count());
}

Evaluation evaluate_absent(const AbsentSpec& spec, const std::vector<Slot>& window, Duration period) {
  const auto k = static_cast<std::size_t>(slots_for(spec.for_, period));
  const auto from = window.size() > k ? window.size() - k : 0;
  Evaluation ev;
  for (std::size_t i = window.size(); i-- > from;) {
    if (!window[i].value) continue;
    ev.state = AlarmState::Ok;
    ev.value = window[i].value;
    ev.value_time = window[i].start;
    ev.reason = fmt::format("Newest datapoint {} at {}", format_count(*ev.value),
                            format_cloudwatch_reason_time(window[i].start));
    return ev;
  }
  if (window.size() < k) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("No datapoints in the {} periods available, fewer than the {} that cover {}", window.size(),
                            k, format_duration(spec.for_));
    return ev;
  }
  ev.state = AlarmState::Alarm;
  ev.reason = fmt::format("No datapoints for {} (since {})", format_duration(spec.for_),
                          format_cloudwatch_reason_time(window[from].start));
  for (std::size_t i = from; i-- > 0;) {
    if (!window[i].value) continue;
    ev.reason += fmt::format("; the last one was {} at {}", format_count(*window[i].value),
                             format_cloudwatch_reason_time(window[i].start));
    break;
  }
  return ev;
}

}  // namespace bw
