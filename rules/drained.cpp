// drained: "the backlog went from > 0 to 0 and stayed there for `for`" fires DRAINED once per drain,
// so downstream work can start. It is an event, not a condition: the state machine below makes it fire
// exactly once per fill/drain cycle, also across agent restarts that re-read the same window.
//
// k = slots_for(hold, period) zero slots are needed. A slot's value is its datapoint; a missing slot is
// 0 only with `treat_missing_data: zero` (missing_is_zero), otherwise it is *unknown* and breaks a zero
// run: Bedrock publishes nothing when no job runs, so silence proves nothing about the backlog. The
// zero run is counted back from the newest real datapoint: trailing silence after it neither counts
// as zero nor hides it (Bedrock publishes zeros for a while after a job ends, then nothing, and an
// agent that starts later must still see that drain). Its first slot is the drain's start.
//
// States (previous -> next):
//   INSUFFICIENT_DATA: no backlog seen yet. Armed iff the window holds a real value > 0. Unarmed it
//     stays INSUFFICIENT_DATA even over hours of zeros: a queue that never had work did not drain.
//     A first start with no stored state whose catch-up window holds a fill and its drain reports that
//     drain once: the operator asked to be told, and nothing says anyone was.
//   OK: backlog seen since the last drain (armed). ALARM from an older rule kind is treated as unarmed.
//   From INSUFFICIENT_DATA or OK, when armed (window value > 0, or previous OK):
//     zero run >= k            -> DRAINED, marker = start of the run's first slot.
//     otherwise                -> OK (pending, or zero but not for long enough, or the run is broken
//                                 by a missing slot: the state is kept, not guessed).
//   DRAINED: stays DRAINED, returning previous.marker, until a real value > 0 appears in a slot that
//     starts at or after the marker -> OK (re-armed). That covers a late datapoint filling a slot the
//     drain counted as missing-is-zero, or a new fill. Values before the marker are the fill that
//     drained, which is why a restart re-reading the same window does not fire again. Re-arming always
//     passes through OK, even when the window already shows the next drain: the next evaluation then
//     fires it, so the store sees DRAINED -> OK -> DRAINED and every drain is a transition. With no
//     marker stored (an old row), only a newest real value > 0 re-arms.
//
// wait_for_jobs: a drain that would fire while a job of the model is active (Submitted ... Stopping:
//   the next job may still be Scheduled, or the last one still writing) is held: OK, with the start of
//   the zero run as marker (an OK state has no other use for one), reason "... held: job NAME is
//   STATUS". Held drains are an OK row with a marker and no real value > 0 since it; once no job is
//   active, the drain fires with that marker, also when the window has slid past the zeros into the
//   silence Bedrock leaves after a job (the zero run was already proven when it was held). A rise after
//   the marker cancels the held drain: that fill drains, and fires, on its own, so still once per drain.
//
// value/value_time: the newest real datapoint (missing-is-zero substitutes are not values).
// Reasons: "Backlog drained: 0 for 5m since 22/11/26 03:10:00 after 1.2k", "Backlog 1.2k pending",
// "No backlog seen in the last 10 periods".
#include <fmt/format.h>

#include <string>
#include <utility>

#include "rules/human.hpp"
#include "rules/jobs.hpp"
#include "rules/kinds.hpp"

namespace bw {

namespace {

struct Scan {
  std::optional<std::size_t> newest_real;  // index
  int run = 0;                             // trailing zero slots
  std::optional<std::size_t> breaker;      // index of the slot that ended the run, if any
  bool any_positive = false;
  std::size_t run_end = 0;                 // one past the run's newest slot
};

Scan scan(const std::vector<Slot>& w, bool missing_is_zero) {
  Scan s;
  for (std::size_t i = w.size(); i-- > 0;) {
    if (w[i].value) {
      if (!s.newest_real) s.newest_real = i;
      if (*w[i].value > 0) s.any_positive = true;
    }
  }
  std::size_t end = w.size();
  if (!missing_is_zero)
    while (end > 0 && !w[end - 1].value) --end;  // trailing silence: skipped, not zero
  if (end == 0) end = w.size();                  // nothing real at all: let the run logic report it
  s.run_end = end;
  for (std::size_t i = end; i-- > 0;) {
    const auto v = w[i].value ? w[i].value : (missing_is_zero ? std::optional<double>{0.0} : std::nullopt);
    if (!v || *v != 0) {
      s.breaker = i;
      break;
    }
    ++s.run;
  }
  return s;
}

std::string when(Time t) { return format_cloudwatch_reason_time(t); }

std::size_t first_zero_slot(const Scan& s) { return s.run_end - static_cast<std::size_t>(s.run); }

// The slot that re-arms a drain: a real value > 0 at or after the marker; with no marker stored (an
// old row), only a newest real value > 0.
const Slot* rearming_rise(const std::vector<Slot>& backlog, const Scan& s, const Previous& previous) {
  if (!previous.marker) {
    const Slot* newest = s.newest_real ? &backlog[*s.newest_real] : nullptr;
    return newest && *newest->value > 0 ? newest : nullptr;
  }
  for (const auto& slot : backlog)
    if (slot.value && *slot.value > 0 && slot.start >= *previous.marker) return &slot;
  return nullptr;
}

// From DRAINED: OK when the backlog rose again, otherwise DRAINED with the stored marker.
Evaluation after_drain(Evaluation ev, const std::vector<Slot>& backlog, const Scan& s, const Previous& previous,
                       const std::string& latest) {
  if (const Slot* rise = rearming_rise(backlog, s, previous)) {
    ev.state = AlarmState::Ok;
    ev.reason = fmt::format(
        "Backlog rose again to {} at {}{}; re-armed (latest {})", format_count(*rise->value), when(rise->start),
        previous.marker ? " after draining since " + when(*previous.marker) : std::string{}, latest);
    return ev;
  }
  ev.state = AlarmState::Drained;
  ev.marker = previous.marker;
  ev.reason = previous.marker ? fmt::format("Backlog drained since {} (latest {})", when(*previous.marker), latest)
                              : fmt::format("Backlog drained (latest {})", latest);
  return ev;
}

// The zero run is long enough: DRAINED, marked at the run's first slot, naming the backlog it followed.
Evaluation drain(Evaluation ev, const std::vector<Slot>& backlog, const Scan& s, Duration period) {
  const auto first_zero = first_zero_slot(s);
  ev.state = AlarmState::Drained;
  ev.marker = backlog[first_zero].start;
  std::string after = "a backlog seen earlier";
  for (std::size_t i = first_zero; i-- > 0;)
    if (backlog[i].value && *backlog[i].value > 0) {
      after = format_count(*backlog[i].value);
      break;
    }
  ev.reason = fmt::format("Backlog drained: 0 for {} since {} after {}", format_duration(period * s.run),
                          when(*ev.marker), after);
  return ev;
}

// Armed but not drained: OK, with why (backlog pending, unknown, or zero for too short a time).
Evaluation not_drained_yet(Evaluation ev, const DrainedSpec& spec, const std::vector<Slot>& backlog, const Scan& s,
                           Duration period, const std::string& latest) {
  ev.state = AlarmState::Ok;
  const Slot* breaker = s.breaker ? &backlog[*s.breaker] : nullptr;
  if (!breaker && s.run == 0) {  // an empty window: nothing to change the kept state
    ev.reason = "Backlog unknown: no slots to evaluate";
    return ev;
  }
  if (s.run == 0) {
    if (s.run_end < backlog.size()) breaker = &backlog[s.run_end];  // the silence after the newest value
    if (breaker->value) {
      ev.reason = fmt::format("Backlog {} pending", format_count(*breaker->value));
    } else {
      ev.reason =
          fmt::format("Backlog unknown: no datapoint at {} (missing is not zero; latest {}{})", when(breaker->start),
                      latest, ev.value_time ? " at " + when(*ev.value_time) : std::string{});
    }
    return ev;
  }
  ev.reason = fmt::format("Backlog 0 for {} since {}, drained once 0 for {}", format_duration(period * s.run),
                          when(backlog[first_zero_slot(s)].start), format_duration(spec.hold));
  if (breaker && !breaker->value)
    ev.reason +=
        fmt::format("; the missing datapoint at {} breaks the zero run (missing is not zero)", when(breaker->start));
  else if (breaker)
    ev.reason += fmt::format(" (after {})", format_count(*breaker->value));
  return ev;
}

// A drain held for a job on an earlier evaluation (an OK row with a marker) that no rise has
// cancelled since: where it began.
std::optional<Time> held_drain(const std::vector<Slot>& backlog, const Previous& previous) {
  if (previous.state != AlarmState::Ok || !previous.marker) return std::nullopt;
  for (const auto& slot : backlog)
    if (slot.value && *slot.value > 0 && slot.start >= *previous.marker) return std::nullopt;
  return previous.marker;
}

// The drain condition holds but a job of the model is still active: stay armed (OK), remember where
// the drain began.
Evaluation hold_for_job(Evaluation ev, const std::vector<Slot>& backlog, const Scan& s, std::optional<Time> held,
                        bool zero_long_enough, const JobSnapshot& job) {
  ev.state = AlarmState::Ok;
  ev.marker = held;
  if (zero_long_enough && (!ev.marker || backlog[first_zero_slot(s)].start < *ev.marker))
    ev.marker = backlog[first_zero_slot(s)].start;
  ev.reason = fmt::format("Backlog at zero since {}, held: job {} is {}", when(*ev.marker), job.name, job.status);
  return ev;
}

// No job holds it any more: the drain fires, at the earliest start known (held or seen).
Evaluation release(Evaluation ev, const std::vector<Slot>& backlog, const Scan& s, Duration period,
                   std::optional<Time> held, bool zero_long_enough) {
  if (zero_long_enough) {
    ev = drain(std::move(ev), backlog, s, period);
    if (held && *held < *ev.marker) ev.marker = held;
    if (held) ev.reason += "; held until no job was active";
    return ev;
  }
  ev.state = AlarmState::Drained;
  ev.marker = held;
  ev.reason = fmt::format("Backlog drained since {}; held until no job was active", when(*held));
  return ev;
}

}  // namespace

Evaluation evaluate_drained(const DrainedSpec& spec, const std::vector<Slot>& backlog, Duration period,
                            const Previous& previous, const JobSnapshot* active_job) {
  const auto s = scan(backlog, spec.missing_is_zero);
  Evaluation ev;
  if (s.newest_real) {
    ev.value = backlog[*s.newest_real].value;
    ev.value_time = backlog[*s.newest_real].start;
  }
  const auto latest = ev.value ? format_count(*ev.value) : std::string{"missing"};

  if (previous.state == AlarmState::Drained) return after_drain(std::move(ev), backlog, s, previous, latest);
  const bool armed = previous.state == AlarmState::Ok || s.any_positive;
  if (!armed) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("No backlog seen in the last {} periods (latest {})", backlog.size(), latest);
    return ev;
  }
  const bool zero_long_enough = s.run >= slots_for(spec.hold, period);
  const auto held = held_drain(backlog, previous);
  if (zero_long_enough || held) {
    if (spec.wait_for_jobs && active_job != nullptr)
      return hold_for_job(std::move(ev), backlog, s, held, zero_long_enough, *active_job);
    return release(std::move(ev), backlog, s, period, held, zero_long_enough);
  }
  return not_drained_yet(std::move(ev), spec, backlog, s, period, latest);
}

}  // namespace bw
