// TZif (RFC 8536) and POSIX TZ rules, enough to answer "what is the UTC offset at t" and "when is
// 06:00 local on this date" for any IANA zone.
//
// TZif: the header's version byte may be 0 (v1), '2', '3' or '4'. For v1 the 32-bit block is used; for
// v2+ that block is skipped and the 64-bit block that follows is used, then the footer "\nTZ\n". Checked:
// magic, sizes against the bytes present, typecnt >= 1, charcnt >= 1, isstd/isut counts 0 or typecnt,
// type indices < typecnt, designation indices < charcnt, offsets within RFC 8536's -89999..93599,
// strictly ascending transitions, and a parseable footer. Leap-second data ("right/" zones) is rejected:
// batchwatch runs on POSIX time, and a zone that counts leap seconds would put every deadline ~27 s off.
//
// offset_at(t) follows RFC 8536: before the first transition (or with none and no footer) time type 0;
// between transitions the type of the last one at or before t; strictly after the last transition the
// footer rule when the footer is non-empty (Debian's "slim" files stop their tables at 2007 and rely on
// it), else the last transition's type.
//
// POSIX rule: std offset [dst [offset] [,start[/time],end[/time]]]. Names are 3+ letters or <quoted>
// (letters, digits, + and -). Offsets are [+-]hh[:mm[:ss]] west of UTC, hh <= 24; a missing dst offset
// is std + 1h. Rule times default to 02:00 and, as TZif v3 allows, may be negative or up to 167h. Dates:
// Mm.w.d (week 5 = last), Jn (1..365, Feb 29 never counted), n (0..365, counted). A dst name without a
// rule gets the US rule M3.2.0,M11.1.0, as tzcode does. The start time is read in standard time and the
// end time in daylight time. DST is decided by the latest start/end instant at or before t among the
// year around t and its neighbours, which handles southern-hemisphere rules (start after end in the
// year) and year-round DST written as "0/0,J365/25" without special cases.
//
// to_utc: the candidates are the offsets in force a day either side; a candidate t = local - offset
// counts iff offset_at(t) == offset. Two valid -> overlap -> the earlier. None valid -> gap -> the
// transition instant, found by bisection, because for a deadline "02:30" on a 02:00 -> 03:00 day the
// right moment is when the clock first reads 02:30 or later, i.e. 03:00, not 03:30. Transitions are
// assumed to be more than a day apart, as they are in every real zone.
#include "rules/tz.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

namespace bw {

namespace {

namespace chr = std::chrono;

constexpr std::int64_t kDay = 86400;

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  // Normalising through year_month keeps out-of-range months well defined, then days roll over.
  const auto ym = chr::year{year} / chr::month{1} + chr::months{static_cast<int>(month) - 1};
  return (chr::sys_days{ym / 1} + chr::days{static_cast<int>(day) - 1}).time_since_epoch().count();
}

chr::year_month_day civil_of_day(std::int64_t days) { return chr::year_month_day{chr::sys_days{chr::days{days}}}; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// --- TZif reading ---

class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  bool has(std::size_t n) const { return b_.size() - pos_ >= n; }
  std::size_t pos() const { return pos_; }
  void skip(std::size_t n) { pos_ += n; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(b_[pos_++]); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  std::int64_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return static_cast<std::int64_t>(v);
  }
  std::string_view rest() const { return b_.substr(pos_); }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

bool fail_with(std::string& error, std::string what) {
  error = std::move(what);
  return false;
}

struct Header {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  std::size_t block_size(std::size_t time_size) const {
    return std::size_t{timecnt} * time_size + timecnt + std::size_t{typecnt} * 6 + charcnt +
           std::size_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

bool read_header(Reader& r, Header& h, std::string& error) {
  if (!r.has(44)) return fail_with(error, "TZif data is shorter than its 44-byte header");
  if (r.rest().substr(0, 4) != "TZif") return fail_with(error, "not TZif data (bad magic)");
  r.skip(4);
  h.version = static_cast<char>(r.u8());
  if (h.version != 0 && h.version != '2' && h.version != '3' && h.version != '4')
    return fail_with(error,
                     fmt::format("unsupported TZif version byte 0x{:02x}", static_cast<unsigned char>(h.version)));
  r.skip(15);
  h.isutcnt = r.u32();
  h.isstdcnt = r.u32();
  h.leapcnt = r.u32();
  h.timecnt = r.u32();
  h.typecnt = r.u32();
  h.charcnt = r.u32();
  if (h.typecnt == 0) return fail_with(error, "TZif data has no time types");
  if (h.charcnt == 0) return fail_with(error, "TZif data has no time zone designations");
  if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
    return fail_with(error, "TZif isstd/isut counts do not match the number of time types");
  if (h.leapcnt != 0) return fail_with(error, "TZif data with leap seconds (\"right/\" zones) is not supported");
  return true;
}

}  // namespace

// --- POSIX TZ rules ---

namespace {

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }

  bool name() {
    std::size_t n = 0;
    if (eat('<')) {
      while (!done() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' || peek() == '-')) ++i_, ++n;
      return eat('>') && n >= 3;
    }
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++i_, ++n;
    return n >= 3;
  }

  std::optional<int> number(int max) {
    if (done() || !std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    int v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[i_++] - '0');
      if (v > max) return std::nullopt;
    }
    return v;
  }

  // [+-]hh[:mm[:ss]] in seconds, sign as written.
  std::optional<std::int64_t> hms(int max_hours) {
    std::int64_t sign = 1;
    if (eat('-'))
      sign = -1;
    else
      eat('+');
    const auto h = number(max_hours);
    if (!h) return std::nullopt;
    std::int64_t v = *h * 3600;
    if (eat(':')) {
      const auto m = number(59);
      if (!m) return std::nullopt;
      v += *m * 60;
      if (eat(':')) {
        const auto sec = number(59);
        if (!sec) return std::nullopt;
        v += *sec;
      }
    }
    return sign * v;
  }

  bool when(char& kind, int& month, int& week, int& day) {
    if (eat('M')) {
      kind = 'M';
      const auto m = number(12);
      if (!m || *m < 1 || !eat('.')) return false;
      const auto w = number(5);
      if (!w || *w < 1 || !eat('.')) return false;
      const auto d = number(6);
      if (!d) return false;
      month = *m, week = *w, day = *d;
      return true;
    }
    kind = eat('J') ? 'J' : 'n';
    const auto n = number(365);
    if (!n || (kind == 'J' && *n < 1)) return false;
    day = *n;
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<TimeZone::PosixRule> TimeZone::parse_posix(std::string_view text, std::string& error) {
  const auto fail = [&](std::string_view what) {
    error = fmt::format("bad POSIX TZ rule \"{}\": {}", text, what);
    return std::optional<PosixRule>{};
  };
  RuleParser p(text);
  PosixRule r;
  if (!p.name()) return fail("expected a standard time name of 3+ letters or <quoted>");
  const auto std_west = p.hms(24);
  if (!std_west) return fail("expected the standard time offset");
  r.std_offset = -*std_west;
  if (p.done()) return r;
  if (!p.name()) return fail("expected a daylight time name");
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (p.peek() != ',' && !p.done()) {
    const auto dst_west = p.hms(24);
    if (!dst_west) return fail("bad daylight time offset");
    r.dst_offset = -*dst_west;
  }
  if (p.done()) {  // tzcode's default when a rule is omitted
    r.start = {'M', 3, 2, 0, 7200};
    r.end = {'M', 11, 1, 0, 7200};
    return r;
  }
  for (auto* w : {&r.start, &r.end}) {
    if (!p.eat(',')) return fail("expected ',' before a transition date");
    if (!p.when(w->kind, w->month, w->week, w->day)) return fail("bad transition date (Mm.w.d, Jn or n)");
    w->time = 7200;
    if (p.eat('/')) {
      const auto t = p.hms(167);
      if (!t) return fail("bad transition time");
      w->time = *t;
    }
  }
  if (!p.done()) return fail("unexpected text after the rule");
  return r;
}

namespace {

// Days since the epoch of the local date a rule date names in `year`.
std::int64_t rule_day(int year, char kind, int month, int week, int day) {
  const bool leap = chr::year{year}.is_leap();
  if (kind == 'J') return days_from_civil(year, 1, 1) + (day - 1) + (leap && day >= 60 ? 1 : 0);
  if (kind == 'n') return days_from_civil(year, 1, 1) + day;
  const auto first = days_from_civil(year, static_cast<unsigned>(month), 1);
  const auto first_wd = static_cast<int>(chr::weekday{chr::sys_days{chr::days{first}}}.c_encoding());
  auto d = (day - first_wd + 7) % 7 + (week - 1) * 7;
  const auto next_month = days_from_civil(year, static_cast<unsigned>(month) + 1, 1);
  while (first + d >= next_month) d -= 7;  // week 5 means the last such weekday
  return first + d;
}

}  // namespace

std::int64_t TimeZone::rule_offset(const PosixRule& r, std::int64_t t) {
  if (!r.has_dst) return r.std_offset;
  const int year = static_cast<int>(civil_of_day(floor_div(t + r.std_offset, kDay)).year());
  struct Event {
    std::int64_t at;
    bool dst;
  };
  std::array<Event, 6> events{};
  std::size_t n = 0;
  for (int y = year - 1; y <= year + 1; ++y) {
    const auto& s = r.start;
    const auto& e = r.end;
    events[n++] = {rule_day(y, s.kind, s.month, s.week, s.day) * kDay + s.time - r.std_offset, true};
    events[n++] = {rule_day(y, e.kind, e.month, e.week, e.day) * kDay + e.time - r.dst_offset, false};
  }
  // On a tie the start wins, so year-round DST ("0/0,J365/25") never shows a zero-length standard time.
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.at != b.at ? a.at < b.at : (!a.dst && b.dst); });
  bool dst = false;
  for (const auto& ev : events)
    if (ev.at <= t) dst = ev.dst;
  return dst ? r.dst_offset : r.std_offset;
}

std::optional<TimeZone> TimeZone::from_posix(std::string_view name, std::string_view rule, std::string& error) {
  auto parsed = parse_posix(rule, error);
  if (!parsed) return std::nullopt;
  TimeZone tz;
  tz.name_ = std::string(name);
  tz.footer_ = std::string(rule);
  tz.initial_offset_ = parsed->std_offset;
  tz.rule_ = parsed;
  return tz;
}

std::optional<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view bytes, std::string& error) {
  const auto fail = [&](std::string what) {
    error = fmt::format("{}: {}", name, what);
    return std::optional<TimeZone>{};
  };
  Reader r(bytes);
  Header h;
  if (!read_header(r, h, error)) return fail(error);
  std::size_t time_size = 4;
  if (h.version != 0) {  // skip the v1 block: the 64-bit one after it is complete and authoritative
    if (!r.has(h.block_size(4))) return fail("TZif data is truncated (v1 block)");
    r.skip(h.block_size(4));
    if (!read_header(r, h, error)) return fail(error);
    time_size = 8;
  }
  if (!r.has(h.block_size(time_size))) return fail("TZif data is truncated");

  TimeZone tz;
  tz.name_ = std::string(name);
  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times) t = time_size == 8 ? r.i64() : r.i32();
  std::vector<std::uint8_t> type_of(h.timecnt);
  for (auto& i : type_of) i = r.u8();
  std::vector<std::int64_t> type_offset(h.typecnt);
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    type_offset[i] = r.i32();
    const auto isdst = r.u8();
    const auto desig = r.u8();
    if (type_offset[i] < -89999 || type_offset[i] > 93599) return fail("TZif time type offset out of range");
    if (isdst > 1) return fail("TZif time type has a bad isdst flag");
    if (desig >= h.charcnt) return fail("TZif designation index out of range");
  }
  r.skip(std::size_t{h.charcnt} + h.isstdcnt + h.isutcnt);  // leapcnt is 0 (checked)

  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    if (type_of[i] >= h.typecnt) return fail("TZif transition names a time type out of range");
    if (i > 0 && times[i] <= times[i - 1]) return fail("TZif transitions are not in ascending order");
    tz.offsets_.push_back(type_offset[type_of[i]]);
  }
  tz.transitions_ = std::move(times);
  tz.initial_offset_ = type_offset[0];

  if (h.version != 0) {
    const auto rest = r.rest();
    if (rest.empty() || rest.front() != '\n') return fail("TZif footer is missing");
    const auto close = rest.find('\n', 1);
    if (close == std::string_view::npos) return fail("TZif footer is not terminated by a newline");
    tz.footer_ = std::string(rest.substr(1, close - 1));
    if (!tz.footer_.empty()) {
      std::string why;
      tz.rule_ = parse_posix(tz.footer_, why);
      if (!tz.rule_) return fail(why);
    }
  }
  return tz;
}

std::int64_t TimeZone::offset_at(Time t) const {
  const auto s = epoch(t);
  if (transitions_.empty()) return rule_ ? rule_offset(*rule_, s) : initial_offset_;
  if (s < transitions_.front()) return initial_offset_;
  if (s > transitions_.back() && rule_) return rule_offset(*rule_, s);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  return offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

Time TimeZone::to_utc(int year, unsigned month, unsigned day, int minute_of_day) const {
  const std::int64_t local = days_from_civil(year, month, day) * kDay + std::int64_t{minute_of_day} * 60;
  const auto before = offset_at(from_epoch(local - kDay));
  const auto after = offset_at(from_epoch(local + kDay));
  std::optional<std::int64_t> best;
  for (const auto o : {before, after}) {
    const auto t = local - o;
    if (offset_at(from_epoch(t)) == o && (!best || t < *best)) best = t;
  }
  if (best) return from_epoch(*best);
  // Gap: local - after lies before the transition, local - before after it. Find the transition.
  std::int64_t lo = std::min(local - after, local - before), hi = std::max(local - after, local - before);
  const auto lo_offset = offset_at(from_epoch(lo));
  while (hi - lo > 1) {
    const auto mid = lo + (hi - lo) / 2;
    if (offset_at(from_epoch(mid)) == lo_offset)
      lo = mid;
    else
      hi = mid;
  }
  return from_epoch(hi);
}

}  // namespace bw
