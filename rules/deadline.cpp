// deadline: at the recent processing rate, will the backlog be gone before the deadline?
//
// backlog = the newest real datapoint of the backlog window (reaching back past gaps).
// rate    = mean of the newest `rate_periods` real datapoints of the rate window, reaching back past
//           gaps; fewer are used when the window holds fewer, and the reason says how many.
// Decision:
//   no backlog datapoint                   -> INSUFFICIENT_DATA (nothing to project).
//   backlog <= 0                           -> OK, "nothing pending", value 0.
//   no rate datapoint, or mean rate <= 0   -> ALARM "... not draining": work is waiting and nothing is
//                                             being processed (Bedrock publishes no rate when idle).
//   otherwise finish = now + backlog / rate x rate_per, rounded up to the second, and
//                                          -> ALARM iff finish > deadline (finishing exactly at the
//                                             deadline is in time).
// The projection starts at `now`, not at the backlog datapoint's timestamp: CloudWatch lags a few
// minutes and counting that lag again would be optimistic.
// The deadline is an absolute Time as given, or for a daily "06:00 America/Chicago" the first instant
// strictly after `now` at which that zone's clock reads 06:00 (next_deadline). Once today's deadline
// has passed the projection is held against tomorrow's: a daily batch that missed today has alarmed
// already, and the rule now watches the next night.
// value = projected minutes to finish (0 when nothing is pending, unset when not draining).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <string>

#include "rules/human.hpp"
#include "rules/kinds.hpp"

namespace bw {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr double kMaxSeconds = 1e11;  // ~3000 years: beyond any deadline, and Time stays in range

std::string per_text(Duration per) {
  if (per == Duration{60}) return "min";
  if (per == Duration{1}) return "s";
  if (per == Duration{3600}) return "h";
  return format_duration(per);
}

std::string periods(std::size_t n) { return fmt::format("{} period{}", n, n == 1 ? "" : "s"); }

}  // namespace

Time next_deadline(const DailyDeadline& deadline, Time now) {
  const auto local = epoch(now) + deadline.zone.offset_at(now);
  auto day = local / kDay - (local % kDay < 0 ? 1 : 0);
  for (int i = 0; i < 3; ++i, ++day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    const auto t = deadline.zone.to_utc(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                        static_cast<unsigned>(ymd.day()), deadline.minute_of_day);
    if (t > now) return t;
  }
  return now + Duration{kDay};  // unreachable for minute_of_day within a day
}

namespace {

// The deadline an evaluation is held against, as a time and as the reason spells it.
struct Due {
  Time at;
  std::string text;
  bool missed = false;  // a daily deadline that passed while the rule was in ALARM for it
};

Due due_deadline(const DeadlineSpec& spec, Time now, const Previous& previous) {
  Due due;
  const auto* daily = std::get_if<DailyDeadline>(&spec.deadline);
  if (!daily) {
    due.at = std::get<Time>(spec.deadline);
    due.text = format_rfc3339(due.at);
    return due;
  }
  due.at = next_deadline(*daily, now);
  // Still in ALARM for a deadline that has passed: keep that deadline (see kinds.hpp).
  if (previous.state == AlarmState::Alarm && previous.marker && *previous.marker <= now) {
    due.at = *previous.marker;
    due.missed = true;
  }
  const auto written = daily->text.empty() ? fmt::format("{:02}:{:02} {}", daily->minute_of_day / 60,
                                                         daily->minute_of_day % 60, daily->zone.name())
                                           : daily->text;
  due.text = fmt::format("{} ({})", written, format_rfc3339(due.at));
  return due;
}

}  // namespace

Evaluation evaluate_deadline(const DeadlineSpec& spec, const std::vector<Slot>& backlog, const std::vector<Slot>& rate,
                             Time now, const Previous& previous) {
  Evaluation ev;
  const auto [due, due_text, missed] = due_deadline(spec, now, previous);

  for (auto it = backlog.rbegin(); it != backlog.rend() && !ev.value; ++it) {
    ev.value = it->value;
    ev.value_time = it->start;
  }
  if (!ev.value) {
    ev.value_time.reset();
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("No backlog datapoints in the last {}; deadline {}", periods(backlog.size()), due_text);
    return ev;
  }
  const double pending = *ev.value;
  if (missed && pending > 0) {
    ev.state = AlarmState::Alarm;
    ev.marker = due;
    ev.reason = fmt::format("Deadline {} passed with backlog {} still pending", due_text, format_count(pending));
    return ev;
  }
  if (pending <= 0) {
    ev.state = AlarmState::Ok;
    ev.value = 0.0;
    ev.reason = fmt::format("Backlog {}: nothing pending; deadline {}", format_count(pending), due_text);
    return ev;
  }

  double sum = 0;
  std::size_t used = 0;
  const auto want = static_cast<std::size_t>(std::max(spec.rate_periods, 1));
  for (auto it = rate.rbegin(); it != rate.rend() && used < want; ++it) {
    if (!it->value) continue;
    sum += *it->value;
    ++used;
  }
  const auto unit = per_text(spec.rate_per);
  if (used == 0 || sum <= 0) {
    ev.state = AlarmState::Alarm;
    ev.marker = due;
    ev.value.reset();
    ev.reason =
        fmt::format("Backlog {} is not draining: {}; deadline {}", format_count(pending),
                    used == 0 ? fmt::format("no rate datapoints in the last {}", periods(rate.size()))
                              : fmt::format("rate {} (mean of {})", format_rate(sum / used, unit), periods(used)),
                    due_text);
    return ev;
  }
  const double mean = sum / static_cast<double>(used);
  const double seconds = std::min(std::ceil(pending / mean * static_cast<double>(spec.rate_per.count())), kMaxSeconds);
  const Time finish = now + Duration{static_cast<std::int64_t>(seconds)};
  ev.value = seconds / 60;
  ev.state = finish > due ? AlarmState::Alarm : AlarmState::Ok;
  if (ev.state == AlarmState::Alarm) ev.marker = due;
  ev.reason = fmt::format("Projected finish {} (backlog {} at {}, mean of {}) is {} the deadline {}",
                          format_rfc3339(finish), format_count(pending), format_rate(mean, unit), periods(used),
                          finish > due ? "after" : (finish == due ? "at" : "before"), due_text);
  return ev;
}

}  // namespace bw
