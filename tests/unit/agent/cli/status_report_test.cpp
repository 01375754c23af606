#include "agent/cli/status_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::at;

const Time kNow = at("2026-11-22T08:00:00Z");

StoredState state(std::string rule, std::string series, AlarmState s, std::optional<double> value, Time since) {
  StoredState st;
  st.rule = std::move(rule);
  st.series = std::move(series);
  st.state = s;
  st.value = value;
  st.reason = std::string(to_string(s)) + " because";
  st.changed_at = since;
  return st;
}

OutboxRow pending(std::string target, Time owed_at) {
  OutboxRow r;
  r.target = std::move(target);
  r.created_at = owed_at;
  return r;
}

StatusReport sample_report() {
  std::vector<StoredState> states{
      state("b-rule", "modelId=m2", AlarmState::InsufficientData, std::nullopt, at("2026-11-22T07:00:00Z")),
      state("a-rule", "modelId=m1", AlarmState::Ok, 5.0, at("2026-11-22T06:00:00Z")),
      state("z-rule", "modelId=m1", AlarmState::Alarm, 45600000.0, at("2026-11-22T05:55:00Z")),
      state("c-rule", "modelId=m3", AlarmState::Alarm, 1250000.5, at("2026-11-22T07:59:30Z")),
      state("d-rule", "", AlarmState::Ok, 0.0, at("2026-11-22T06:00:00Z")),
      state("e-drain", "modelId=m1", AlarmState::Drained, 0.0, at("2026-11-22T07:30:00Z")),
  };
  const std::vector<OutboxRow> rows{pending("ops", at("2026-11-22T07:55:00Z")), pending("ops", at("2026-11-22T07:00:00Z")),
                                    pending("hook", at("2026-11-22T07:59:00Z"))};
  const std::vector<OutboxCount> counts{{"hook", 1, 0, std::nullopt}, {"ops", 2, 3, std::nullopt}, {"old", 0, 1, std::nullopt}};
  std::vector<StoredSilence> stored(3);
  stored[0] = {7, "z-rule", R"({"modelId":"m1"})", at("2026-11-22T07:00:00Z"), at("2026-11-22T10:00:00Z"), "deploy",
               at("2026-11-22T07:00:00Z")};
  stored[1] = {8, "*", "{}", at("2026-11-22T01:00:00Z"), at("2026-11-22T02:00:00Z"), "over", {}};  // ended
  stored[2] = {9, "*", "{}", at("2026-11-22T09:00:00Z"), at("2026-11-22T11:00:00Z"), "later", {}};  // not begun
  config::Silence from_file;
  from_file.labels = {{"modelId", "*"}};
  from_file.starts = at("2026-11-22T00:00:00Z");
  from_file.ends = at("2026-11-22T09:00:00Z");
  return build_status_report({states, rows, counts, stored, {from_file}, {"ops", "quiet"}}, kNow);
}

TEST(StatusReport, NotOkFirstAlarmsLeadingThenACountOfOk) {
  const auto r = sample_report();
  ASSERT_EQ(r.not_ok.size(), 4u);
  EXPECT_EQ(r.not_ok[0].rule, "c-rule");
  EXPECT_EQ(r.not_ok[1].rule, "z-rule");
  EXPECT_EQ(r.not_ok[2].state, AlarmState::InsufficientData);
  EXPECT_EQ(r.not_ok[3].state, AlarmState::Drained);
  EXPECT_EQ(r.ok, 2u);
}

TEST(StatusReport, OwedPerTargetWithTheOldestPendingAge) {
  const auto r = sample_report();
  ASSERT_EQ(r.owed.size(), 4u);
  EXPECT_EQ(r.owed[0].target, "hook");
  EXPECT_EQ(r.owed[0].oldest_pending_age, Duration{60});
  EXPECT_EQ(r.owed[1].target, "old");
  EXPECT_EQ(r.owed[1].oldest_pending_age, std::nullopt);
  EXPECT_EQ(r.owed[1].dead, 1u);
  EXPECT_EQ(r.owed[2].target, "ops");
  EXPECT_EQ(r.owed[2].pending, 2u);
  EXPECT_EQ(r.owed[2].oldest_pending_age, Duration{3600});
  EXPECT_EQ(r.owed[2].dead, 3u);
  EXPECT_EQ(r.owed[3].target, "quiet");  // configured, owed nothing: listed so it reads as fine, not missing
  EXPECT_EQ(r.owed[3].pending, 0u);
}

TEST(StatusReport, OnlySilencesInForceEndingSoonestFirst) {
  const auto r = sample_report();
  ASSERT_EQ(r.silences.size(), 2u);
  EXPECT_TRUE(r.silences[0].from_agent_file);
  EXPECT_EQ(r.silences[0].ends, at("2026-11-22T09:00:00Z"));
  EXPECT_EQ(r.silences[1].id, 7);
  EXPECT_EQ(r.silences[1].labels, (std::vector<Dimension>{{"modelId", "m1"}}));
}

TEST(StatusReport, TextReadsAsPeopleReadIt) {
  const auto text = status_text(sample_report());
  EXPECT_NE(text.find("ALARM             c-rule"), std::string::npos) << text;
  EXPECT_NE(text.find("since 2026-11-22T05:55:00Z (2h 5m ago)   45.6M  ALARM because"), std::string::npos) << text;
  EXPECT_NE(text.find("4 not OK, 2 OK\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  ops                      2 pending (oldest 1h), 3 dead\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  #7         rule z-rule where modelId=m1 until 2026-11-22T10:00:00Z (2h left): deploy\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  agent file every rule where modelId=* until 2026-11-22T09:00:00Z (1h left)\n"),
            std::string::npos)
      << text;
  EXPECT_LT(text.find("c-rule"), text.find("z-rule"));
  EXPECT_EQ(text.find("a-rule"), std::string::npos) << "OK series are counted, not listed";
}

TEST(StatusReport, JsonKeepsFullPrecisionAndLabelsAsObjects) {
  const auto j = nlohmann::json::parse(status_json(sample_report()));
  EXPECT_EQ(j["time"], "2026-11-22T08:00:00Z");
  EXPECT_EQ(j["ok"], 2);
  ASSERT_EQ(j["not_ok"].size(), 4u);
  EXPECT_EQ(j["not_ok"][0]["value"], 1250000.5);
  EXPECT_EQ(j["not_ok"][0]["labels"], nlohmann::json({{"modelId", "m3"}}));
  EXPECT_EQ(j["not_ok"][0]["since"], "2026-11-22T07:59:30Z");
  EXPECT_TRUE(j["not_ok"][2]["value"].is_null());
  EXPECT_EQ(j["outbox"][2], nlohmann::json({{"target", "ops"}, {"pending", 2}, {"oldest_pending_seconds", 3600},
                                            {"dead", 3}}));
  EXPECT_TRUE(j["outbox"][1]["oldest_pending_seconds"].is_null());
  EXPECT_EQ(j["silences"][1]["id"], 7);
  EXPECT_EQ(j["silences"][0]["source"], "agent file");
  EXPECT_EQ(j["silences"][1]["ends"], "2026-11-22T10:00:00Z");
}

TEST(StatusReport, AnEmptyFileSaysSo) {
  const auto text = status_text(build_status_report({}, kNow));
  EXPECT_EQ(text, "0 not OK, 0 OK\n\nOwed notifications:\n  none\n\nSilences in force:\n  none\n");
}

}  // namespace
}  // namespace bw::agent
