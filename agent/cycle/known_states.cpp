#include "agent/cycle/known_states.hpp"

namespace bw::agent {

StoredState KnownState::stored(const std::string& rule, const std::string& series) const {
  StoredState s;
  s.rule = rule;
  s.series = series;
  s.state = state;
  s.value = value;
  s.reason = reason;
  s.changed_at = changed_at;
  s.evaluated_at = evaluated_at;
  if (notified) s.notified_state = std::string(to_string(*notified));
  s.notified_at = notified_at;
  s.window_end = window_end;
  s.marker = marker;
  return s;
}

void KnownState::assign(const StoredState& s) {
  state = s.state;
  value = s.value;
  if (reason != s.reason) reason = s.reason;  // the usual case, no transition: no copy
  changed_at = s.changed_at;
  evaluated_at = s.evaluated_at;
  notified = s.notified_state.empty() ? std::nullopt : parse_alarm_state(s.notified_state);
  notified_at = s.notified_at;
  window_end = s.window_end;
  marker = s.marker;
}

void KnownStates::load(const StateStore& store, const std::vector<config::Rule>& rules) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < rules.size(); ++r) index.emplace(rules[r].name, r);
  by_rule_.assign(rules.size(), {});
  store.each_state([&](const StoredState& s) {
    const auto it = index.find(s.rule);
    if (it == index.end()) return;
    KnownState& k = by_rule_[it->second][s.series];
    k.assign(s);
    k.written_at = s.evaluated_at;
  });
  loaded_ = true;
}

void KnownStates::forget() {
  std::vector<std::unordered_map<std::string, KnownState>>().swap(by_rule_);
  loaded_ = false;
}

KnownState* KnownStates::find(std::size_t rule, const std::string& series) {
  if (rule >= by_rule_.size()) return nullptr;
  auto it = by_rule_[rule].find(series);
  return it == by_rule_[rule].end() ? nullptr : &it->second;
}

KnownState& KnownStates::insert(std::size_t rule, const std::string& series) {
  if (rule >= by_rule_.size()) by_rule_.resize(rule + 1);
  return by_rule_[rule][series];
}

std::vector<StateUpdate> KnownStates::unwritten(const std::vector<config::Rule>& rules) const {
  std::vector<StateUpdate> out;
  for (std::size_t r = 0; r < by_rule_.size() && r < rules.size(); ++r)
    for (const auto& [series, k] : by_rule_[r])
      if (k.unwritten()) out.push_back(StateUpdate{k.stored(rules[r].name, series), false, k.state, {}});
  return out;
}

void KnownStates::mark_written() {
  for (auto& rule : by_rule_)
    for (auto& [series, k] : rule) k.written_at = k.evaluated_at;
}

}  // namespace bw::agent
