#pragma once
// Numbers as people read them, for the reasons, log lines and text batchwatch writes itself. One style
// everywhere (docs/rules.md, "Numbers in reasons"):
//   counts and rates  three significant digits, k/M/B/T above a thousand: 45.6M, 75.5k/min, 200, 0.5
//   money (USD)       thousands separators and cents: $1,234.50 (a non-zero amount under a cent keeps
//                     four decimals, so a trickle never reads $0.00)
//   percentages       at most one decimal, none when whole: 15%, 43.3% (under 1%: two digits, 0.05%)
//   ages              the two largest units: 45s, 5m 3s, 2h 5m, 3d 4h
// CloudWatch-shaped threshold reasons keep CloudWatch's own format (format_number in alarm.hpp), since
// consumers of CloudWatch alarm mail parse them. Payload values keep full precision.
#include <string>
#include <string_view>

#include "rules/time.hpp"

namespace bw {

std::string format_count(double v);                          // 45600000 -> "45.6M"
std::string format_rate(double v, std::string_view per);     // (75539.57, "min") -> "75.5k/min"
std::string format_money(double usd);                        // 1234.5 -> "$1,234.50"
std::string format_percent(double fraction);                 // 0.4333 -> "43.3%"
std::string format_age(Duration d);                          // 7500s -> "2h 5m"; negative reads "0s"

}  // namespace bw
