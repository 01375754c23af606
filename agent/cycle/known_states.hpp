#pragma once
// The engine's own copy of every (rule, series) state, kept between cycles. It is read from the state
// file in one query (on the engine's first cycle, and again after a commit that failed), then each
// cycle advances it in memory, so a cycle reads no state row and writes only the rows a later cycle or
// a restart needs (see docs/architecture.md, "What a cycle writes").
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

// How far a state row may lag behind the newest evaluation (window_end, evaluated_at, value) when
// nothing else changed: a restart re-evaluates at most this much, and `status` shows values this old.
inline constexpr Duration kStateCheckpoint{600};

// A StoredState without its key (rule and series are the map's), as compact as it stays readable.
struct KnownState {
  std::string reason;
  std::optional<double> value;
  Time changed_at{};
  Time evaluated_at{};
  Time notified_at{};
  Time window_end{};
  std::optional<Time> marker;
  std::optional<Time> written_at;  // evaluated_at of the row as the store holds it; nullopt: no row yet
  AlarmState state = AlarmState::InsufficientData;
  std::optional<AlarmState> notified;  // StoredState::notified_state ("" = nullopt)

  StoredState stored(const std::string& rule, const std::string& series) const;
  void assign(const StoredState& s);  // every field but written_at
  // Whether the store lacks this state's newest evaluation.
  bool unwritten() const { return written_at != evaluated_at; }
};

class KnownStates {
 public:
  // Reads the stored states of `rules` (states of rules no longer configured stay in the file, unread).
  void load(const StateStore& store, const std::vector<config::Rule>& rules);
  bool loaded() const { return loaded_; }
  // Drops everything; the next cycle reads the file again (what memory held was not all written).
  void forget();

  // The state of rules[rule] for `series`, or null when none is known.
  KnownState* find(std::size_t rule, const std::string& series);
  KnownState& insert(std::size_t rule, const std::string& series);

  // Every state whose newest evaluation is not written, as rows to write (no transition, no outbox).
  std::vector<StateUpdate> unwritten(const std::vector<config::Rule>& rules) const;
  // After those rows were committed.
  void mark_written();

 private:
  std::vector<std::unordered_map<std::string, KnownState>> by_rule_;  // parallel to the rules
  bool loaded_ = false;
};

}  // namespace bw::agent
