// The state file's versions: a new file starts at the current one, a 0.1.0 file is upgraded in place
// keeping what it holds, a failing step changes nothing, and a newer file is refused untouched.
#include "agent/state/schema.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agent/state/sqlite_state_store.hpp"
#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::TempDb;

const std::string kV0Fixture = std::string(BW_TEST_DATA_DIR) + "/state/v0-alarm-owed.db";

// The first column of every row `sql` returns, as text, read on a connection of its own.
std::vector<std::string> column(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(s, 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::string user_version(const std::string& path) { return column(path, "PRAGMA user_version").at(0); }

std::vector<std::string> indexes(const std::string& path) {
  return column(path, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
}

void copy_fixture_to(const TempDb& db) {
  std::filesystem::copy_file(kV0Fixture, db.path(), std::filesystem::copy_options::overwrite_existing);
}

TEST(Schema, StepsRunInOrderUpToTheCurrentVersion) {
  const auto& steps = schema::migrations();
  ASSERT_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].to, static_cast<int>(i) + 1);
  EXPECT_EQ(steps.back().to, schema::kCurrentVersion);
}

TEST(Schema, NewFileStartsAtTheCurrentVersion) {
  TempDb db;
  ASSERT_TRUE(db.open());
  EXPECT_EQ(user_version(db.path()), std::to_string(schema::kCurrentVersion));
  EXPECT_EQ(indexes(db.path()), (std::vector<std::string>{"history_at", "outbox_due", "outbox_finished"}));
}

TEST(Schema, VersionZeroFixtureIsTheSchemaOf010) {
  TempDb db;
  copy_fixture_to(db);  // read a copy: a WAL file read in place would leave -shm and -wal in the tree
  EXPECT_EQ(user_version(db.path()), "0");
  EXPECT_EQ(indexes(db.path()), (std::vector<std::string>{"outbox_due"}));
}

TEST(Schema, FileOf010IsUpgradedKeepingStatesHistoryAndOwedRows) {
  TempDb db;
  copy_fixture_to(db);
  auto store = db.open();
  ASSERT_TRUE(store);
  EXPECT_EQ(user_version(db.path()), std::to_string(schema::kCurrentVersion));
  EXPECT_EQ(indexes(db.path()), (std::vector<std::string>{"history_at", "outbox_due", "outbox_finished"}));

  const auto st = store->get("input-tokens-high", "modelId=hot-model");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, AlarmState::Alarm);
  EXPECT_EQ(st->notified_state, "ALARM");
  ASSERT_EQ(store->history().size(), 1u);
  EXPECT_EQ(store->history()[0].to, "ALARM");
  const auto owed = store->outbox("pending");
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].target, "hook");
  EXPECT_EQ(owed[0].attempts, 1);
  EXPECT_EQ(store->earliest_pending(), owed[0].next_attempt_at);

  // Opening again finds it current: nothing to do, nothing changed.
  store.reset();
  ASSERT_TRUE(db.open());
  EXPECT_EQ(user_version(db.path()), std::to_string(schema::kCurrentVersion));
}

TEST(Schema, FailingStepLeavesTheFileAsItWas) {
  TempDb db;
  copy_fixture_to(db);
  // A table with the name the step's second index wants: the step fails after its first statement.
  db.exec_raw("CREATE TABLE history_at(x)");
  const auto opened = SqliteStateStore::open(db.path());
  ASSERT_FALSE(opened);
  const auto message = opened.error().describe();
  EXPECT_NE(message.find(db.path()), std::string::npos) << message;
  EXPECT_NE(message.find("from version 0 to " + std::to_string(schema::kCurrentVersion)), std::string::npos) << message;
  EXPECT_NE(message.find("history_at"), std::string::npos) << message;
  EXPECT_EQ(user_version(db.path()), "0");
  EXPECT_EQ(indexes(db.path()), (std::vector<std::string>{"outbox_due"}));  // outbox_finished rolled back
}

TEST(Schema, NewerFileIsRefusedNamingPathAndBothVersions) {
  TempDb db;
  ASSERT_TRUE(db.open());
  db.exec_raw("PRAGMA user_version = 7");
  for (const auto& opened : {SqliteStateStore::open(db.path()), SqliteStateStore::open_read_only(db.path())}) {
    ASSERT_FALSE(opened);
    const auto message = opened.error().describe();
    EXPECT_NE(message.find(db.path()), std::string::npos) << message;
    EXPECT_NE(message.find("schema version 7"), std::string::npos) << message;
    EXPECT_NE(message.find("up to " + std::to_string(schema::kCurrentVersion)), std::string::npos) << message;
  }
  EXPECT_EQ(user_version(db.path()), "7");  // never downgraded
}

TEST(Schema, ReadOnlyOpenOfAMissingFileSaysSoAndCreatesNothing) {
  TempDb db;
  const auto opened = SqliteStateStore::open_read_only(db.path());
  ASSERT_FALSE(opened);
  const auto message = opened.error().describe();
  EXPECT_NE(message.find(db.path()), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(db.path()));
}

TEST(Schema, ReadOnlyStoreReadsButCannotWrite) {
  TempDb db;
  copy_fixture_to(db);
  ASSERT_TRUE(db.open());  // upgraded, as the daemon leaves it
  auto opened = SqliteStateStore::open_read_only(db.path());
  ASSERT_TRUE(opened) << opened.error().describe();
  auto& reader = *opened.value();
  EXPECT_EQ(reader.history().size(), 1u);
  EXPECT_FALSE(reader.mark_delivered(1, Time{}).ok());
  EXPECT_EQ(reader.outbox("pending").size(), 1u);
}

}  // namespace
}  // namespace bw::agent
