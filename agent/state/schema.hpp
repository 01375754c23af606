#pragma once
// The state file's schema, versioned with `PRAGMA user_version`. Version 0 is what batchwatch 0.1.0
// wrote (no version set); each later version is reached from the one before by one forward step,
// and a file is brought to the current version in one transaction when it is opened. A file written
// by a newer release is refused, never rewritten: its owner may still need it.
//
// Adding a version: append a step to migrations() (never edit a released one), raise kCurrentVersion,
// and commit a state file written by the release before the change under tests/data/state/, with a
// test that upgrades it (see docs/architecture.md, "The state file").
#include <string>
#include <vector>

#include "agent/error.hpp"

struct sqlite3;

namespace bw::agent::schema {

inline constexpr int kCurrentVersion = 2;

// One forward step: the SQL that takes a file at version `to - 1` to version `to`.
struct Migration {
  int to;
  const char* why;  // what the version adds, for the log and the reader
  const char* sql;
};

// Every step, oldest first; the last one's `to` is kCurrentVersion.
const std::vector<Migration>& migrations();

// The version written in an open database (0 for a new, empty file).
Result<int> version_of(sqlite3* db);

// Brings the database to kCurrentVersion in one transaction (a failing step leaves it untouched) and
// returns the version it had. A version above kCurrentVersion is refused; `path` names the file in
// every error.
Result<int> upgrade(sqlite3* db, const std::string& path);

// Refuses a file newer than this binary (for readers, which do not upgrade).
Result<int> check_readable(sqlite3* db, const std::string& path);

}  // namespace bw::agent::schema
