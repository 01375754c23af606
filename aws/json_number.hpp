#pragma once
// JSON number tokens converted exactly as the general parser (nlohmann-json) converts them, without
// its lexer: the grammar is checked while the digits are gathered, and most CloudWatch values
// (timestamps, counts, short decimals) take an exact one-rounding shortcut instead of strtod.
// Inline because the scanners call it once per datapoint. Pure: no I/O.
#include <cfloat>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace bw::aws {

// The parts of a JSON number token, read while checking its grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
struct NumberToken {
  const char* end = nullptr;    // one past the token
  bool negative = false;
  bool integer = true;          // no fraction, no exponent
  bool mantissa_exact = false;  // at most 19 digits, all of them in `mantissa`
  std::uint64_t mantissa = 0;   // the digits without the point (wrapped, meaningless, past 19 digits)
  std::int64_t exponent = 0;    // value = mantissa x 10^exponent (when mantissa_exact)
};

namespace json_number_detail {

// Every power of ten up to 1e22 is exactly representable as a double (5^22 < 2^53).
inline constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
// The shortcut in number_token_value relies on each operation rounding once to double (SSE2, not x87).
static_assert(FLT_EVAL_METHOD == 0);
inline constexpr std::uint64_t kMaxExactMantissa = std::uint64_t{1} << 53;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace json_number_detail

// Reads one number token at `p`; false when it is not one.
inline bool read_number_token(const char* p, const char* end, NumberToken& t) {
  using json_number_detail::is_digit;
  if (p < end && *p == '-') {
    t.negative = true;
    ++p;
  }
  if (p == end || !is_digit(*p)) return false;
  std::uint64_t m = 0;
  std::int64_t digits = 0;
  if (*p == '0') {
    ++p;  // a leading zero stands alone and adds nothing to the mantissa
  } else {
    for (; p < end && is_digit(*p); ++p, ++digits) m = m * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  std::int64_t fraction = 0;
  if (p < end && *p == '.') {
    t.integer = false;
    ++p;
    if (p == end || !is_digit(*p)) return false;
    for (; p < end && is_digit(*p); ++p, ++fraction) m = m * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  std::int64_t e = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    t.integer = false;
    ++p;
    bool negative_exponent = false;
    if (p < end && (*p == '+' || *p == '-')) negative_exponent = *p++ == '-';
    if (p == end || !is_digit(*p)) return false;
    for (; p < end && is_digit(*p); ++p)
      if (e < 100000) e = e * 10 + (*p - '0');  // saturates: far beyond any double either way
    if (negative_exponent) e = -e;
  }
  t.mantissa_exact = digits + fraction <= 19;  // 19 digits always fit in 64 bits
  t.mantissa = m;
  t.exponent = e - fraction;
  t.end = p;
  return true;
}

// The value of a token read by read_number_token (starting at `begin`), as the general parser gives it.
inline bool number_token_value(const char* begin, const NumberToken& t, double& value) {
  using namespace json_number_detail;
  // An integer token is read as a 64-bit integer and converted: "-0" is +0.0 there, not -0.0.
  if (t.integer && t.mantissa_exact && t.mantissa == 0) {
    value = 0.0;
    return true;
  }
  // Exact shortcut: mantissa and 10^|exponent| are both exact doubles, so one IEEE multiplication
  // or division rounds the exact quotient/product once, to nearest, like strtod.
  if (t.mantissa_exact && t.mantissa <= kMaxExactMantissa && t.exponent >= -22 && t.exponent <= 22) {
    const double m = static_cast<double>(t.mantissa);
    const double v = t.exponent >= 0 ? m * kExactPow10[t.exponent] : m / kExactPow10[-t.exponent];
    value = t.negative ? -v : v;
    return true;
  }
  // Everything else: std::from_chars is correctly rounded too. It refuses values out of a finite
  // double's range (the general parser rejects overflow; underflow is left to it as well).
  double v = 0;
  const auto r = std::from_chars(begin, t.end, v, std::chars_format::general);
  if (r.ec != std::errc{} || r.ptr != t.end) return false;
  value = v;
  return true;
}

// A JSON number token (the whole of `token`, JSON grammar) as the general parser gives it to us: the
// correctly rounded double (what strtod gives), except that an integer token "-0" is +0.0 (it is read
// as an integer). False when `token` is not a JSON number or is outside the range of a finite double
// (overflow, or a non-zero value that rounds to zero).
inline bool json_number_value(std::string_view token, double& value) {
  NumberToken t;
  const char* end = token.data() + token.size();
  if (!read_number_token(token.data(), end, t) || t.end != end) return false;
  return number_token_value(token.data(), t, value);
}

}  // namespace bw::aws
