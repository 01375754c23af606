#include "rules/time.hpp"

#include <fmt/format.h>

#include <cctype>
#include <iterator>

#include "rules/reason_text.hpp"

namespace bw {

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > 1'000'000'000) return std::nullopt;
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start || i == text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: return std::nullopt;
    }
    ++i;
    total += n * unit;
    // Each term is below 2^53, so capping the sum here keeps the next addition from overflowing.
    if (total > (std::int64_t{1} << 62)) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return Duration{total};
}

std::string format_duration(Duration d) {
  const auto s = d.count();
  if (s != 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
  if (s != 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
  if (s != 0 && s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<Time> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)
  int y, mo, d, h, mi, sec;
  if (!read_int(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !read_int(s, 11, 2, h) ||
      s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec))
    return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    const std::size_t fraction_start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == fraction_start) return std::nullopt;  // RFC 3339 wants at least one digit after '.'
  }
  if (i >= s.size()) return std::nullopt;
  int offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    if (!read_int(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !read_int(s, i + 4, 2, om) ||
        oh > 23 || om > 59)
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const auto days = std::chrono::sys_days{ymd};
  return Time{std::chrono::duration_cast<Duration>(days.time_since_epoch())} + Duration{h * 3600 + mi * 60 + sec} -
         Duration{offset};
}

namespace {

struct Civil {
  int y;
  unsigned mo, d;
  long h, mi, s;
};

Civil civil(Time t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const auto secs = (t - days).count();
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
          static_cast<long>(secs / 3600), static_cast<long>(secs / 60 % 60), static_cast<long>(secs % 60)};
}

}  // namespace

std::string format_rfc3339(Time t) {
  const auto c = civil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.y, c.mo, c.d, c.h, c.mi, c.s);
}

std::string format_cloudwatch_change_time(Time t) {
  const auto c = civil(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000+0000", c.y, c.mo, c.d, c.h, c.mi, c.s);
}

void append_cloudwatch_reason_time(std::string& out, Time t) {
  const auto c = civil(t);
  fmt::format_to(std::back_inserter(out), "{:02}/{:02}/{:02} {:02}:{:02}:{:02}", c.d, c.mo, c.y % 100, c.h, c.mi, c.s);
}

std::string format_cloudwatch_reason_time(Time t) {
  std::string out;
  append_cloudwatch_reason_time(out, t);
  return out;
}

}  // namespace bw
