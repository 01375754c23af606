#include "agent/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <vector>

#include "tests/unit/agent/test_support.hpp"

namespace bw::agent {
namespace {

using testing::CapturedLog;

const std::regex kTime(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)");

// Text lines start with the time; the rest is exact.
std::string after_time(const std::string& line) {
  const auto sp = line.find(' ');
  EXPECT_NE(sp, std::string::npos) << line;
  EXPECT_TRUE(std::regex_match(line.substr(0, sp), kTime)) << line;
  return sp == std::string::npos ? line : line.substr(sp + 1);
}

TEST(LoggerJson, OneObjectPerLineWithTimeLevelMessageAndFields) {
  CapturedLog cap(LogLevel::Info, /*json=*/true);
  cap.log().info("state change", {{"rule", "tokens-high"}, {"series", "modelId=m1"}, {"reason", "two words"}});
  cap.log().warn("no fields");
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 2u) << cap.text();
  ASSERT_EQ(cap.text().back(), '\n');

  const auto first = nlohmann::json::parse(lines[0]);
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first.size(), 6u) << lines[0];
  EXPECT_TRUE(std::regex_match(first["time"].get<std::string>(), kTime)) << lines[0];
  EXPECT_TRUE(parse_rfc3339(first["time"].get<std::string>()).has_value());
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["msg"], "state change");
  EXPECT_EQ(first["rule"], "tokens-high");
  EXPECT_EQ(first["series"], "modelId=m1");
  EXPECT_EQ(first["reason"], "two words");

  const auto second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second.size(), 3u);
  EXPECT_EQ(second["level"], "warn");
  EXPECT_EQ(second["msg"], "no fields");
}

TEST(LoggerJson, AwkwardValuesStayOneValidLine) {
  CapturedLog cap(LogLevel::Debug, true);
  cap.log().error("bad\nmessage", {{"body", "line1\nline2 \"quoted\"\t\\"}, {"bytes", "\xff\xfe ok"}});
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u) << cap.text();
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "bad\nmessage");
  EXPECT_EQ(j["body"], "line1\nline2 \"quoted\"\t\\");
  EXPECT_EQ(j["bytes"], "\xef\xbf\xbd\xef\xbf\xbd ok");  // invalid UTF-8 becomes U+FFFD
}

TEST(LoggerLevels, MessagesBelowTheLevelAreDropped) {
  CapturedLog cap(LogLevel::Warn, true);
  cap.log().debug("d");
  cap.log().info("i");
  cap.log().warn("w");
  cap.log().error("e");
  cap.log().log(LogLevel::Info, "i2");
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 2u) << cap.text();
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "w");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["msg"], "e");
  EXPECT_FALSE(cap.log().enabled(LogLevel::Debug));
  EXPECT_FALSE(cap.log().enabled(LogLevel::Info));
  EXPECT_TRUE(cap.log().enabled(LogLevel::Warn));
  EXPECT_TRUE(cap.log().enabled(LogLevel::Error));
}

TEST(LoggerLevels, DebugLetsEverythingThrough) {
  CapturedLog cap(LogLevel::Debug, false);
  cap.log().debug("d");
  cap.log().info("i");
  cap.log().warn("w");
  cap.log().error("e");
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(after_time(lines[0]), "debug d");
  EXPECT_EQ(after_time(lines[1]), "info  i");
  EXPECT_EQ(after_time(lines[2]), "warn  w");
  EXPECT_EQ(after_time(lines[3]), "error e");
}

TEST(LoggerLevels, ParseLevel) {
  LogLevel l = LogLevel::Error;
  EXPECT_TRUE(Logger::parse_level("debug", l));
  EXPECT_EQ(l, LogLevel::Debug);
  EXPECT_TRUE(Logger::parse_level("info", l));
  EXPECT_EQ(l, LogLevel::Info);
  EXPECT_TRUE(Logger::parse_level("warn", l));
  EXPECT_EQ(l, LogLevel::Warn);
  EXPECT_TRUE(Logger::parse_level("warning", l));
  EXPECT_EQ(l, LogLevel::Warn);
  EXPECT_TRUE(Logger::parse_level("error", l));
  EXPECT_EQ(l, LogLevel::Error);
  l = LogLevel::Info;
  EXPECT_FALSE(Logger::parse_level("verbose", l));
  EXPECT_FALSE(Logger::parse_level("INFO", l));
  EXPECT_FALSE(Logger::parse_level("", l));
  EXPECT_EQ(l, LogLevel::Info);  // untouched on failure
}

TEST(LoggerText, PlainValuesBareAndValuesWithSpacesQuoted) {
  CapturedLog cap(LogLevel::Info, false);
  cap.log().info("state change", {{"rule", "tokens-high"},
                                  {"reason", "Threshold Crossed: 1 datapoint"},
                                  {"empty", ""},
                                  {"series", "modelId=m1"},
                                  {"quote", R"(say "hi")"},
                                  {"tab", "a\tb"}});
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(after_time(lines[0]),
            R"(info  state change rule=tokens-high reason="Threshold Crossed: 1 datapoint" empty="" )"
            R"(series="modelId=m1" quote="say \"hi\"" tab="a\tb")");
}

TEST(LoggerText, ControlCharactersAreQuotedSoAnEntryStaysOneLine) {
  CapturedLog cap(LogLevel::Info, false);
  cap.log().warn("odd", {{"value", "line1\nline2"}, {"cr", "a\rb"}, {"esc", "\x1b[31m"}});
  const auto lines = cap.lines();
  ASSERT_EQ(lines.size(), 1u) << cap.text();
  EXPECT_EQ(after_time(lines[0]), R"(warn  odd value="line1\nline2" cr="a\rb" esc="\x1b[31m")");
}

}  // namespace
}  // namespace bw::agent
