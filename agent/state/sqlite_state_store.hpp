#pragma once
// The StateStore in one SQLite file (WAL, synchronous=FULL): crash-safe, and shared by the cycle
// and the delivery thread through two connections (each SqliteStateStore is one connection).
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/state/state_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace bw::agent {

class SqliteStateStore final : public StateStore {
 public:
  // Opens (creating if absent) the database at `path` (":memory:" for one that dies with it) and
  // sets up its schema, upgrading a file written by an earlier release (schema.hpp); the error
  // names the path.
  static Result<std::unique_ptr<StateStore>> open(const std::string& path);
  // For readers beside a running daemon (`history`): no schema change, no file created; writes fail.
  static Result<std::unique_ptr<StateStore>> open_read_only(const std::string& path);
  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  std::optional<StoredState> get(const std::string& rule, const std::string& series) const override;
  std::vector<StoredState> all_states() const override;
  void each_state(const std::function<void(const StoredState&)>& visit) const override;
  Result<Unit> commit(const std::vector<StateUpdate>& updates, const JobViewUpdate& jobs = {}) override;
  std::vector<StoredJob> jobs() const override;
  std::vector<OutboxRow> due(Time now) const override;
  std::vector<OutboxRow> outbox(const std::string& status_filter) const override;
  std::vector<OutboxCount> outbox_counts() const override;
  std::optional<Time> earliest_pending() const override;
  Result<Unit> mark_delivered(std::int64_t id, Time at) override;
  Result<Unit> mark_retry(std::int64_t id, Time next_attempt, const std::string& error) override;
  Result<Unit> mark_dead(std::int64_t id, Time at, const std::string& error) override;
  Result<Unit> mark_expired(std::int64_t id, Time at, const std::string& error) override;
  Result<std::int64_t> add_silence(const StoredSilence& silence) override;
  std::vector<StoredSilence> silences() const override;
  Result<bool> expire_silence(std::int64_t id, Time at) override;
  std::vector<HistoryRow> history() const override;
  Result<PruneCount> prune(Time cutoff, std::size_t max_rows) override;
  Result<Unit> mark_attempts(const std::vector<Attempt>& attempts) override;

 private:
  explicit SqliteStateStore(sqlite3* db) : db_(db) {}
  static Result<std::unique_ptr<SqliteStateStore>> connect(const std::string& path, int flags);
  bool exec(const char* sql, std::string& error) const;
  // Runs `body` between BEGIN IMMEDIATE and COMMIT; a throw or a failed COMMIT rolls back, reported as `what`.
  Result<Unit> in_transaction(const char* what, const std::function<void()>& body);
  void write_updates(const std::vector<StateUpdate>& updates);
  void write_jobs(const JobViewUpdate& jobs);  // sqlite_jobs.cpp
  sqlite3* db_;
  // get() runs once per (rule, series) every cycle: its statement is prepared once (compiling the
  // SQL each time cost ~0.1 ms a call, most of a `once` cycle's CPU with 800 series).
  mutable std::mutex get_mutex_;
  mutable sqlite3_stmt* get_stmt_ = nullptr;
};

}  // namespace bw::agent
