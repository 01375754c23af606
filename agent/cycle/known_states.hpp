#pragma once
// The engine's own copy of every (rule, series) state, kept between cycles. It is read from the state
// file in one query (on the engine's first cycle, and again after a commit that failed), then each
// cycle advances it in memory, so a cycle reads no state row and writes only the rows a later cycle or
// a restart needs (see docs/architecture.md, "What a cycle reads and writes of the states").
//
// Kept flat: the states in one vector, their series texts and reasons in one text buffer, an open-
// addressing index of them. 25,000 states as map nodes with their own strings were ~75,000 small
// blocks living for the whole run, spread among each cycle's short-lived ones, and the heap could no
// longer give a cycle's memory back (RssAnon 11 -> 45 MB at 25,000 instances).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

// How far a state row may lag behind the newest evaluation (window_end, evaluated_at, value) when
// nothing else changed: a restart re-evaluates at most this much, and `status` shows values this old.
inline constexpr Duration kStateCheckpoint{600};

// A StoredState without its strings (the series text and the reason are in KnownStates' buffer).
struct KnownState {
  std::optional<double> value;
  Time changed_at{};
  Time evaluated_at{};
  Time notified_at{};
  Time window_end{};
  std::optional<Time> marker;
  std::optional<Time> written_at;  // evaluated_at of the row as the store holds it; nullopt: no row yet
  std::uint32_t rule = 0;          // index into the rules
  std::uint32_t series_at = 0, series_size = 0, reason_at = 0, reason_size = 0;  // in the text buffer
  AlarmState state = AlarmState::InsufficientData;
  std::optional<AlarmState> notified;  // StoredState::notified_state ("" = nullopt)

  // Whether the store lacks this state's newest evaluation.
  bool unwritten() const { return written_at != evaluated_at; }
};

class KnownStates {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Reads the stored states of the metric rules of `rules` (states of rules no longer configured stay in
  // the file, unread).
  void load(const StateStore& store, const std::vector<config::Rule>& rules);
  bool loaded() const { return loaded_; }
  // Drops everything; the next cycle reads the file again (what memory held was not all written).
  void forget();

  // The index of rules[rule]'s state for `series`, or npos. Indices stay valid until forget().
  std::size_t find(std::size_t rule, std::string_view series) const;
  std::size_t insert(std::size_t rule, std::string_view series);  // a new state (INSUFFICIENT_DATA, no row)
  KnownState& operator[](std::size_t i) { return states_[i]; }
  const KnownState& operator[](std::size_t i) const { return states_[i]; }

  // The state as a row (`rule`: the rule's name), and a row's fields taken back (all but written_at).
  StoredState stored(std::size_t i, const std::string& rule) const;
  void assign(std::size_t i, const StoredState& s);

  // Every state whose newest evaluation is not written, as rows to write (no transition, no outbox).
  std::vector<StateUpdate> unwritten(const std::vector<config::Rule>& rules) const;
  // After those rows were committed.
  void mark_written();
  // Gives back what growing left unused (after a cycle that added states): kept for the whole run.
  void trim();

 private:
  std::string_view text(std::uint32_t at, std::uint32_t size) const { return {text_.data() + at, size}; }
  std::uint32_t append(std::string_view s);
  std::size_t slot(std::size_t rule, std::string_view series) const;  // its slot, or the empty one to use
  void grow_index();
  void compact_text();  // drops the reasons no state refers to any more

  std::vector<KnownState> states_;
  std::vector<std::uint32_t> index_;  // open addressing, a power of two long: state index + 1, 0 = empty
  std::string text_;
  std::size_t garbage_ = 0;  // bytes of text_ no state refers to
  bool loaded_ = false;
};

}  // namespace bw::agent
