#include "rules/human.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace bw {
namespace {

// "1.50" -> "1.5", "2.00" -> "2"; text without a decimal point is left alone.
std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// `v` (≥ 0) rounded to three significant digits, so the suffix is chosen after rounding (999,960
// reads "1M", not "1000k").
double three_digits(double v) {
  if (v == 0) return 0;
  const double scale = std::pow(10.0, std::floor(std::log10(v)) - 2);
  return std::round(v / scale) * scale;
}

// Decimals that leave three significant digits of `v` (≥ 0): 1.23, 12.3, 123.
int decimals_for(double v) {
  if (v == 0) return 0;
  return std::max(0, 2 - static_cast<int>(std::floor(std::log10(v) + 1e-9)));
}

// "1234567" -> "1,234,567"; the digits of a whole number, with a comma every three.
std::string group_thousands(std::string digits) {
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), 1, ',');
  return digits;
}

}  // namespace

std::string format_count(double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  const char* sign = v < 0 ? "-" : "";
  const double a = three_digits(std::fabs(v));
  if (a < 1000) {
    if (a == std::trunc(a)) return fmt::format("{}{:.0f}", a == 0 ? "" : sign, a);
    return sign + trim_zeros(fmt::format("{:.{}f}", a, decimals_for(a)));
  }
  static constexpr const char* kSuffixes[] = {"k", "M", "B", "T"};
  double scaled = a;
  std::size_t i = 0;
  for (scaled /= 1000; scaled >= 1000 && i + 1 < std::size(kSuffixes); scaled /= 1000) ++i;
  return sign + trim_zeros(fmt::format("{:.{}f}", scaled, decimals_for(scaled))) + kSuffixes[i];
}

std::string format_rate(double v, std::string_view per) { return format_count(v) + "/" + std::string(per); }

std::string format_money(double usd) {
  if (!std::isfinite(usd)) return fmt::format("${}", usd);
  const char* sign = usd < 0 ? "-" : "";
  const double a = std::fabs(usd);
  if (a > 0 && a < 0.01) return fmt::format("{}${:.4f}", sign, a);
  const auto cents = static_cast<long long>(std::llround(a * 100));
  if (cents == 0) return "$0.00";
  return fmt::format("{}${}.{:02}", sign, group_thousands(std::to_string(cents / 100)), cents % 100);
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return fmt::format("{}%", fraction * 100);
  const double p = fraction * 100;
  if (p != 0 && std::fabs(p) < 1) return trim_zeros(fmt::format("{:.2g}", p)) + "%";
  return trim_zeros(fmt::format("{:.1f}", p)) + "%";
}

std::string format_age(Duration d) {
  const auto s = std::max<std::int64_t>(d.count(), 0);
  constexpr std::int64_t kMinute = 60, kHour = 3600, kDay = 86400;
  const auto two = [](std::int64_t big, const char* big_unit, std::int64_t small, const char* small_unit) {
    return small == 0 ? fmt::format("{}{}", big, big_unit) : fmt::format("{}{} {}{}", big, big_unit, small, small_unit);
  };
  if (s < kMinute) return fmt::format("{}s", s);
  if (s < kHour) return two(s / kMinute, "m", s % kMinute, "s");
  if (s < kDay) return two(s / kHour, "h", s % kHour / kMinute, "m");
  return two(s / kDay, "d", s % kDay / kHour, "h");
}

}  // namespace bw
