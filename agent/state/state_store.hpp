#pragma once
// Durable state in SQLite (WAL): the current state of every (rule, series), the history of
// transitions, and the outbox of notifications owed. A transition and its outbox rows are written in
// one transaction before any delivery is attempted, so a crash between the two loses nothing.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rules/alarm.hpp"
#include "rules/time.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace bw::agent {

struct StoredState {
  std::string rule;
  std::string series;  // labels text, e.g. "modelId=m1"
  AlarmState state = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
  Time changed_at{};
  Time evaluated_at{};
  std::string notified_state;  // the last state a notification was owed for ("" = none yet)
  Time notified_at{};          // when it was owed (for `repeat`)
  Time window_end{};           // the end of the newest period evaluated (catch-up starts after it)
  std::optional<Time> marker;  // kind-specific memory (drained: where the last drain began)
};

struct OutboxRow {
  std::int64_t id = 0;
  std::string idempotency_key;
  std::string target;
  std::string subject;
  std::string payload;  // the JSON message
  std::string rule;
  std::string series;
  std::string state;
  Time created_at{};
  int attempts = 0;
  Time next_attempt_at{};
  std::string status = "pending";  // pending delivered dead silenced
  std::string last_error;
};

// One evaluated (rule, series): its new state, and when it changed, the notifications it owes.
struct StateUpdate {
  StoredState state;
  bool transition = false;
  AlarmState old_state = AlarmState::InsufficientData;
  std::vector<OutboxRow> outbox;  // ids are assigned by the store
};

// A silence added at run time (`batchwatch silence add`); labels as a JSON object text.
struct StoredSilence {
  std::int64_t id = 0;
  std::string rule = "*";
  std::string labels_json = "{}";
  Time starts{};
  Time ends{};
  std::string comment;
  Time created_at{};
};

class StateStore {
 public:
  // Opens (creating if absent) the database; the message names the path on failure.
  static std::unique_ptr<StateStore> open(const std::string& path, std::string& error);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  std::optional<StoredState> get(const std::string& rule, const std::string& series) const;
  std::vector<StoredState> all_states() const;

  // Every update (state rows, history rows for transitions, outbox rows) in one transaction.
  // Outbox rows whose (idempotency_key, target) already exist are kept as they are.
  bool commit(const std::vector<StateUpdate>& updates, std::string& error);

  // Pending rows due at `now`, oldest first.
  std::vector<OutboxRow> due(Time now) const;
  std::vector<OutboxRow> outbox(const std::string& status_filter = "") const;
  // Pending and dead rows by target, counted by SQLite (the rows, payloads included, are not read).
  struct OutboxCount {
    std::string target;
    std::size_t pending = 0;
    std::size_t dead = 0;
  };
  std::vector<OutboxCount> outbox_counts() const;
  void mark_delivered(std::int64_t id, Time at);
  void mark_retry(std::int64_t id, Time next_attempt, const std::string& error);
  void mark_dead(std::int64_t id, Time at, const std::string& error);

  std::int64_t add_silence(const StoredSilence& silence);
  std::vector<StoredSilence> silences() const;
  bool expire_silence(std::int64_t id, Time at);  // false when no such silence

  struct HistoryRow {
    std::string rule, series, from, to, reason;
    std::optional<double> value;
    Time at{};
  };
  std::vector<HistoryRow> history() const;

 private:
  explicit StateStore(sqlite3* db) : db_(db) {}
  bool exec(const char* sql, std::string& error) const;
  sqlite3* db_;
  // get() runs once per (rule, series) every cycle: its statement is prepared once (compiling the
  // SQL each time cost ~0.1 ms a call, most of a `once` cycle's CPU with 800 series).
  mutable std::mutex get_mutex_;
  mutable sqlite3_stmt* get_stmt_ = nullptr;
};

}  // namespace bw::agent
