#include "aws/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace bw::aws {

std::optional<int> RetryQuota::acquire(bool timeout) {
  const int cost = timeout ? kTimeoutRetryCost : kRetryCost;
  std::lock_guard lock(mu_);
  if (available_ < cost) return std::nullopt;
  available_ -= cost;
  return cost;
}

void RetryQuota::release(int last_retry_cost) {
  std::lock_guard lock(mu_);
  available_ = std::min(capacity_, available_ + (last_retry_cost > 0 ? last_retry_cost : kNoRetryIncrement));
}

int RetryQuota::available() const {
  std::lock_guard lock(mu_);
  return available_;
}

std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
  std::string_view v = response.header("x-amz-retry-after");
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (ec != std::errc{} || end != v.data() + v.size() || ms < 0) return std::nullopt;
  return std::chrono::milliseconds{ms};
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

int month_number(std::string_view s) {
  static constexpr std::array<std::string_view, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                             "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() != 3) return 0;
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == l) return static_cast<int>(i) + 1;
  return 0;
}

}  // namespace

std::optional<Time> parse_http_date(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  // Tokens split on space, comma and dash cover all three forms:
  // "Thu, 15 Jan 2026 10:20:00 GMT", "Thursday, 15-Jan-26 10:20:00 GMT", "Thu Jan 15 10:20:00 2026".
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '-') ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  int day = 0, month = 0, year = -1, hh = -1, mm = -1, ss = -1;
  for (auto t : tokens) {
    if (t.size() == 8 && t[2] == ':' && t[5] == ':' && all_digits(t.substr(0, 2)) && all_digits(t.substr(3, 2)) &&
        all_digits(t.substr(6, 2))) {
      hh = to_int(t.substr(0, 2));
      mm = to_int(t.substr(3, 2));
      ss = to_int(t.substr(6, 2));
    } else if (int m = month_number(t); m != 0) {
      month = m;
    } else if (all_digits(t) && t.size() == 4) {
      year = to_int(t);
    } else if (all_digits(t) && t.size() <= 2 && day == 0) {
      day = to_int(t);
    } else if (all_digits(t) && t.size() == 2) {
      const int y = to_int(t);
      year = y < 70 ? 2000 + y : 1900 + y;
    }
  }
  if (day < 1 || month < 1 || year < 1970 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

bool is_clock_skew_code(std::string_view code) {
  return code == "RequestTimeTooSkewed" || code == "RequestExpired" || code == "RequestInTheFuture" ||
         code == "InvalidSignatureException" || code == "SignatureDoesNotMatch" || code == "AuthFailure";
}

namespace {

bool time_specific(std::string_view code) {
  return code == "RequestTimeTooSkewed" || code == "RequestExpired" || code == "RequestInTheFuture";
}

bool mentions_time(std::string_view message) {
  std::string m(message);
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"expired", "not yet current", "time", "skew"})
    if (m.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace

std::optional<Duration> skew_correction(const Error& error, const HttpResponse& response, Time signing_time,
                                        Time local_time) {
  if (error.kind != Error::Kind::Api || !is_clock_skew_code(error.code)) return std::nullopt;
  const auto server = parse_http_date(response.header("Date"));
  if (!server) return std::nullopt;
  const Duration apart = *server > signing_time ? *server - signing_time : signing_time - *server;
  if (!time_specific(error.code) && !mentions_time(error.message) && apart <= kMaxSkew) return std::nullopt;
  return Duration{*server - local_time};
}

}  // namespace bw::aws
