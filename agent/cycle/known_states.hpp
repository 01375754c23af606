#pragma once
// The engine's own copy of every (rule, series) state, kept between cycles. It is read from the state
// file in one query (on the engine's first cycle, and again after a commit that failed), then each
// cycle advances it in memory, so a cycle reads no state row and writes only the rows a later cycle or
// a restart needs (see docs/architecture.md, "What a cycle reads and writes of the states").
//
// Kept flat: the states in one vector, their series texts and reasons in 64 KiB text blocks, an open-
// addressing index of them. 25,000 states as map nodes with their own strings were ~75,000 small
// blocks living for the whole run, spread among each cycle's short-lived ones, and the heap could no
// longer give a cycle's memory back (RssAnon 11 -> 45 MB at 25,000 instances).
//
// A text, once written into a block, is never changed or moved (a changed reason is appended anew,
// and compaction writes new blocks), and the blocks are shared (text_owner()): so a cycle's results
// and the status snapshot refer to the kept reasons instead of copying them, and they stay valid
// while those hold the owner, whatever this object does next. At 25,000 instances a reason is
// ~200 bytes, and each copy of all of them ~5 MB.
#include <cstddef>
#include <cstdint>
#include <memory>
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
  const char* series_text = nullptr;  // in the text blocks
  const char* reason_text = nullptr;
  std::uint32_t series_size = 0, reason_size = 0;
  std::uint32_t rule = 0;  // index into the rules
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
  // The reason of the state's last explained change. Valid until compact() or forget(), and beyond
  // them while a text_owner() taken since is held.
  std::string_view reason(std::size_t i) const { return text(states_[i].reason_text, states_[i].reason_size); }
  // Shares the text blocks as they are now (see the file's comment).
  std::shared_ptr<const void> text_owner() const;
  std::size_t text_size() const { return text_size_; }  // bytes written into the blocks, garbage included

  // Every state whose newest evaluation is not written, as rows to write (no transition, no outbox).
  std::vector<StateUpdate> unwritten(const std::vector<config::Rule>& rules) const;
  // After those rows were committed.
  void mark_written();
  // Gives back what growing left unused (after a cycle that added states): kept for the whole run.
  void trim();
  // Writes the texts into new blocks when most of the old ones are reasons no state refers to any more.
  // Not while a cycle takes reason() views: they would be left in blocks no owner shares.
  void compact();

 private:
  using Block = std::shared_ptr<char[]>;
  static std::string_view text(const char* at, std::uint32_t size) { return {at, size}; }
  const char* append(std::string_view s);  // into the newest block, or a new one
  std::size_t slot(std::size_t rule, std::string_view series) const;  // its slot, or the empty one to use
  void grow_index();
  void compact_text();

  std::vector<KnownState> states_;
  std::vector<std::uint32_t> index_;  // open addressing, a power of two long: state index + 1, 0 = empty
  std::vector<Block> blocks_;
  std::size_t block_used_ = 0, block_size_ = 0;  // of blocks_.back()
  std::size_t text_size_ = 0;  // bytes written into the blocks
  std::size_t garbage_ = 0;    // of which, bytes no state refers to
  bool loaded_ = false;
};

}  // namespace bw::agent
