#include "rules/time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bw {
namespace {

TEST(ParseDuration, AcceptsEachUnitAndCombinations) {
  EXPECT_EQ(parse_duration("90s"), Duration{90});
  EXPECT_EQ(parse_duration("5m"), Duration{300});
  EXPECT_EQ(parse_duration("6h"), Duration{6 * 3600});
  EXPECT_EQ(parse_duration("7d"), Duration{7 * 86400});
  EXPECT_EQ(parse_duration("1h30m"), Duration{5400});
  EXPECT_EQ(parse_duration("1d2h3m4s"), Duration{86400 + 7200 + 180 + 4});
  EXPECT_EQ(parse_duration("0h5m"), Duration{300});  // a zero term is fine while the total is positive
}

TEST(ParseDuration, RejectsMalformedOrNonPositive) {
  for (const char* bad : {"", "5", "m", "0s", "-5m", "5x", "5M", " 5m", "5m ", "5m3", "1.5h", "+5m", "0m0s"}) {
    EXPECT_FALSE(parse_duration(bad)) << '"' << bad << '"';
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_FALSE(parse_duration("99999999999999999999s"));
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "9999999999w";
  EXPECT_FALSE(parse_duration(many));
}

TEST(FormatDuration, ShortestFormThatParsesBack) {
  EXPECT_EQ(format_duration(Duration{3600}), "1h");
  EXPECT_EQ(format_duration(Duration{5400}), "90m");
  EXPECT_EQ(format_duration(Duration{90}), "90s");
  EXPECT_EQ(format_duration(Duration{60}), "1m");
  EXPECT_EQ(format_duration(Duration{86400}), "1d");
  EXPECT_EQ(format_duration(Duration{7 * 86400}), "7d");
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  for (const long s : {1L, 59L, 61L, 3599L, 3660L, 86399L, 90000L, 604800L}) {
    EXPECT_EQ(parse_duration(format_duration(Duration{s})), Duration{s}) << s;
  }
}

TEST(ParseRfc3339, UtcAndOffsets) {
  const Time t = from_epoch(1'795'327'200);  // 2026-11-22T06:00:00Z
  EXPECT_EQ(parse_rfc3339("2026-11-22T06:00:00Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22t06:00:00z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22 06:00:00Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T01:00:00-05:00"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T11:30:00+05:30"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T06:00:00+00:00"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-21T23:00:00-07:00"), t);  // offset crosses the date line
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), from_epoch(0));
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), from_epoch(-1));
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), from_epoch(1'709'164'800));
}

TEST(ParseRfc3339, FractionalSecondsAreTruncated) {
  const Time t = from_epoch(1'795'327'200);
  EXPECT_EQ(parse_rfc3339("2026-11-22T06:00:00.000Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T06:00:00.999999Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-22T01:00:00.5-05:00"), t);
}

TEST(ParseRfc3339, RejectsGarbageAndInvalidDates) {
  for (const char* bad : {"", "garbage", "2026-11-22", "2026-11-22T06:00:00", "2026-11-22T06:00Z",
                          "2026-11-22T06:00:00ZZ", "2026/11/22T06:00:00Z", "2026-11-22X06:00:00Z",
                          "2026-11-22T06:00:00.Z", "2026-11-22T06:00:00+0500", "2026-11-22T06:00:00+05",
                          "2026-11-22T06:00:00+24:00", "2026-11-22T06:00:00-05:60", "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T06:60:00Z",
                          "2026-11-22T06:00:61Z", "2026-11-22T6:00:00Z", " 2026-11-22T06:00:00Z",
                          "2026-11-22T06:00:00Z ", "2026-1x-22T06:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << '"' << bad << '"';
  }
}

TEST(PeriodFloor, AlignsToEpochOnBothSides) {
  const Duration p{300};
  EXPECT_EQ(period_floor(from_epoch(0), p), from_epoch(0));
  EXPECT_EQ(period_floor(from_epoch(299), p), from_epoch(0));
  EXPECT_EQ(period_floor(from_epoch(300), p), from_epoch(300));
  EXPECT_EQ(period_floor(from_epoch(1'795'327'259), Duration{60}), from_epoch(1'795'327'200));
  EXPECT_EQ(period_floor(from_epoch(-1), p), from_epoch(-300));
  EXPECT_EQ(period_floor(from_epoch(-300), p), from_epoch(-300));
  EXPECT_EQ(period_floor(from_epoch(-301), p), from_epoch(-600));
  EXPECT_EQ(period_floor(from_epoch(1'795'327'200 + 5 * 3600 + 1), Duration{86400}), from_epoch(1'795'305'600));
}

TEST(FormatTime, CloudWatchShapes) {
  const Time t = from_epoch(1'795'327'200 + 7 * 60 + 9);  // 2026-11-22T06:07:09Z
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T06:07:09Z");
  EXPECT_EQ(format_cloudwatch_change_time(t), "2026-11-22T06:07:09.000+0000");
  EXPECT_EQ(format_cloudwatch_reason_time(t), "22/11/26 06:07:09");
  EXPECT_EQ(format_cloudwatch_reason_time(from_epoch(1'709'164'800)), "29/02/24 00:00:00");
  EXPECT_EQ(format_rfc3339(from_epoch(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(from_epoch(0)), "1970-01-01T00:00:00Z");
}

TEST(FormatTime, Rfc3339RoundTrips) {
  for (const long s : {0L, -1L, 86399L, 951'782'400L, 1'795'327'200L, 4'102'444'799L}) {
    const auto text = format_rfc3339(from_epoch(s));
    EXPECT_EQ(parse_rfc3339(text), from_epoch(s)) << text;
  }
}

}  // namespace
}  // namespace bw
