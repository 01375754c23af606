#pragma once
// What the agent keeps between cycles: the current state of every (rule, series), the history of
// transitions, the outbox of notifications owed, and silences added at run time. A transition and
// its outbox rows are written in one transaction before any delivery is attempted, so a crash
// between the two loses nothing. SqliteStateStore (sqlite_state_store.hpp) is the implementation.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/error.hpp"
#include "rules/alarm.hpp"
#include "rules/jobs.hpp"
#include "rules/time.hpp"

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

// History rows are written by commit() for transitions, and read back for `history` and the tests.
struct HistoryRow {
  std::string rule, series, from, to, reason;
  std::optional<double> value;
  Time at{};
};

// One tracked Bedrock batch job (the job view): the last snapshot listed and what the agent observed
// of it. Keyed by (account, region, job.arn); account and region are "" without aws.accounts.
struct StoredJob {
  std::string account;
  std::string region;
  JobSnapshot job;
  JobHistory history;
};

// What a cycle changes in the job view: jobs written whole, and jobs forgotten (beyond jobs.lookback
// or state.retention), by key, with the (rule, series) states the job rules kept for them, which
// would otherwise stay in the state file forever. Empty when the cycle did not list jobs.
struct JobViewUpdate {
  std::vector<StoredJob> upserts;
  std::vector<StoredJob> removed;
  std::vector<std::pair<std::string, std::string>> removed_states;  // (rule, series)
  bool empty() const { return upserts.empty() && removed.empty() && removed_states.empty(); }
};

// What one prune() deleted.
struct PruneCount {
  std::size_t history = 0;
  std::size_t outbox = 0;
};

// Pending and dead outbox rows of one target.
struct OutboxCount {
  std::string target;
  std::size_t pending = 0;
  std::size_t dead = 0;
  std::optional<Time> oldest_pending;  // when the oldest pending row was queued
};

// The agent's durable memory. Writes that can fail return the failure; reads throw
// std::runtime_error if the database fails under them (it was opened and its schema set up, so
// that is a broken machine, not a condition to handle). One instance is used by one thread at a time.
class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<StoredState> get(const std::string& rule, const std::string& series) const = 0;
  virtual std::vector<StoredState> all_states() const = 0;
  // Every stored state, in no particular order, each handed to `visit` as it is read (valid only during
  // the call): the engine fills its own compact copy (known_states.hpp) with one query, not 25,000
  // get() calls nor a vector of full copies. This default reads all_states(); SqliteStateStore streams.
  virtual void each_state(const std::function<void(const StoredState&)>& visit) const {
    for (const auto& s : all_states()) visit(s);
  }

  // Every update (state rows, history rows for transitions, outbox rows) and the job view's changes
  // in one transaction, or none: a restart neither forgets a job nor notifies it twice.
  // Outbox rows whose (idempotency_key, target) already exist are kept as they are.
  virtual Result<Unit> commit(const std::vector<StateUpdate>& updates, const JobViewUpdate& jobs = {}) = 0;

  // The job view as last committed, in key order.
  virtual std::vector<StoredJob> jobs() const = 0;

  // Pending rows due at `now`, oldest first.
  virtual std::vector<OutboxRow> due(Time now) const = 0;
  // Every row, or those with the given status, oldest first.
  virtual std::vector<OutboxRow> outbox(const std::string& status_filter = "") const = 0;
  // Counted by the store: the rows, payloads included, are not read.
  virtual std::vector<OutboxCount> outbox_counts() const = 0;
  // When the earliest pending row falls due (nullopt when none): the delivery thread asks on every
  // pass, so it reads one value, not the rows.
  virtual std::optional<Time> earliest_pending() const = 0;
  virtual Result<Unit> mark_delivered(std::int64_t id, Time at) = 0;
  virtual Result<Unit> mark_retry(std::int64_t id, Time next_attempt, const std::string& error) = 0;
  // Dead after an attempt the target refused for good: the attempt is counted.
  virtual Result<Unit> mark_dead(std::int64_t id, Time at, const std::string& error) = 0;
  // Dead without another attempt (it outlived its target's max_age): the count stays as it was.
  virtual Result<Unit> mark_expired(std::int64_t id, Time at, const std::string& error) = 0;

  virtual Result<std::int64_t> add_silence(const StoredSilence& silence) = 0;  // the new silence's id
  virtual std::vector<StoredSilence> silences() const = 0;
  virtual Result<bool> expire_silence(std::int64_t id, Time at) = 0;  // false when no such silence

  virtual std::vector<HistoryRow> history() const = 0;

  // Deletes history rows and finished outbox rows (delivered, dead, silenced) from before `cutoff`,
  // a few hundred a statement so the other connection never waits long; at most `max_rows` per
  // table a call (the rest go on the next). Pending rows and current states are never deleted.
  virtual Result<PruneCount> prune(Time cutoff, std::size_t max_rows) = 0;

  // The outcome of one attempt on an outbox row, as mark_delivered, mark_retry and mark_dead record it
  // (`at`: when it finished; for Retry and Deferred, when to try again). With `ha:` a row can also be
  // settled without asking its target: DeliveredElsewhere (another replica delivered it: delivered,
  // `error` notes by whom) and Deferred (another replica holds it: due again at `at`); neither counts
  // an attempt.
  struct Attempt {
    enum class Outcome { Delivered, Retry, Dead, DeliveredElsewhere, Deferred };
    std::int64_t id = 0;
    Outcome outcome = Outcome::Delivered;
    Time at{};
    std::string error;
  };
  // The attempts of one batch (e.g. one SNS PublishBatch) in one transaction: all recorded, or none.
  // This default records them one by one and knows only the outcomes that count an attempt;
  // SqliteStateStore overrides it with a transaction and knows them all.
  virtual Result<Unit> mark_attempts(const std::vector<Attempt>& attempts) {
    using O = Attempt::Outcome;
    for (const auto& a : attempts) {
      if (a.outcome == O::DeliveredElsewhere || a.outcome == O::Deferred)
        return state_error("outbox update", "this store cannot settle a row without an attempt");
      auto done = a.outcome == O::Delivered ? mark_delivered(a.id, a.at)
                  : a.outcome == O::Retry   ? mark_retry(a.id, a.at, a.error)
                                            : mark_dead(a.id, a.at, a.error);
      if (!done) return done;
    }
    return Unit{};
  }
};

}  // namespace bw::agent
