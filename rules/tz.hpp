#pragma once
// IANA time zones from TZif data (the bytes of /usr/share/zoneinfo/NAME, read by config/), so that
// deadline rules can say "06:00 America/Chicago" and stay right across DST. Pure: no file access.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/time.hpp"

namespace bw {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // Parses TZif (v1, v2 or v3, including the POSIX TZ footer used beyond the last transition).
  static std::optional<TimeZone> from_tzif(std::string_view name, std::string_view bytes, std::string& error);
  static TimeZone utc() { return TimeZone(); }
  // A zone from a POSIX TZ rule alone ("CST6CDT,M3.2.0,M11.1.0", "<+03>-3"), as found in a TZif footer.
  static std::optional<TimeZone> from_posix(std::string_view name, std::string_view rule, std::string& error);

  const std::string& name() const { return name_; }
  // UTC offset in seconds in force at `t`.
  std::int64_t offset_at(Time t) const;
  // The UTC instant of a local wall-clock time. In a spring-forward gap the time after the gap (the
  // transition instant itself: 02:30 on a 02:00 -> 03:00 day gives 03:00 local, the first moment the
  // wall clock has reached 02:30); in a fall-back overlap the first (earlier) instant. A day or minute
  // past the end of its month or day rolls over (Feb 30 = Mar 2, minute 1440 = next day 00:00).
  Time to_utc(int year, unsigned month, unsigned day, int minute_of_day) const;

 private:
  // A parsed POSIX TZ rule. Offsets are seconds east of UTC (POSIX writes them west, negated here).
  struct PosixRule {
    struct When {
      char kind = 'M';  // 'M' month.week.weekday, 'J' Julian day 1..365 without Feb 29, 'n' day 0..365
      int month = 0, week = 0, day = 0;
      std::int64_t time = 7200;  // local seconds after midnight; may be negative or > 24h (TZif v3)
    };
    std::int64_t std_offset = 0;
    bool has_dst = false;
    std::int64_t dst_offset = 0;
    When start, end;
  };
  static std::optional<PosixRule> parse_posix(std::string_view text, std::string& error);
  static std::int64_t rule_offset(const PosixRule& rule, std::int64_t t);

  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;  // UTC seconds
  std::vector<std::int64_t> offsets_;      // offset after each transition
  std::int64_t initial_offset_ = 0;
  std::string footer_;  // POSIX TZ rule, e.g. "CST6CDT,M3.2.0,M11.1.0"
  std::optional<PosixRule> rule_;  // footer_ parsed; empty when the footer is empty (or for UTC)
};

}  // namespace bw
