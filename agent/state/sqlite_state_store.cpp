#include "agent/state/sqlite_state_store.hpp"

#include "agent/state/schema.hpp"
#include "agent/state/sqlite_stmt.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

namespace bw::agent {
using sqlite::Stmt;
namespace {

// Set on every connection; the tables themselves are schema.cpp's, versioned. The page cache is
// 512 KiB, not SQLite's 2 MB: the engine reads the states once and then writes only what changed,
// so a larger cache held 2 MB of a 25,000-instance daemon's heap for no speed (its pages stay in the
// OS page cache).
constexpr const char* kConnectionSettings = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA busy_timeout=5000;
PRAGMA cache_size=-512;
)sql";

StoredState read_state(const Stmt& s) {
  StoredState st;
  st.rule = s.text(0);
  st.series = s.text(1);
  st.state = parse_alarm_state(s.text(2)).value_or(AlarmState::InsufficientData);
  st.value = s.real(3);
  st.reason = s.text(4);
  st.changed_at = from_epoch(s.int64(5));
  st.evaluated_at = from_epoch(s.int64(6));
  st.notified_state = s.text(7);
  st.notified_at = from_epoch(s.int64(8));
  st.window_end = from_epoch(s.int64(9));
  if (auto m = s.real(10)) st.marker = from_epoch(static_cast<std::int64_t>(*m));
  return st;
}

constexpr const char* kStateColumns =
    "SELECT rule, series, state, value, reason, changed_at, evaluated_at, notified_state, notified_at, window_end, "
    "marker FROM alarm_state";
constexpr const char* kOutboxColumns =
    "SELECT id, idempotency_key, target, subject, payload, rule, series, state, created_at, attempts, "
    "next_attempt_at, status, last_error FROM outbox";

OutboxRow read_outbox(const Stmt& s) {
  OutboxRow r;
  r.id = s.int64(0);
  r.idempotency_key = s.text(1);
  r.target = s.text(2);
  r.subject = s.text(3);
  r.payload = s.text(4);
  r.rule = s.text(5);
  r.series = s.text(6);
  r.state = s.text(7);
  r.created_at = from_epoch(s.int64(8));
  r.attempts = static_cast<int>(s.int64(9));
  r.next_attempt_at = from_epoch(s.int64(10));
  r.status = s.text(11);
  r.last_error = s.text(12);
  return r;
}

// One write outside commit(): Stmt throws on a SQLite failure; the caller gets it as a value.
template <class T, class Write>
Result<T> write_or_error(const char* what, Write&& write) {
  try {
    return write();
  } catch (const std::exception& e) {
    return state_error(what, e.what());
  }
}

// One statement that returns no rows, its parameters bound in order.
template <class... Values>
Result<Unit> write(sqlite3* db, const char* what, const char* sql, const Values&... values) {
  return write_or_error<Unit>(what, [&] {
    Stmt s(db, sql);
    int i = 0;
    (s.bind(++i, values), ...);
    s.step();
    return Unit{};
  });
}

// What an attempt on an outbox row records (mark_delivered, mark_retry, mark_dead, mark_attempts).
constexpr const char* kMarkDelivered =
    "UPDATE outbox SET status='delivered', attempts=attempts+1, finished_at=?, last_error='' WHERE id=?";
constexpr const char* kMarkRetry = "UPDATE outbox SET attempts=attempts+1, next_attempt_at=?, last_error=? WHERE id=?";
constexpr const char* kMarkDead =
    "UPDATE outbox SET status='dead', attempts=attempts+1, finished_at=?, last_error=? WHERE id=?";
// Settled without asking the target (`ha:`, another replica has it): the attempts stay as they were.
constexpr const char* kMarkDeliveredElsewhere =
    "UPDATE outbox SET status='delivered', finished_at=?, last_error=? WHERE id=?";
constexpr const char* kMarkDeferred = "UPDATE outbox SET next_attempt_at=?, last_error=? WHERE id=?";

// Rows a pruning statement deletes at most: each statement is its own short transaction, so the
// delivery thread's writes get in between.
constexpr std::size_t kPruneBatch = 500;

// Runs `delete_sql` (parameters: the cutoff, then a LIMIT) until it deletes less than a batch or
// `max_rows` are gone; the number deleted.
std::size_t delete_in_batches(sqlite3* db, const char* delete_sql, Time cutoff, std::size_t max_rows) {
  Stmt s(db, delete_sql);
  std::size_t deleted = 0;
  while (deleted < max_rows) {
    const auto limit = std::min(kPruneBatch, max_rows - deleted);
    s.bind(1, epoch(cutoff)).bind(2, static_cast<std::int64_t>(limit));
    s.step();
    s.reset();
    const auto n = static_cast<std::size_t>(sqlite3_changes(db));
    deleted += n;
    if (n < limit) break;
  }
  return deleted;
}

}  // namespace

Result<std::unique_ptr<StateStore>> SqliteStateStore::open(const std::string& path) {
  auto store = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!store) return store.error();
  if (std::string error; !store.value()->exec(kConnectionSettings, error))
    return state_error("cannot initialise state database " + path, std::move(error));
  if (auto upgraded = schema::upgrade(store.value()->db_, path); !upgraded) return upgraded.error();
  return std::unique_ptr<StateStore>(std::move(store).value());
}

Result<std::unique_ptr<StateStore>> SqliteStateStore::open_read_only(const std::string& path) {
  // SQLite's own message for a missing file is "unable to open database file"; say which and why.
  if (std::error_code ec; !std::filesystem::exists(path, ec))
    return state_error("state file " + path, "does not exist (has the daemon or `once` run with this config?)");
  auto store = connect(path, SQLITE_OPEN_READONLY);
  if (!store) return store.error();
  if (std::string error; !store.value()->exec("PRAGMA busy_timeout=5000", error))
    return state_error("cannot read state database " + path, std::move(error));
  if (auto readable = schema::check_readable(store.value()->db_, path); !readable) return readable.error();
  return std::unique_ptr<StateStore>(std::move(store).value());
}

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::connect(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    auto error = state_error("cannot open state database " + path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return error;
  }
  return std::unique_ptr<SqliteStateStore>(new SqliteStateStore(db));
}

SqliteStateStore::~SqliteStateStore() {
  sqlite3_finalize(get_stmt_);  // a statement left unfinalized would keep the database open
  sqlite3_close(db_);
}

bool SqliteStateStore::exec(const char* sql, std::string& error) const {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    error = msg ? msg : "unknown SQLite error";
    sqlite3_free(msg);
    return false;
  }
  return true;
}

std::optional<StoredState> SqliteStateStore::get(const std::string& rule, const std::string& series) const {
  std::lock_guard lock(get_mutex_);
  if (!get_stmt_ && sqlite3_prepare_v2(db_, (std::string(kStateColumns) + " WHERE rule = ? AND series = ?").c_str(), -1,
                                       &get_stmt_, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db_));
  Stmt s(get_stmt_);  // reset (and its bindings cleared) when done, whatever happens
  s.bind(1, rule).bind(2, series);
  if (!s.step()) return std::nullopt;
  return read_state(s);
}

std::vector<StoredState> SqliteStateStore::all_states() const {
  Stmt s(db_, (std::string(kStateColumns) + " ORDER BY rule, series").c_str());
  std::vector<StoredState> out;
  while (s.step()) out.push_back(read_state(s));
  return out;
}

// Table order, not key order: no sort of 25,000 rows for a reader that keys them itself.
void SqliteStateStore::each_state(const std::function<void(const StoredState&)>& visit) const {
  Stmt s(db_, kStateColumns);
  while (s.step()) visit(read_state(s));
}

Result<Unit> SqliteStateStore::in_transaction(const char* what, const std::function<void()>& body) {
  std::string error;
  if (!exec("BEGIN IMMEDIATE", error)) return state_error(what, std::move(error));
  try {
    body();
  } catch (const std::exception& e) {
    std::string ignored;
    exec("ROLLBACK", ignored);
    return state_error(what, e.what());
  }
  if (exec("COMMIT", error)) return Unit{};
  // A failed COMMIT (SQLITE_BUSY, SQLITE_FULL, ...) may leave the transaction open; every later
  // BEGIN would then fail with "cannot start a transaction within a transaction".
  std::string ignored;
  exec("ROLLBACK", ignored);
  return state_error(what, std::move(error));
}

Result<Unit> SqliteStateStore::commit(const std::vector<StateUpdate>& updates, const JobViewUpdate& jobs) {
  return in_transaction("state commit", [&] {
    write_updates(updates);
    write_jobs(jobs);
  });
}

// Inside commit()'s transaction; a failing statement throws, and commit() rolls back.
void SqliteStateStore::write_updates(const std::vector<StateUpdate>& updates) {
  Stmt upsert(db_,
              "INSERT INTO alarm_state(rule, series, state, value, reason, changed_at, evaluated_at, notified_state, "
              "notified_at, window_end, marker) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(rule, series) DO UPDATE SET "
              "state=excluded.state, value=excluded.value, reason=excluded.reason, changed_at=excluded.changed_at, "
              "evaluated_at=excluded.evaluated_at, notified_state=excluded.notified_state, "
              "notified_at=excluded.notified_at, window_end=excluded.window_end, marker=excluded.marker");
  Stmt hist(db_, "INSERT INTO history(rule, series, from_state, to_state, value, reason, at) VALUES(?,?,?,?,?,?,?)");
  Stmt box(db_,
           "INSERT OR IGNORE INTO outbox(idempotency_key, target, subject, payload, rule, series, state, created_at, "
           "next_attempt_at, status, finished_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& u : updates) {
    const auto& st = u.state;
    upsert.bind(1, st.rule).bind(2, st.series).bind(3, std::string(to_string(st.state))).bind(4, st.value);
    upsert.bind(5, st.reason).bind(6, epoch(st.changed_at)).bind(7, epoch(st.evaluated_at)).bind(8, st.notified_state);
    upsert.bind(9, epoch(st.notified_at)).bind(10, epoch(st.window_end));
    upsert.bind(11, st.marker ? std::optional<double>(static_cast<double>(epoch(*st.marker))) : std::nullopt);
    upsert.step();
    upsert.reset();
    if (u.transition) {
      hist.bind(1, st.rule).bind(2, st.series).bind(3, std::string(to_string(u.old_state)));
      hist.bind(4, std::string(to_string(st.state))).bind(5, st.value).bind(6, st.reason).bind(7, epoch(st.changed_at));
      hist.step();
      hist.reset();
    }
    for (const auto& r : u.outbox) {
      box.bind(1, r.idempotency_key).bind(2, r.target).bind(3, r.subject).bind(4, r.payload).bind(5, r.rule);
      box.bind(6, r.series).bind(7, r.state).bind(8, epoch(r.created_at)).bind(9, epoch(r.next_attempt_at));
      box.bind(10, r.status.empty() ? std::string("pending") : r.status);
      box.bind(11, r.status == "silenced" ? std::optional<double>(static_cast<double>(epoch(r.created_at)))
                                          : std::nullopt);
      box.step();
      box.reset();
    }
  }
}

std::vector<OutboxRow> SqliteStateStore::due(Time now) const {
  Stmt s(db_, (std::string(kOutboxColumns) + " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id").c_str());
  s.bind(1, epoch(now));
  std::vector<OutboxRow> out;
  while (s.step()) out.push_back(read_outbox(s));
  return out;
}

std::vector<OutboxRow> SqliteStateStore::outbox(const std::string& status_filter) const {
  std::string sql = kOutboxColumns;
  if (!status_filter.empty()) sql += " WHERE status = ?";
  sql += " ORDER BY id";
  Stmt s(db_, sql.c_str());
  if (!status_filter.empty()) s.bind(1, status_filter);
  std::vector<OutboxRow> out;
  while (s.step()) out.push_back(read_outbox(s));
  return out;
}

std::vector<OutboxCount> SqliteStateStore::outbox_counts() const {
  Stmt s(db_,
         "SELECT target, SUM(status = 'pending'), SUM(status = 'dead'), MIN(CASE WHEN status = 'pending' THEN created_at END) "
         "FROM outbox WHERE status IN ('pending', 'dead') GROUP BY target ORDER BY target");
  std::vector<OutboxCount> out;
  while (s.step())
    out.push_back({s.text(0), static_cast<std::size_t>(s.int64(1)), static_cast<std::size_t>(s.int64(2)),
                   s.real(3) ? std::optional<Time>(from_epoch(s.int64(3))) : std::nullopt});
  return out;
}

std::optional<Time> SqliteStateStore::earliest_pending() const {
  Stmt s(db_, "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'");
  if (!s.step() || !s.real(0)) return std::nullopt;  // MIN over no rows is NULL
  return from_epoch(s.int64(0));
}

Result<Unit> SqliteStateStore::mark_delivered(std::int64_t id, Time at) {
  return write(db_, "outbox update", kMarkDelivered, epoch(at), id);
}

Result<Unit> SqliteStateStore::mark_retry(std::int64_t id, Time next_attempt, const std::string& error) {
  return write(db_, "outbox update", kMarkRetry, epoch(next_attempt), error, id);
}

Result<Unit> SqliteStateStore::mark_dead(std::int64_t id, Time at, const std::string& error) {
  return write(db_, "outbox update", kMarkDead, epoch(at), error, id);
}

Result<Unit> SqliteStateStore::mark_expired(std::int64_t id, Time at, const std::string& error) {
  return write(db_, "outbox update", "UPDATE outbox SET status='dead', finished_at=?, last_error=? WHERE id=?",
               epoch(at), error, id);
}

// The same statements as mark_delivered, mark_retry and mark_dead (and the two that count no
// attempt), each prepared once for the batch when first needed.
Result<Unit> SqliteStateStore::mark_attempts(const std::vector<Attempt>& attempts) {
  using O = Attempt::Outcome;
  return in_transaction("outbox update", [&] {
    std::map<O, std::unique_ptr<Stmt>> prepared;
    for (const auto& a : attempts) {
      auto& s = prepared[a.outcome];
      if (!s)
        s = std::make_unique<Stmt>(db_, a.outcome == O::Delivered            ? kMarkDelivered
                                        : a.outcome == O::Retry              ? kMarkRetry
                                        : a.outcome == O::Dead               ? kMarkDead
                                        : a.outcome == O::DeliveredElsewhere ? kMarkDeliveredElsewhere
                                                                             : kMarkDeferred);
      s->bind(1, epoch(a.at));
      if (a.outcome == O::Delivered) s->bind(2, a.id);
      else s->bind(2, a.error).bind(3, a.id);
      s->step();
      s->reset();
    }
  });
}

Result<std::int64_t> SqliteStateStore::add_silence(const StoredSilence& s) {
  return write_or_error<std::int64_t>("add silence", [&] {
    Stmt st(db_, "INSERT INTO silences(rule, labels, starts, ends, comment, created_at) VALUES(?,?,?,?,?,?)");
    st.bind(1, s.rule).bind(2, s.labels_json).bind(3, epoch(s.starts)).bind(4, epoch(s.ends)).bind(5, s.comment);
    st.bind(6, epoch(s.created_at));
    st.step();
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
  });
}

std::vector<StoredSilence> SqliteStateStore::silences() const {
  Stmt st(db_, "SELECT id, rule, labels, starts, ends, comment, created_at FROM silences ORDER BY id");
  std::vector<StoredSilence> out;
  while (st.step())
    out.push_back({st.int64(0), st.text(1), st.text(2), from_epoch(st.int64(3)), from_epoch(st.int64(4)), st.text(5),
                   from_epoch(st.int64(6))});
  return out;
}

Result<bool> SqliteStateStore::expire_silence(std::int64_t id, Time at) {
  return write_or_error<bool>("expire silence", [&] {
    Stmt st(db_, "UPDATE silences SET ends = MIN(ends, ?) WHERE id = ?");
    st.bind(1, epoch(at)).bind(2, id);
    st.step();
    return sqlite3_changes(db_) > 0;
  });
}

std::vector<HistoryRow> SqliteStateStore::history() const {
  Stmt s(db_, "SELECT rule, series, from_state, to_state, reason, value, at FROM history ORDER BY id");
  std::vector<HistoryRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.real(5), from_epoch(s.int64(6))});
  return out;
}

Result<PruneCount> SqliteStateStore::prune(Time cutoff, std::size_t max_rows) {
  return write_or_error<PruneCount>("prune state file", [&] {
    PruneCount n;
    n.history = delete_in_batches(
        db_, "DELETE FROM history WHERE id IN (SELECT id FROM history WHERE at < ? ORDER BY at LIMIT ?)", cutoff,
        max_rows);
    // `status <> 'pending'` as written in the partial index outbox_finished, so SQLite uses it.
    n.outbox = delete_in_batches(db_,
                                 "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status <> 'pending' AND "
                                 "finished_at < ? ORDER BY finished_at LIMIT ?)",
                                 cutoff, max_rows);
    return n;
  });
}

}  // namespace bw::agent
