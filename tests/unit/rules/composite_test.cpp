#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr AlarmState A = AlarmState::Alarm, O = AlarmState::Ok, I = AlarmState::InsufficientData,
                     D = AlarmState::Drained;

ChildState child(const char* rule, AlarmState s, const char* series = "modelId=m1") { return {rule, series, s}; }

struct Case {
  const char* name;
  std::vector<std::string> all_of;
  std::vector<std::string> any_of;
  std::vector<ChildState> children;
  AlarmState expected;
  const char* reason;  // exact
};

TEST(Composite, Table) {
  const Case rows[] = {
      // all_of
      {"all alarming",
       {"a", "b"},
       {},
       {child("a", A), child("b", A)},
       A,
       "all_of holds: a (modelId=m1) ALARM, b (modelId=m1) ALARM"},
      {"one calm decides",
       {"a", "b"},
       {},
       {child("a", A), child("b", O)},
       O,
       "all_of does not hold: b (modelId=m1) OK"},
      {"calm decides even with an unknown",
       {"a", "b"},
       {},
       {child("a", I), child("b", O)},
       O,
       "all_of does not hold: b (modelId=m1) OK"},
      {"calm decides even with a missing child",
       {"a", "b"},
       {},
       {child("a", O)},
       O,
       "all_of does not hold: a (modelId=m1) OK"},
      {"unknown child blocks ALARM",
       {"a", "b"},
       {},
       {child("a", A), child("b", I)},
       I,
       "all_of cannot be decided: b (modelId=m1) INSUFFICIENT_DATA"},
      {"missing child blocks ALARM", {"a", "b"}, {}, {child("a", A)}, I, "all_of cannot be decided: b has no state"},
      {"DRAINED is not firing", {"a"}, {}, {child("a", D)}, O, "all_of does not hold: a (modelId=m1) DRAINED"},
      // any_of
      {"one alarming decides", {}, {"a", "b"}, {child("a", O), child("b", A)}, A, "any_of holds: b (modelId=m1) ALARM"},
      {"alarming decides despite a missing child",
       {},
       {"a", "b"},
       {child("a", A)},
       A,
       "any_of holds: a (modelId=m1) ALARM"},
      {"all calm",
       {},
       {"a", "b"},
       {child("a", O), child("b", D)},
       O,
       "any_of does not hold: a (modelId=m1) OK, b (modelId=m1) DRAINED"},
      {"calm and unknown",
       {},
       {"a", "b"},
       {child("a", O), child("b", I)},
       I,
       "any_of cannot be decided: b (modelId=m1) INSUFFICIENT_DATA"},
      {"calm and missing", {}, {"a", "b"}, {child("a", O)}, I, "any_of cannot be decided: b has no state"},
      // both lists: both must hold
      {"both hold",
       {"a"},
       {"c", "d"},
       {child("a", A), child("c", O), child("d", A)},
       A,
       "all_of holds: a (modelId=m1) ALARM; any_of holds: d (modelId=m1) ALARM"},
      {"all_of fails", {"a"}, {"c"}, {child("a", O), child("c", A)}, O, "all_of does not hold: a (modelId=m1) OK"},
      {"any_of fails", {"a"}, {"c"}, {child("a", A), child("c", O)}, O, "any_of does not hold: c (modelId=m1) OK"},
      {"a false side wins over an unknown one",
       {"a"},
       {"c"},
       {child("a", I), child("c", O)},
       O,
       "any_of does not hold: c (modelId=m1) OK"},
      {"a true side cannot outvote an unknown one",
       {"a"},
       {"c"},
       {child("a", A), child("c", I)},
       I,
       "any_of cannot be decided: c (modelId=m1) INSUFFICIENT_DATA"},
      {"both unknown",
       {"a"},
       {"c"},
       {},
       I,
       "all_of cannot be decided: a has no state; any_of cannot be decided: c has no state"},
      // rows of other rules are ignored; a rule named twice is judged in each list
      {"unrelated rows", {"a"}, {}, {child("x", O), child("a", A)}, A, "all_of holds: a (modelId=m1) ALARM"},
      {"same rule in both lists",
       {"a"},
       {"a"},
       {child("a", A)},
       A,
       "all_of holds: a (modelId=m1) ALARM; any_of holds: a (modelId=m1) ALARM"},
      {"no lists", {}, {}, {child("a", A)}, I, "Composite has no children"},
      // across labels: every series row of the child rules counts
      {"all_of needs every series",
       {"backlog-high"},
       {},
       {child("backlog-high", A, "modelId=m1"), child("backlog-high", O, "modelId=m2")},
       O,
       "all_of does not hold: backlog-high (modelId=m2) OK"},
      {"all_of with every series alarming",
       {"backlog-high"},
       {},
       {child("backlog-high", A, "modelId=m1"), child("backlog-high", A, "modelId=m2")},
       A,
       "all_of holds: backlog-high (modelId=m1) ALARM, backlog-high (modelId=m2) ALARM"},
      {"any_of on any series",
       {},
       {"dip"},
       {child("dip", O, "modelId=m1"), child("dip", A, "modelId=m2")},
       A,
       "any_of holds: dip (modelId=m2) ALARM"},
      {"rows without labels", {"a"}, {}, {child("a", A, "")}, A, "all_of holds: a ALARM"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    CompositeSpec spec;
    spec.all_of = r.all_of;
    spec.any_of = r.any_of;
    const auto ev = evaluate_composite(spec, r.children);
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    EXPECT_EQ(ev.reason, r.reason);
  }
}

TEST(Composite, FollowsChildrenAsTheyFlap) {
  CompositeSpec spec;
  spec.all_of = {"throughput-dip", "backlog-pending"};
  const std::pair<std::vector<AlarmState>, AlarmState> steps[] = {
      {{I, I}, I}, {{A, I}, I}, {{A, A}, A}, {{O, A}, O}, {{A, A}, A}, {{A, O}, O},
  };
  for (const auto& [states, expected] : steps) {
    const auto ev = evaluate_composite(spec, {child("throughput-dip", states[0]), child("backlog-pending", states[1])});
    EXPECT_EQ(ev.state, expected) << ev.reason;
  }
}

}  // namespace
}  // namespace bw
