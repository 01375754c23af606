#pragma once
// Time in batchwatch is whole seconds on the UTC system clock. Pure code receives it as a parameter.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bw {

using Duration = std::chrono::seconds;
using Time = std::chrono::sys_seconds;

inline std::int64_t epoch(Time t) { return t.time_since_epoch().count(); }
inline Time from_epoch(std::int64_t s) { return Time{Duration{s}}; }

// Start of the period that contains t, periods aligned to the Unix epoch (as CloudWatch aligns them).
inline Time period_floor(Time t, Duration period) {
  const auto s = epoch(t), p = period.count();
  auto q = s / p;
  if (s % p < 0) --q;
  return from_epoch(q * p);
}

// "90s", "5m", "6h", "7d" (also "1h30m"); nullopt when malformed or not positive.
std::optional<Duration> parse_duration(std::string_view text);
// The shortest form that parses back to the same value: 3600s -> "1h", 5400s -> "90m".
std::string format_duration(Duration d);

// RFC 3339 in UTC or with an offset ("2026-11-22T06:00:00Z", "2026-11-22T01:00:00-05:00").
std::optional<Time> parse_rfc3339(std::string_view text);
std::string format_rfc3339(Time t);                 // 2026-11-22T06:00:00Z
std::string format_cloudwatch_change_time(Time t);  // 2026-11-22T06:00:00.000+0000
std::string format_cloudwatch_reason_time(Time t);  // 22/11/26 06:00:00

}  // namespace bw
