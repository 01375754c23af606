#include "rules/tz.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bw {
namespace {

Time at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

// The test may read the system's zoneinfo; rules/ code never does.
std::optional<TimeZone> system_zone(const std::string& name) {
  std::ifstream f("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream bytes;
  bytes << f.rdbuf();
  std::string error;
  auto tz = TimeZone::from_tzif(name, bytes.str(), error);
  EXPECT_TRUE(tz) << name << ": " << error;
  return tz;
}

#define LOAD_OR_SKIP(var, name)       \
  const auto var = system_zone(name); \
  if (!var) GTEST_SKIP() << "/usr/share/zoneinfo/" name " is not installed"

struct Offset {
  const char* utc;
  std::int64_t offset;
};

void expect_offsets(const TimeZone& tz, const std::vector<Offset>& rows) {
  for (const auto& r : rows) EXPECT_EQ(tz.offset_at(at(r.utc)), r.offset) << tz.name() << " at " << r.utc;
}

TEST(TimeZoneSystem, Chicago) {
  LOAD_OR_SKIP(tz, "America/Chicago");
  EXPECT_EQ(tz->name(), "America/Chicago");
  expect_offsets(*tz, {
                          {"1800-01-01T00:00:00Z", -21036},  // LMT: only the 64-bit block reaches back this far
                          {"1970-01-01T00:00:00Z", -21600},
                          {"2026-03-08T07:59:59Z", -21600},
                          {"2026-03-08T08:00:00Z", -18000},
                          {"2026-11-01T06:59:59Z", -18000},
                          {"2026-11-01T07:00:00Z", -21600},
                          {"2040-03-11T07:59:59Z", -21600},  // past the tables of fat and slim files alike
                          {"2040-03-11T08:00:00Z", -18000},
                          {"2040-11-04T07:00:00Z", -21600},
                      });
  EXPECT_EQ(tz->to_utc(2026, 11, 22, 360), at("2026-11-22T12:00:00Z"));
  EXPECT_EQ(tz->to_utc(2026, 7, 1, 360), at("2026-07-01T11:00:00Z"));
  EXPECT_EQ(tz->to_utc(2026, 3, 8, 150), at("2026-03-08T08:00:00Z"));  // 02:30 does not exist: 03:00 CDT
  EXPECT_EQ(tz->to_utc(2026, 11, 1, 90), at("2026-11-01T06:30:00Z"));  // 01:30 twice: the CDT one
  EXPECT_EQ(tz->to_utc(2040, 3, 11, 150), at("2040-03-11T08:00:00Z"));
}

TEST(TimeZoneSystem, Berlin) {
  LOAD_OR_SKIP(tz, "Europe/Berlin");
  expect_offsets(*tz, {
                          {"2026-03-29T00:59:59Z", 3600},
                          {"2026-03-29T01:00:00Z", 7200},
                          {"2026-10-25T00:59:59Z", 7200},
                          {"2026-10-25T01:00:00Z", 3600},
                          {"2040-07-01T00:00:00Z", 7200},
                          {"2040-12-01T00:00:00Z", 3600},
                      });
  EXPECT_EQ(tz->to_utc(2026, 3, 29, 150), at("2026-03-29T01:00:00Z"));   // 02:30 -> 03:00 CEST
  EXPECT_EQ(tz->to_utc(2026, 10, 25, 150), at("2026-10-25T00:30:00Z"));  // 02:30 CEST, the first one
  EXPECT_EQ(tz->to_utc(2026, 10, 25, 180), at("2026-10-25T02:00:00Z"));  // 03:00 exists once, CET
}

TEST(TimeZoneSystem, KolkataAndUtc) {
  LOAD_OR_SKIP(kolkata, "Asia/Kolkata");
  expect_offsets(*kolkata, {{"2026-01-01T00:00:00Z", 19800}, {"2040-06-01T00:00:00Z", 19800}});
  EXPECT_EQ(kolkata->to_utc(2026, 11, 22, 360), at("2026-11-22T00:30:00Z"));
  LOAD_OR_SKIP(utc, "UTC");
  expect_offsets(*utc, {{"1900-01-01T00:00:00Z", 0}, {"2026-07-01T00:00:00Z", 0}, {"2040-07-01T00:00:00Z", 0}});
}

TEST(TimeZone, DefaultIsUtc) {
  const TimeZone tz;
  EXPECT_EQ(tz.name(), "UTC");
  EXPECT_EQ(tz.offset_at(at("2026-07-01T00:00:00Z")), 0);
  EXPECT_EQ(tz.to_utc(2026, 11, 22, 360), at("2026-11-22T06:00:00Z"));
  EXPECT_EQ(tz.to_utc(2026, 2, 30, 0), at("2026-03-02T00:00:00Z"));      // day rolls over
  EXPECT_EQ(tz.to_utc(2026, 12, 31, 1440), at("2027-01-01T00:00:00Z"));  // minute rolls over
}

// ---- POSIX rules, as in TZif footers ----

struct PosixCase {
  const char* rule;
  const char* utc;
  std::int64_t offset;
};

TEST(TimeZonePosix, OffsetsTable) {
  const PosixCase rows[] = {
      {"CST6CDT,M3.2.0,M11.1.0", "2026-03-08T07:59:59Z", -21600},
      {"CST6CDT,M3.2.0,M11.1.0", "2026-03-08T08:00:00Z", -18000},
      {"CST6CDT,M3.2.0,M11.1.0", "2026-11-01T06:59:59Z", -18000},
      {"CST6CDT,M3.2.0,M11.1.0", "2026-11-01T07:00:00Z", -21600},
      {"CST6CDT", "2026-07-01T00:00:00Z", -18000},  // dst without a rule: the US rule
      {"CST6CDT", "2026-01-01T00:00:00Z", -21600},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T00:59:59Z", 3600},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2026-03-29T01:00:00Z", 7200},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T00:59:59Z", 7200},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2026-10-25T01:00:00Z", 3600},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2027-03-28T01:00:00Z", 7200},  // 5 = the last Sunday
      {"<+03>-3", "2040-01-01T00:00:00Z", 10800},
      {"IST-5:30", "2026-06-01T00:00:00Z", 19800},
      {"<+0545>-5:45", "2026-06-01T00:00:00Z", 20700},
      {"NZST-12NZDT,M9.5.0,M4.1.0/3", "2026-01-15T00:00:00Z", 46800},  // southern summer spans new year
      {"NZST-12NZDT,M9.5.0,M4.1.0/3", "2026-07-01T00:00:00Z", 43200},
      {"NZST-12NZDT,M9.5.0,M4.1.0/3", "2026-04-04T13:59:59Z", 46800},
      {"NZST-12NZDT,M9.5.0,M4.1.0/3", "2026-04-04T14:00:00Z", 43200},
      // v3: a negative rule time, 23:00 on the Saturday before the last Sunday of March.
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T00:59:59Z", -7200},
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T01:00:00Z", -3600},
      {"EST5EDT,0/0,J365/25", "2026-01-01T05:00:00Z", -14400},  // year-round DST, across the new year
      {"EST5EDT,0/0,J365/25", "2026-12-31T23:00:00Z", -14400},
      {"EST5EDT,0/0,J365/25", "2027-01-01T05:00:00Z", -14400},
      // J counts 1..365 and never Feb 29; n counts 0..365 including it. 2028 is a leap year.
      {"AAA3BBB,J60/0,J300/0", "2028-02-29T12:00:00Z", -10800},
      {"AAA3BBB,J60/0,J300/0", "2028-03-01T03:00:00Z", -7200},
      {"AAA3BBB,59/0,299/0", "2028-02-29T03:00:00Z", -7200},
      {"AAA3BBB,59/0,299/0", "2027-02-28T12:00:00Z", -10800},
      {"AAA3BBB,59/0,299/0", "2027-03-01T03:00:00Z", -7200},
  };
  for (const auto& r : rows) {
    std::string error;
    const auto tz = TimeZone::from_posix("test", r.rule, error);
    ASSERT_TRUE(tz) << r.rule << ": " << error;
    EXPECT_EQ(tz->offset_at(at(r.utc)), r.offset) << r.rule << " at " << r.utc;
  }
}

TEST(TimeZonePosix, RejectsMalformedRules) {
  for (const char* bad : {"", "C6", "CST", "CST+", "CST25", "CST6CDT,M13.1.0,M11.1.0", "CST6CDT,M3.6.0,M11.1.0",
                          "CST6CDT,M3.2.7,M11.1.0", "CST6CDT,M3.2.0", "CST6CDT,M3.2.0,M11.1.0x", "CST6CDT,J0,J365",
                          "CST6CDT,366,J365", "CST6CDT,M3.2.0/168,M11.1.0", "<+03-3", "<+3>-3", "CST6:60"}) {
    std::string error;
    EXPECT_FALSE(TimeZone::from_posix("bad", bad, error)) << '"' << bad << '"';
    EXPECT_NE(error.find("bad POSIX TZ rule"), std::string::npos) << error;
  }
}

// ---- Synthetic TZif data ----

std::string be(std::uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

struct Type {
  std::int32_t offset;
  std::uint8_t isdst;
  std::uint8_t desig;
};

struct Zone {
  char version = '2';
  std::vector<std::int64_t> times;
  std::vector<std::uint8_t> idx;
  std::vector<Type> types = {{-21600, 0, 0}};
  std::string chars = std::string("CST\0CDT\0", 8);
  std::uint32_t leapcnt = 0;
  std::string footer = "\nCST6CDT,M3.2.0,M11.1.0\n";

  std::string block(int time_size) const {
    std::string out = "TZif";
    out += version;
    out += std::string(15, '\0');
    for (std::uint32_t n : {0u, 0u, leapcnt, static_cast<std::uint32_t>(times.size()),
                            static_cast<std::uint32_t>(types.size()), static_cast<std::uint32_t>(chars.size())})
      out += be(n, 4);
    for (auto t : times) out += be(static_cast<std::uint64_t>(t), time_size);
    for (auto i : idx) out += static_cast<char>(i);
    for (const auto& t : types) out += be(static_cast<std::uint32_t>(t.offset), 4) + char(t.isdst) + char(t.desig);
    out += chars;
    out += std::string(leapcnt * static_cast<std::uint32_t>(time_size + 4), '\0');
    return out;
  }
  std::string bytes() const { return version == 0 ? block(4) : block(4) + block(8) + footer; }
};

std::optional<TimeZone> parse(const Zone& z, std::string& error) {
  return TimeZone::from_tzif("Test/Zone", z.bytes(), error);
}

TEST(TimeZoneTzif, SlimFileReliesOnTheFooter) {
  Zone z;                  // one transition in 2007, as Debian's slim files stop early, then the rule
  z.times = {1173600000};  // 2007-03-11T08:00:00Z
  z.idx = {1};
  z.types = {{-21600, 0, 0}, {-18000, 1, 4}};
  std::string error;
  const auto tz = parse(z, error);
  ASSERT_TRUE(tz) << error;
  expect_offsets(*tz, {{"2007-01-01T00:00:00Z", -21600},
                       {"2007-03-11T08:00:00Z", -18000},
                       {"2007-12-01T00:00:00Z", -21600},
                       {"2040-03-11T07:59:59Z", -21600},
                       {"2040-03-11T08:00:00Z", -18000},
                       {"2040-11-04T06:59:59Z", -18000},
                       {"2040-11-04T07:00:00Z", -21600}});
  EXPECT_EQ(tz->to_utc(2040, 11, 4, 90), at("2040-11-04T06:30:00Z"));
}

TEST(TimeZoneTzif, NoTransitionsFooterOnlyAndEmptyFooter) {
  Zone z;
  std::string error;
  auto tz = parse(z, error);
  ASSERT_TRUE(tz) << error;
  EXPECT_EQ(tz->offset_at(at("2040-07-01T00:00:00Z")), -18000);
  z.footer = "\n\n";  // no rule: time type 0 everywhere
  tz = parse(z, error);
  ASSERT_TRUE(tz) << error;
  EXPECT_EQ(tz->offset_at(at("2040-07-01T00:00:00Z")), -21600);
}

TEST(TimeZoneTzif, EmptyFooterKeepsTheLastTransitionsType) {
  Zone z;
  z.times = {0, 1000000};
  z.idx = {1, 0};
  z.types = {{3600, 0, 0}, {7200, 1, 4}};
  z.footer = "\n\n";
  std::string error;
  const auto tz = parse(z, error);
  ASSERT_TRUE(tz) << error;
  EXPECT_EQ(tz->offset_at(from_epoch(-1)), 3600);  // before the first transition: type 0
  EXPECT_EQ(tz->offset_at(from_epoch(0)), 7200);
  EXPECT_EQ(tz->offset_at(from_epoch(999999)), 7200);
  EXPECT_EQ(tz->offset_at(from_epoch(5000000000)), 3600);
}

TEST(TimeZoneTzif, VersionOneUsesTheThirtyTwoBitBlock) {
  Zone z;
  z.version = 0;
  z.times = {1173600000};
  z.idx = {1};
  z.types = {{-21600, 0, 0}, {-18000, 1, 4}};
  std::string error;
  const auto tz = parse(z, error);
  ASSERT_TRUE(tz) << error;
  EXPECT_EQ(tz->offset_at(from_epoch(1173599999)), -21600);
  EXPECT_EQ(tz->offset_at(from_epoch(1173600000)), -18000);
  EXPECT_EQ(tz->offset_at(at("2040-01-01T00:00:00Z")), -18000);  // v1 has no footer
  z.version = '3';
  EXPECT_TRUE(parse(z, error)) << error;
}

TEST(TimeZoneTzif, RejectsMalformedData) {
  struct Bad {
    const char* name;
    std::string bytes;
    const char* error;
  };
  const Zone good = [] {
    Zone z;
    z.times = {100, 200};
    z.idx = {0, 1};
    z.types = {{-21600, 0, 0}, {-18000, 1, 4}};
    return z;
  }();
  auto with = [&](auto change) {
    Zone z = good;
    change(z);
    return z.bytes();
  };
  const std::string full = good.bytes();
  const Bad rows[] = {
      {"empty", "", "shorter than its 44-byte header"},
      {"magic", "TZxf" + full.substr(4), "bad magic"},
      {"version", with([](Zone& z) { z.version = '9'; }), "unsupported TZif version byte 0x39"},
      {"truncated", full.substr(0, full.size() - 40), "truncated"},
      {"truncated v1", full.substr(0, 50), "truncated (v1 block)"},
      {"no types", with([](Zone& z) {
         z.types.clear(), z.idx = {0, 0};
       }),
       "no time types"},
      {"no chars", with([](Zone& z) {
         z.chars.clear(), z.types = {{0, 0, 0}, {0, 0, 0}};
       }),
       "no time zone designations"},
      {"type index", with([](Zone& z) {
         z.idx = {0, 2};
       }),
       "time type out of range"},
      {"designation", with([](Zone& z) { z.types[1].desig = 8; }), "designation index out of range"},
      {"offset", with([](Zone& z) { z.types[1].offset = 100000; }), "offset out of range"},
      {"order", with([](Zone& z) {
         z.times = {200, 200};
       }),
       "not in ascending order"},
      {"leap seconds", with([](Zone& z) { z.leapcnt = 1; }), "leap seconds"},
      {"no footer", with([](Zone& z) { z.footer = ""; }), "footer is missing"},
      {"open footer", with([](Zone& z) { z.footer = "\nCST6CDT"; }), "not terminated"},
      {"bad footer", with([](Zone& z) { z.footer = "\nCST6CDT,M3.2.0\n"; }), "bad POSIX TZ rule"},
  };
  for (const auto& r : rows) {
    std::string error;
    EXPECT_FALSE(TimeZone::from_tzif("Test/Zone", r.bytes, error)) << r.name;
    EXPECT_NE(error.find(r.error), std::string::npos) << r.name << ": " << error;
    EXPECT_EQ(error.rfind("Test/Zone: ", 0), 0u) << r.name << ": " << error;
  }
}

TEST(TimeZoneTzif, EveryTruncationIsRejectedCleanly) {
  Zone z;
  z.times = {100, 200};
  z.idx = {0, 1};
  z.types = {{-21600, 0, 0}, {-18000, 1, 4}};
  const auto full = z.bytes();
  std::string error;
  ASSERT_TRUE(TimeZone::from_tzif("Test/Zone", full, error)) << error;
  for (std::size_t n = 0; n < full.size(); ++n) {
    error.clear();
    EXPECT_FALSE(TimeZone::from_tzif("Test/Zone", full.substr(0, n), error)) << n << " bytes";
    EXPECT_FALSE(error.empty()) << n << " bytes";
  }
}

}  // namespace
}  // namespace bw
