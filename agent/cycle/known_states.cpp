#include "agent/cycle/known_states.hpp"

#include <functional>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace bw::agent {
namespace {

std::size_t hash_of(std::size_t rule, std::string_view series) {
  return std::hash<std::string_view>{}(series) ^ (rule * 0x9e3779b97f4a7c15ull);
}

}  // namespace

void KnownStates::load(const StateStore& store, const std::vector<config::Rule>& rules) {
  forget();
  std::unordered_map<std::string, std::size_t> rule_index;
  // Job and composite rules read their few rows from the store (JobWatch, Engine::evaluate_composites).
  for (std::size_t r = 0; r < rules.size(); ++r)
    if (!rules[r].is_job_rule() && !std::holds_alternative<CompositeSpec>(rules[r].spec)) rule_index.emplace(rules[r].name, r);
  store.each_state([&](const StoredState& s) {
    const auto it = rule_index.find(s.rule);
    if (it == rule_index.end()) return;
    const auto i = insert(it->second, s.series);
    assign(i, s);
    states_[i].written_at = s.evaluated_at;
  });
  loaded_ = true;
}

void KnownStates::forget() {
  std::vector<KnownState>().swap(states_);
  std::vector<std::uint32_t>().swap(index_);
  std::string().swap(text_);
  garbage_ = 0;
  loaded_ = false;
}

std::size_t KnownStates::slot(std::size_t rule, std::string_view series) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t s = hash_of(rule, series) & mask;; s = (s + 1) & mask) {
    const auto entry = index_[s];
    if (entry == 0) return s;
    const auto& k = states_[entry - 1];
    if (k.rule == rule && text(k.series_at, k.series_size) == series) return s;
  }
}

std::size_t KnownStates::find(std::size_t rule, std::string_view series) const {
  if (index_.empty()) return npos;
  const auto entry = index_[slot(rule, series)];
  return entry == 0 ? npos : entry - 1;
}

std::size_t KnownStates::insert(std::size_t rule, std::string_view series) {
  if ((states_.size() + 1) * 2 > index_.size()) grow_index();  // at most half full: short probes
  const auto s = slot(rule, series);
  if (index_[s] != 0) return index_[s] - 1;
  KnownState k;
  k.rule = static_cast<std::uint32_t>(rule);
  k.series_at = append(series);
  k.series_size = static_cast<std::uint32_t>(series.size());
  states_.push_back(k);
  index_[s] = static_cast<std::uint32_t>(states_.size());
  return states_.size() - 1;
}

void KnownStates::grow_index() {
  std::vector<std::uint32_t> old(std::max<std::size_t>(64, index_.size() * 2), 0);
  old.swap(index_);
  for (std::size_t i = 0; i < states_.size(); ++i)
    index_[slot(states_[i].rule, text(states_[i].series_at, states_[i].series_size))] = static_cast<std::uint32_t>(i + 1);
}

std::uint32_t KnownStates::append(std::string_view s) {
  if (text_.size() + s.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("KnownStates: more than 4 GB of series texts and reasons");
  const auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(s);
  return at;
}

StoredState KnownStates::stored(std::size_t i, const std::string& rule) const {
  const auto& k = states_[i];
  StoredState s;
  s.rule = rule;
  s.series = text(k.series_at, k.series_size);
  s.state = k.state;
  s.value = k.value;
  s.reason = text(k.reason_at, k.reason_size);
  s.changed_at = k.changed_at;
  s.evaluated_at = k.evaluated_at;
  if (k.notified) s.notified_state = std::string(to_string(*k.notified));
  s.notified_at = k.notified_at;
  s.window_end = k.window_end;
  s.marker = k.marker;
  return s;
}

void KnownStates::assign(std::size_t i, const StoredState& s) {
  auto& k = states_[i];
  k.state = s.state;
  k.value = s.value;
  if (text(k.reason_at, k.reason_size) != s.reason) {  // a change: the usual cycle keeps its reason
    garbage_ += k.reason_size;
    k.reason_at = append(s.reason);
    k.reason_size = static_cast<std::uint32_t>(s.reason.size());
    if (garbage_ > 1 << 20 && garbage_ * 2 > text_.size()) compact_text();
  }
  k.changed_at = s.changed_at;
  k.evaluated_at = s.evaluated_at;
  k.notified = s.notified_state.empty() ? std::nullopt : parse_alarm_state(s.notified_state);
  k.notified_at = s.notified_at;
  k.window_end = s.window_end;
  k.marker = s.marker;
}

void KnownStates::compact_text() {
  std::string kept;
  kept.reserve(text_.size() - garbage_);
  for (auto& k : states_) {
    const auto series = text(k.series_at, k.series_size), reason = text(k.reason_at, k.reason_size);
    k.series_at = static_cast<std::uint32_t>(kept.size());
    kept.append(series);
    k.reason_at = static_cast<std::uint32_t>(kept.size());
    kept.append(reason);
  }
  text_.swap(kept);
  garbage_ = 0;
}

std::vector<StateUpdate> KnownStates::unwritten(const std::vector<config::Rule>& rules) const {
  std::vector<StateUpdate> out;
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (states_[i].unwritten() && states_[i].rule < rules.size())
      out.push_back(StateUpdate{stored(i, rules[states_[i].rule].name), false, states_[i].state, {}});
  return out;
}

void KnownStates::mark_written() {
  for (auto& k : states_) k.written_at = k.evaluated_at;
}

void KnownStates::trim() {
  if (states_.capacity() > states_.size() + states_.size() / 4) states_.shrink_to_fit();
  if (text_.capacity() > text_.size() + text_.size() / 4) text_.shrink_to_fit();
}

}  // namespace bw::agent
