#include "agent/cycle/known_states.hpp"

#include <algorithm>
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
  std::vector<Block>().swap(blocks_);
  block_used_ = block_size_ = text_size_ = garbage_ = 0;
  loaded_ = false;
}

std::size_t KnownStates::slot(std::size_t rule, std::string_view series) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t s = hash_of(rule, series) & mask;; s = (s + 1) & mask) {
    const auto entry = index_[s];
    if (entry == 0) return s;
    const auto& k = states_[entry - 1];
    if (k.rule == rule && text(k.series_text, k.series_size) == series) return s;
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
  k.series_text = append(series);
  k.series_size = static_cast<std::uint32_t>(series.size());
  states_.push_back(k);
  index_[s] = static_cast<std::uint32_t>(states_.size());
  return states_.size() - 1;
}

void KnownStates::grow_index() {
  std::vector<std::uint32_t> old(std::max<std::size_t>(64, index_.size() * 2), 0);
  old.swap(index_);
  for (std::size_t i = 0; i < states_.size(); ++i)
    index_[slot(states_[i].rule, text(states_[i].series_text, states_[i].series_size))] = static_cast<std::uint32_t>(i + 1);
}

const char* KnownStates::append(std::string_view s) {
  constexpr std::size_t kBlock = 64 * 1024;
  if (s.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("KnownStates: a series text or reason of more than 4 GB");
  if (blocks_.empty() || block_used_ + s.size() > block_size_) {
    block_size_ = std::max(kBlock, s.size());
    blocks_.emplace_back(new char[block_size_]);
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  std::copy(s.begin(), s.end(), at);  // bytes no view refers to yet: a reader of the others is not disturbed
  block_used_ += s.size();
  text_size_ += s.size();
  return at;
}

std::shared_ptr<const void> KnownStates::text_owner() const {
  return std::make_shared<const std::vector<Block>>(blocks_);
}

StoredState KnownStates::stored(std::size_t i, const std::string& rule) const {
  const auto& k = states_[i];
  StoredState s;
  s.rule = rule;
  s.series = text(k.series_text, k.series_size);
  s.state = k.state;
  s.value = k.value;
  s.reason = text(k.reason_text, k.reason_size);
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
  if (text(k.reason_text, k.reason_size) != s.reason) {  // a change: the usual cycle keeps its reason
    garbage_ += k.reason_size;
    k.reason_text = append(s.reason);
    k.reason_size = static_cast<std::uint32_t>(s.reason.size());
  }
  k.changed_at = s.changed_at;
  k.evaluated_at = s.evaluated_at;
  k.notified = s.notified_state.empty() ? std::nullopt : parse_alarm_state(s.notified_state);
  k.notified_at = s.notified_at;
  k.window_end = s.window_end;
  k.marker = s.marker;
}

void KnownStates::compact() {
  if (garbage_ > 1 << 20 && garbage_ * 2 > text_size_) compact_text();
}

// Into new blocks: the old ones live on while a report or a snapshot still refers to them.
void KnownStates::compact_text() {
  auto old = std::move(blocks_);
  blocks_.clear();
  block_used_ = block_size_ = text_size_ = garbage_ = 0;
  for (auto& k : states_) {
    k.series_text = append(text(k.series_text, k.series_size));
    k.reason_text = append(text(k.reason_text, k.reason_size));
  }
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
}

}  // namespace bw::agent
