#include "agent/state/schema.hpp"

#include <sqlite3.h>

namespace bw::agent::schema {
namespace {

// The tables of 0.1.0 exactly as it created them. A new file gets them first, then every step; a
// 0.1.0 file already has them (IF NOT EXISTS), so both start the steps from the same version 0.
constexpr const char* kVersion0 = R"sql(
CREATE TABLE IF NOT EXISTS alarm_state(
  rule TEXT NOT NULL, series TEXT NOT NULL, state TEXT NOT NULL, value REAL, reason TEXT NOT NULL,
  changed_at INTEGER NOT NULL, evaluated_at INTEGER NOT NULL, notified_state TEXT NOT NULL DEFAULT '',
  notified_at INTEGER NOT NULL DEFAULT 0, window_end INTEGER NOT NULL DEFAULT 0, marker INTEGER,
  PRIMARY KEY(rule, series));
CREATE TABLE IF NOT EXISTS history(
  id INTEGER PRIMARY KEY, rule TEXT NOT NULL, series TEXT NOT NULL, from_state TEXT NOT NULL,
  to_state TEXT NOT NULL, value REAL, reason TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox(
  id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL,
  payload TEXT NOT NULL, rule TEXT NOT NULL, series TEXT NOT NULL, state TEXT NOT NULL,
  created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', last_error TEXT NOT NULL DEFAULT '', finished_at INTEGER,
  UNIQUE(idempotency_key, target));
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt_at);
CREATE TABLE IF NOT EXISTS silences(
  id INTEGER PRIMARY KEY, rule TEXT NOT NULL, labels TEXT NOT NULL, starts INTEGER NOT NULL, ends INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
)sql";

bool run(sqlite3* db, const std::string& sql, std::string& error) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return true;
  error = msg ? msg : sqlite3_errmsg(db);
  sqlite3_free(msg);
  return false;
}

Error newer_file(const std::string& path, int found) {
  return state_error("state file " + path,
                     "schema version " + std::to_string(found) + " was written by a newer batchwatch; this one knows " +
                         "versions up to " + std::to_string(kCurrentVersion) +
                         " (upgrade batchwatch, or point state.path at another file)");
}

// Inside upgrade()'s transaction: the 0.1.0 tables, then every step above `from`.
bool apply_steps(sqlite3* db, int from, std::string& error) {
  if (!run(db, kVersion0, error)) {
    error = "version 0 tables: " + error;
    return false;
  }
  for (const auto& m : migrations()) {
    if (m.to <= from) continue;
    if (!run(db, m.sql, error)) {
      error = "step to version " + std::to_string(m.to) + " (" + m.why + "): " + error;
      return false;
    }
  }
  return run(db, "PRAGMA user_version = " + std::to_string(kCurrentVersion), error);
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, "indexes to prune history and finished outbox rows by time (state.retention)",
       "CREATE INDEX outbox_finished ON outbox(finished_at) WHERE status <> 'pending';\n"
       "CREATE INDEX history_at ON history(at);"},
      // Times are epoch seconds (NULL: Bedrock did not send it); progress is "EPOCH:PROCESSED" points
      // joined by ';', oldest first (a bounded tail, see agent/cycle/job_view.hpp).
      {2, "the job view: the Bedrock batch jobs tracked, each with its last snapshot and observed progress",
       "CREATE TABLE jobs(\n"
       "  account TEXT NOT NULL, region TEXT NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL,\n"
       "  model_id TEXT NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL, output_s3_uri TEXT NOT NULL,\n"
       "  submit_time INTEGER, last_modified_time INTEGER, end_time INTEGER, expiration_time INTEGER,\n"
       "  total INTEGER, processed INTEGER, success INTEGER, errors INTEGER,\n"
       "  first_seen INTEGER NOT NULL, progress TEXT NOT NULL DEFAULT '', vanished INTEGER NOT NULL DEFAULT 0,\n"
       "  PRIMARY KEY(account, region, arn));"},
  };
  return steps;
}

Result<int> version_of(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) != SQLITE_OK)
    return state_error("read schema version", sqlite3_errmsg(db));
  const int rc = sqlite3_step(s);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  if (version < 0) return state_error("read schema version", sqlite3_errmsg(db));
  return version;
}

Result<int> check_readable(sqlite3* db, const std::string& path) {
  auto version = version_of(db);
  if (version && version.value() > kCurrentVersion) return newer_file(path, version.value());
  return version;
}

Result<int> upgrade(sqlite3* db, const std::string& path) {
  // Read inside the write transaction: a second connection opening the same file at the same time
  // (the daemon's delivery thread) waits here and then finds the work done.
  std::string error;
  if (!run(db, "BEGIN IMMEDIATE", error)) return state_error("cannot upgrade state file " + path, error);
  auto found = version_of(db);
  if (found && found.value() == kCurrentVersion) {
    run(db, "COMMIT", error);
    return found;
  }
  if (found && found.value() > kCurrentVersion) {
    run(db, "ROLLBACK", error);
    return newer_file(path, found.value());
  }
  if (!found || !apply_steps(db, found.value(), error) || !run(db, "COMMIT", error)) {
    std::string ignored;
    run(db, "ROLLBACK", ignored);
    return state_error("cannot upgrade state file " + path + " from version " +
                           (found ? std::to_string(found.value()) : std::string("?")) + " to " +
                           std::to_string(kCurrentVersion),
                       found ? error : found.error().describe());
  }
  return found;
}

}  // namespace bw::agent::schema
