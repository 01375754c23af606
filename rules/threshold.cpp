// CloudWatch metric-alarm evaluation, reconstructed from the examples in the CloudWatch User Guide
// ("How alarm state is evaluated when data is missing", "Avoiding premature transitions to alarm
// state"); tests/data/cloudwatch-doc-examples.yaml holds every documented row and the tests check them.
//
// N = evaluation_periods, M = datapoints_to_alarm. The window is range() slots (default N + 2),
// oldest -> newest; "real" = slots that have a value. The age of a slot counts the newest as 1.
//
//  (a) No real datapoint in the window: the treatment alone decides.
//        missing -> INSUFFICIENT_DATA, ignore -> retain previous, breaching -> ALARM, notBreaching -> OK.
//  (b) real >= N: the newest N real datapoints, reaching back past gaps, are evaluated and the
//      treatment is not used at all. ALARM iff >= M of them breach, else OK. Older real points are
//      ignored even if they breach: the documented "0 0 X 0 X" (2 of 3) alarms on "X 0 X" only.
//  (c) 0 < real < N: every real datapoint in the window is evaluated and the N - real gap is filled:
//        breaching:    ALARM iff breaching_real + (N - real) >= M, else OK.
//        notBreaching: ALARM iff breaching_real >= M, else OK.
//        missing:      ALARM iff breaching_real >= M. Otherwise premature-alarm avoidance: ALARM iff
//                      every real datapoint breaches AND the oldest breaching one within the last N
//                      slots is at least M periods old; else OK. The documentation's prose only asks
//                      that everything *newer* than that point breach or be missing, but its own table
//                      gives OK for "0 - X - -" (2 of 3), so an older non-breaching point must veto too.
//                      The age test is what keeps "- - - - X" and "- - - X -" (3 of 3) out of ALARM
//                      while "- - X - -" alarms: the rule trusts a breach once it has had M periods
//                      in which a recovery could have been reported.
//        ignore:       ALARM iff breaching_real >= M; else OK if any real datapoint does not breach;
//                      else retain the previous state (the gap might still turn out either way).
//
// Retaining a state returns `previous` verbatim, DRAINED included: that state is batchwatch's own, and
// the caller decides whether DRAINED alarms are evaluated at all.
//
// The reason mimics CloudWatch's StateReason. Only datapoints that were evaluated are listed, newest
// first: for ALARM the breaching ones, for OK the non-breaching ones, because the sentence says what
// the listed points did. The minimum for ALARM -> OK is N - M + 1, the number of non-breaching points
// that rule ALARM out.
#include "rules/threshold.hpp"

#include <fmt/format.h>

#include <cassert>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "rules/reason_text.hpp"

namespace bw {

namespace {

struct Point {
  Time start;
  double value;
  bool breach;
  int age;  // newest slot = 1
};

enum class Outcome { Alarm, Ok, Retain };

// Everything the reason needs besides the spec.
struct Considered {
  std::vector<Point> points;      // evaluated real datapoints, newest first
  int filled = 0;                 // gap slots stood in for by the treatment (case c only)
  std::optional<int> breach_age;  // set when premature-alarm avoidance decided the outcome
};

std::string_view bracket_name(TreatMissing t) {
  switch (t) {
    case TreatMissing::Missing: return "Missing";
    case TreatMissing::Ignore: return "Ignore";
    case TreatMissing::Breaching: return "Breaching";
    case TreatMissing::NotBreaching: return "NonBreaching";
  }
  return "Missing";
}

// The reason is appended piece by piece to one string: `once` explains every series it prints, and
// a first cycle records a reason for each of them, so temporaries per clause would add up.
template <typename... Args>
void append(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

void append_count(std::string& out, std::size_t n, std::string_view word) {
  append(out, "{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string_view was(std::size_t n) { return n == 1 ? "was" : "were"; }

void append_listing(std::string& out, const std::vector<Point>& points, bool breach) {
  out += '[';
  bool first = true;
  for (const auto& p : points) {
    if (p.breach != breach) continue;
    if (!first) out += ", ";
    first = false;
    append_number(out, p.value);
    out += " (";
    append_cloudwatch_reason_time(out, p.start);
    out += ')';
  }
  out += ']';
}

std::size_t count(const std::vector<Point>& points, bool breach) {
  std::size_t n = 0;
  for (const auto& p : points) n += p.breach == breach ? 1 : 0;
  return n;
}

void append_retained_prefix(std::string& out, AlarmState previous) {
  append(out, "State retained ({}): ", to_string(previous));
}

std::string no_data_reason(const ThresholdSpec& spec, AlarmState state) {
  const auto n = static_cast<std::size_t>(spec.evaluation_periods);
  std::string out;
  switch (spec.treat_missing) {
    case TreatMissing::Missing: out = "Insufficient Data: "; break;
    case TreatMissing::Ignore: append_retained_prefix(out, state); break;
    case TreatMissing::Breaching:
    case TreatMissing::NotBreaching: out = "Threshold Crossed: "; break;
  }
  out += "0 datapoints were received for ";
  append_count(out, n, "period");
  out += " and ";
  append_count(out, n, "missing datapoint");
  append(out, " {} treated as [{}].", was(n), bracket_name(spec.treat_missing));
  return out;
}

// The clauses between the prefix and the closing "(minimum ...)": what the listed datapoints did and
// how the gap was filled. Returns whether the non-breaching datapoints were listed.
bool append_clauses(std::string& out, const ThresholdSpec& spec, const Considered& c, Outcome outcome) {
  const auto n = spec.evaluation_periods;
  const auto cmp = phrase(spec.comparison);
  const auto breaching = count(c.points, true), calm = count(c.points, false);
  const auto clauses_start = out.size();
  const bool list_calm = outcome == Outcome::Ok && calm > 0;
  if (list_calm) {
    append_count(out, calm, "datapoint");
    out += ' ';
    append_listing(out, c.points, false);
    append(out, " {} not {} the threshold (", was(calm), cmp);
    append_number(out, spec.threshold);
    out += ')';
  } else if (breaching > 0) {
    append(out, "{}{} out of the last {} datapoints ", outcome == Outcome::Alarm ? "" : "only ", breaching, n);
    append_listing(out, c.points, true);
    append(out, " {} {} the threshold (", was(breaching), cmp);
    append_number(out, spec.threshold);
    out += ')';
  }
  if (c.filled > 0) {
    if (out.size() > clauses_start) out += "; ";
    const auto filled = static_cast<std::size_t>(c.filled);
    append_count(out, filled, "missing datapoint");
    append(out, " {} treated as [{}]", was(filled), bracket_name(spec.treat_missing));
  }
  if (c.breach_age) {
    out += "; the oldest breaching datapoint in the last ";
    append_count(out, static_cast<std::size_t>(n), "period");
    out += " is ";
    append_count(out, static_cast<std::size_t>(*c.breach_age), "period");
    out += " old";
  }
  return list_calm;
}

std::string reason(const ThresholdSpec& spec, const Considered& c, Outcome outcome, AlarmState previous) {
  const auto n = spec.evaluation_periods, m = spec.datapoints_to_alarm;
  std::string out;
  out.reserve(256);
  if (outcome == Outcome::Retain) {
    append_retained_prefix(out, previous);
  } else {
    out = "Threshold Crossed: ";
  }
  if (append_clauses(out, spec, c, outcome)) {
    out += " (minimum ";
    append_count(out, static_cast<std::size_t>(n - m + 1), "datapoint");
    out += " for ALARM -> OK transition).";
  } else {
    out += " (minimum ";
    append_count(out, static_cast<std::size_t>(m), "datapoint");
    out += " for OK -> ALARM transition).";
  }
  return out;
}

// What decides the outcome, gathered newest first without allocating. Only the newest N real datapoints
// matter: case (b) looks no further back, and in case (c) there are fewer than N in the whole window.
struct Tally {
  int real = 0;                          // real datapoints evaluated (at most N)
  int breaching = 0;                     // of those, how many breach
  std::optional<int> oldest_breach_age;  // of a breaching one within the last N slots
  const Slot* newest = nullptr;
};

Tally tally(const ThresholdSpec& spec, const std::vector<Slot>& window) {
  Tally t;
  const int size = static_cast<int>(window.size()), n = spec.evaluation_periods;
  for (int i = size - 1; i >= 0 && t.real < n; --i) {
    const auto& slot = window[static_cast<std::size_t>(i)];
    if (!slot.value) continue;
    if (t.newest == nullptr) t.newest = &slot;
    ++t.real;
    if (!breaches(spec.comparison, *slot.value, spec.threshold)) continue;
    ++t.breaching;
    if (size - i <= n) t.oldest_breach_age = size - i;  // newest first, so the last hit is the oldest
  }
  return t;
}

// The decision for cases (b) and (c); fills in what the reason reports about gap filling.
Outcome decide(const ThresholdSpec& spec, const Tally& t, Considered& c) {
  const int n = spec.evaluation_periods, m = spec.datapoints_to_alarm;
  if (t.real >= n) return t.breaching >= m ? Outcome::Alarm : Outcome::Ok;  // (b)
  c.filled = n - t.real;                                                       // (c)
  const bool enough = t.breaching >= m;
  switch (spec.treat_missing) {
    case TreatMissing::Breaching: return t.breaching + c.filled >= m ? Outcome::Alarm : Outcome::Ok;
    case TreatMissing::NotBreaching: return enough ? Outcome::Alarm : Outcome::Ok;
    case TreatMissing::Missing:
      if (enough) return Outcome::Alarm;
      if (t.real != t.breaching) return Outcome::Ok;
      c.breach_age = t.oldest_breach_age;  // premature-alarm avoidance
      return c.breach_age && *c.breach_age >= m ? Outcome::Alarm : Outcome::Ok;
    case TreatMissing::Ignore:
      if (enough) return Outcome::Alarm;
      return t.real > t.breaching ? Outcome::Ok : Outcome::Retain;
  }
  return Outcome::Ok;
}

// The datapoints the decision evaluated, newest first (the reason lists them).
std::vector<Point> evaluated_points(const ThresholdSpec& spec, const std::vector<Slot>& window) {
  std::vector<Point> points;
  const int size = static_cast<int>(window.size()), n = spec.evaluation_periods;
  points.reserve(static_cast<std::size_t>(n));
  for (int i = size - 1; i >= 0 && static_cast<int>(points.size()) < n; --i) {
    const auto& slot = window[static_cast<std::size_t>(i)];
    if (!slot.value) continue;
    points.push_back(Point{slot.start, *slot.value, breaches(spec.comparison, *slot.value, spec.threshold), size - i});
  }
  return points;
}

}  // namespace

Evaluation evaluate_threshold(const ThresholdSpec& spec, const std::vector<Slot>& window, AlarmState previous,
                              Explain explain) {
  assert(spec.datapoints_to_alarm >= 1 && spec.datapoints_to_alarm <= spec.evaluation_periods);
  assert(window.size() == static_cast<std::size_t>(spec.range()));

  const Tally t = tally(spec, window);
  Evaluation ev;
  if (t.newest == nullptr) {  // (a)
    switch (spec.treat_missing) {
      case TreatMissing::Missing: ev.state = AlarmState::InsufficientData; break;
      case TreatMissing::Ignore: ev.state = previous; break;
      case TreatMissing::Breaching: ev.state = AlarmState::Alarm; break;
      case TreatMissing::NotBreaching: ev.state = AlarmState::Ok; break;
    }
    if (explain == Explain::Yes) ev.reason = no_data_reason(spec, ev.state);
    return ev;
  }

  ev.value = *t.newest->value;
  ev.value_time = t.newest->start;
  Considered c;
  const Outcome outcome = decide(spec, t, c);
  switch (outcome) {
    case Outcome::Alarm: ev.state = AlarmState::Alarm; break;
    case Outcome::Ok: ev.state = AlarmState::Ok; break;
    case Outcome::Retain: ev.state = previous; break;
  }
  if (explain == Explain::Yes) {
    c.points = evaluated_points(spec, window);
    ev.reason = reason(spec, c, outcome, previous);
  }
  return ev;
}

}  // namespace bw
