// The job view's rows (schema version 2, table `jobs`): written inside commit()'s transaction, read
// back whole when an engine starts. A job leaving the view takes its job rules' states with it.
#include <charconv>

#include "agent/state/sqlite_state_store.hpp"
#include "agent/state/sqlite_stmt.hpp"

namespace bw::agent {
namespace {

using sqlite::Stmt;

std::optional<std::int64_t> epoch_or_null(const std::optional<Time>& t) {
  return t ? std::optional<std::int64_t>(epoch(*t)) : std::nullopt;
}

std::optional<Time> time_or_null(const std::optional<std::int64_t>& v) {
  return v ? std::optional<Time>(from_epoch(*v)) : std::nullopt;
}

// "EPOCH:PROCESSED;EPOCH:PROCESSED", oldest first: a few dozen points, read once per start.
std::string encode_progress(const std::vector<JobProgress>& points) {
  std::string out;
  for (const auto& p : points) {
    if (!out.empty()) out += ';';
    out += std::to_string(epoch(p.observed)) + ':' + std::to_string(p.processed);
  }
  return out;
}

std::int64_t to_int64(std::string_view text) {
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::vector<JobProgress> decode_progress(std::string_view text) {
  std::vector<JobProgress> out;
  while (!text.empty()) {
    const auto end = std::min(text.find(';'), text.size());
    const auto point = text.substr(0, end);
    if (const auto colon = point.find(':'); colon != std::string_view::npos)
      out.push_back({from_epoch(to_int64(point.substr(0, colon))), to_int64(point.substr(colon + 1))});
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return out;
}

constexpr const char* kJobColumns =
    "account, region, arn, name, model_id, status, message, output_s3_uri, submit_time, last_modified_time, "
    "end_time, expiration_time, total, processed, success, errors, first_seen, progress, vanished";

StoredJob read_job(const Stmt& s) {
  StoredJob r;
  r.account = s.text(0);
  r.region = s.text(1);
  auto& j = r.job;
  j.arn = s.text(2);
  j.name = s.text(3);
  j.model_id = s.text(4);
  j.status = s.text(5);
  j.message = s.text(6);
  j.output_s3_uri = s.text(7);
  j.submit_time = time_or_null(s.optional_int64(8));
  j.last_modified_time = time_or_null(s.optional_int64(9));
  j.end_time = time_or_null(s.optional_int64(10));
  j.expiration_time = time_or_null(s.optional_int64(11));
  j.total = s.optional_int64(12);
  j.processed = s.optional_int64(13);
  j.success = s.optional_int64(14);
  j.errors = s.optional_int64(15);
  r.history.first_seen = from_epoch(s.int64(16));
  r.history.progress = decode_progress(s.text(17));
  r.history.vanished = s.int64(18) != 0;
  return r;
}

}  // namespace

std::vector<StoredJob> SqliteStateStore::jobs() const {
  Stmt s(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY account, region, arn").c_str());
  std::vector<StoredJob> out;
  while (s.step()) out.push_back(read_job(s));
  return out;
}

void SqliteStateStore::write_jobs(const JobViewUpdate& jobs) {
  if (jobs.empty()) return;
  Stmt upsert(db_, (std::string("INSERT OR REPLACE INTO jobs(") + kJobColumns +
                    ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                       .c_str());
  for (const auto& r : jobs.upserts) {
    const auto& j = r.job;
    upsert.bind(1, r.account).bind(2, r.region).bind(3, j.arn).bind(4, j.name).bind(5, j.model_id);
    upsert.bind(6, j.status).bind(7, j.message).bind(8, j.output_s3_uri);
    upsert.bind(9, epoch_or_null(j.submit_time)).bind(10, epoch_or_null(j.last_modified_time));
    upsert.bind(11, epoch_or_null(j.end_time)).bind(12, epoch_or_null(j.expiration_time));
    upsert.bind(13, j.total).bind(14, j.processed).bind(15, j.success).bind(16, j.errors);
    upsert.bind(17, epoch(r.history.first_seen)).bind(18, encode_progress(r.history.progress));
    upsert.bind(19, std::int64_t{r.history.vanished ? 1 : 0});
    upsert.step();
    upsert.reset();
  }
  Stmt remove(db_, "DELETE FROM jobs WHERE account = ? AND region = ? AND arn = ?");
  for (const auto& r : jobs.removed) {
    remove.bind(1, r.account).bind(2, r.region).bind(3, r.job.arn);
    remove.step();
    remove.reset();
  }
  Stmt forget(db_, "DELETE FROM alarm_state WHERE rule = ? AND series = ?");
  for (const auto& [rule, series] : jobs.removed_states) {
    forget.bind(1, rule).bind(2, series);
    forget.step();
    forget.reset();
  }
}

}  // namespace bw::agent
