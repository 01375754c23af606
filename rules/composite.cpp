// composite: like CloudWatch composite alarms, over the states of other rules.
//
// `children` holds the (rule, series, state) rows the caller selected: the same labels as the composite
// series, or every series of the child rules when across_labels. A row counts for every list naming
// its rule. Each list is judged in three-valued logic, flattening rules into their series rows:
//   all_of: false if any row is OK or DRAINED; else unknown if a named rule has no row or any row is
//           INSUFFICIENT_DATA; else (every row of every named rule is ALARM) true.
//   any_of: true if any row is ALARM; else unknown if a named rule has no row or any row is
//           INSUFFICIENT_DATA; else false.
// Both lists given -> both must hold (AND, as "all_of: [...] and any_of: [...]" reads); one decided
// false is enough for OK even if the other is unknown. Result: true -> ALARM, false -> OK,
// unknown -> INSUFFICIENT_DATA (a child still starting up cannot be assumed either way). No list, or
// both empty -> INSUFFICIENT_DATA (config/ rejects that; this only keeps the function total).
// Only ALARM counts as firing: DRAINED is good news, and an any_of mixing a drain with real alarms
// must not page on it; for the logic it is a decided non-ALARM state, like OK.
// The reason names only the rows that decided the outcome: for ALARM the alarming ones, for OK the
// ones that ruled ALARM out, for INSUFFICIENT_DATA the ones that are not known.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "rules/kinds.hpp"

namespace bw {

namespace {

enum class Tri { False, Unknown, True };

struct Judged {
  Tri value = Tri::Unknown;
  std::vector<std::string> deciders;
};

std::string row_text(const ChildState& c) {
  return c.series.empty() ? fmt::format("{} {}", c.rule, to_string(c.state))
                          : fmt::format("{} ({}) {}", c.rule, c.series, to_string(c.state));
}

Judged judge(const std::vector<std::string>& names, const std::vector<ChildState>& children, bool all) {
  std::vector<std::string> alarm, calm, unknown;
  for (const auto& name : names) {
    bool seen = false;
    for (const auto& c : children) {
      if (c.rule != name) continue;
      seen = true;
      switch (c.state) {
        case AlarmState::Alarm: alarm.push_back(row_text(c)); break;
        case AlarmState::Ok:
        case AlarmState::Drained: calm.push_back(row_text(c)); break;
        case AlarmState::InsufficientData: unknown.push_back(row_text(c)); break;
      }
    }
    if (!seen) unknown.push_back(name + " has no state");
  }
  if (all) {
    if (!calm.empty()) return {Tri::False, calm};
    if (!unknown.empty()) return {Tri::Unknown, unknown};
    return {Tri::True, alarm};
  }
  if (!alarm.empty()) return {Tri::True, alarm};
  if (!unknown.empty()) return {Tri::Unknown, unknown};
  return {Tri::False, calm};
}

}  // namespace

Evaluation evaluate_composite(const CompositeSpec& spec, const std::vector<ChildState>& children) {
  struct Part {
    const char* name;
    Judged j;
  };
  std::vector<Part> parts;
  if (!spec.all_of.empty()) parts.push_back({"all_of", judge(spec.all_of, children, true)});
  if (!spec.any_of.empty()) parts.push_back({"any_of", judge(spec.any_of, children, false)});

  Evaluation ev;
  if (parts.empty()) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = "Composite has no children";
    return ev;
  }
  Tri result = Tri::True;
  for (const auto& p : parts)
    if (p.j.value < result) result = p.j.value;  // AND in Kleene logic is the minimum

  std::vector<std::string> clauses;
  for (const auto& p : parts) {
    if (p.j.value != result) continue;
    const char* verdict = result == Tri::True ? "holds" : result == Tri::False ? "does not hold" : "cannot be decided";
    clauses.push_back(fmt::format("{} {}: {}", p.name, verdict, fmt::join(p.j.deciders, ", ")));
  }
  ev.state = result == Tri::True    ? AlarmState::Alarm
             : result == Tri::False ? AlarmState::Ok
                                    : AlarmState::InsufficientData;
  ev.reason = fmt::format("{}", fmt::join(clauses, "; "));
  return ev;
}

}  // namespace bw
