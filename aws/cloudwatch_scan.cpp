#include "aws/cloudwatch_scan.hpp"

#include <cfloat>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace bw::aws {
namespace {

// Every power of ten up to 1e22 is exactly representable as a double (5^22 < 2^53).
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
// The shortcut below relies on each operation rounding once to double (SSE2, not x87).
static_assert(FLT_EVAL_METHOD == 0);
constexpr std::uint64_t kMaxExactMantissa = std::uint64_t{1} << 53;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

// Reads one number token at `p`; false when it is not one.
bool read_number_token(const char* p, const char* end, NumberToken& t) {
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

// The value of a token read by read_number_token, as the general parser gives it.
bool number_value(const char* begin, const NumberToken& t, double& value) {
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

// A staged result: nothing reaches the caller's vector before the whole body has been checked.
struct Staged {
  std::string id;
  std::string status;
  bool has_status = false;
  bool has_points = false;  // Timestamps and Values were both present
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// A validating JSON reader over the body with a method per response shape. Each returns false at the
// first thing it does not take (see the header): invalid JSON, a malformed entry, something unusual.
class Scanner {
 public:
  explicit Scanner(std::string_view body) : p_(body.data()), end_(body.data() + body.size()) {}

  bool get_metric_data(std::vector<Staged>& out, std::string& next_token) {
    bool seen_results = false, seen_token = false;
    return document([&](std::string_view key) {
      if (key == "MetricDataResults") {
        if (std::exchange(seen_results, true)) return false;
        return results(out);
      }
      if (key == "NextToken") return token(seen_token, next_token);
      return skip_value(0);
    });
  }

  bool list_metrics(const std::string& ns, const std::string& metric_name, std::vector<MetricListing>& out,
                    std::string& next_token) {
    bool seen_metrics = false, seen_token = false;
    return document([&](std::string_view key) {
      if (key == "Metrics") {
        if (std::exchange(seen_metrics, true) || !at('[')) return false;
        ++p_;
        return elements([&] {
          if (!at('{')) return false;
          ++p_;
          out.push_back(MetricListing{ns, metric_name, {}});
          return listing(out.back());
        });
      }
      if (key == "NextToken") return token(seen_token, next_token);
      return skip_value(0);
    });
  }

 private:
  // The whole body: one object (its members read by `member`), then only whitespace.
  template <class Member>
  bool document(Member&& member) {
    skip_ws();
    if (!at('{')) return false;  // not an object (or a byte-order mark): the general parser decides
    ++p_;
    if (!members(member)) return false;
    skip_ws();
    return p_ == end_;
  }

  // A NextToken value: a string is the token; anything else is ignored, as by the general parsers.
  bool token(bool& seen, std::string& next_token) {
    if (std::exchange(seen, true)) return false;
    if (!at('"')) return skip_value(0);
    std::string_view s;
    if (!string(s)) return false;
    next_token.assign(s);
    return true;
  }

  // A string member that must be a string when present (a key seen twice is left to the general parser).
  bool string_member(bool& seen, std::string& out) {
    std::string_view s;
    if (std::exchange(seen, true) || !at('"') || !string(s)) return false;
    out.assign(s);
    return true;
  }

  // One entry of ListMetrics' Metrics: Namespace and MetricName default to the asked ones; Dimensions
  // that are not a list are ignored; each dimension an object whose Name and Value default to "".
  bool listing(MetricListing& l) {
    bool seen_ns = false, seen_name = false, seen_dims = false;
    return members([&](std::string_view key) {
      if (key == "Namespace") return string_member(seen_ns, l.ns);
      if (key == "MetricName") return string_member(seen_name, l.metric_name);
      if (key == "Dimensions") {
        if (std::exchange(seen_dims, true)) return false;
        if (!at('[')) return skip_value(0);
        ++p_;
        return elements([&] {
          if (!at('{')) return false;
          ++p_;
          l.dimensions.emplace_back();
          bool seen_n = false, seen_v = false;
          return members([&](std::string_view k) {
            if (k == "Name") return string_member(seen_n, l.dimensions.back().name);
            if (k == "Value") return string_member(seen_v, l.dimensions.back().value);
            return skip_value(0);
          });
        });
      }
      return skip_value(0);
    });
  }

 private:
  bool at(char c) const { return p_ < end_ && *p_ == c; }

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // The members of an object whose '{' was consumed, up to and including its '}'. `member(key)` reads
  // the value (the position is at its first character) and returns false to stop.
  template <class Member>
  bool members(Member&& member) {
    skip_ws();
    if (at('}')) {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (!at('"')) return false;
      std::string_view key;
      if (!string(key)) return false;
      skip_ws();
      if (!at(':')) return false;
      ++p_;
      skip_ws();
      if (!member(key)) return false;
      skip_ws();
      if (at(',')) {
        ++p_;
        continue;
      }
      if (at('}')) {
        ++p_;
        return true;
      }
      return false;
    }
  }

  // The elements of an array whose '[' was consumed, up to and including its ']'.
  template <class Element>
  bool elements(Element&& element) {
    skip_ws();
    if (at(']')) {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      if (!element()) return false;
      skip_ws();
      if (at(',')) {
        ++p_;
        continue;
      }
      if (at(']')) {
        ++p_;
        return true;
      }
      return false;
    }
  }

  bool results(std::vector<Staged>& out) {
    if (!at('[')) return false;  // not a list: an error the general parser reports
    ++p_;
    return elements([&] {
      if (!at('{')) return false;  // not an object: "a result has no Id"
      ++p_;
      out.emplace_back();
      return result(out.back());
    });
  }

  bool result(Staged& r) {
    bool has_id = false, has_ts = false, has_vs = false;
    if (!members([&](std::string_view key) {
          if (key == "Id") {
            std::string_view s;
            if (std::exchange(has_id, true) || !at('"') || !string(s)) return false;
            r.id.assign(s);
            return true;
          }
          if (key == "StatusCode") {
            if (std::exchange(r.has_status, true)) return false;
            if (!at('"')) {  // not a string: ignored
              r.has_status = false;
              return skip_value(0);
            }
            std::string_view s;
            if (!string(s)) return false;
            r.status.assign(s);
            return true;
          }
          if (key == "Timestamps") {
            if (std::exchange(has_ts, true) || !numbers()) return false;
            r.timestamps.resize(numbers_.size());
            for (std::size_t i = 0; i < numbers_.size(); ++i) {
              if (!epoch_seconds(numbers_[i], r.timestamps[i])) return false;
            }
            return true;
          }
          if (key == "Values") {
            if (std::exchange(has_vs, true) || !numbers()) return false;
            r.values.assign(numbers_.begin(), numbers_.end());
            return true;
          }
          return skip_value(0);
        }))
      return false;
    if (!has_id) return false;
    r.has_points = has_ts && has_vs;
    if (!r.has_points) {  // one of the two alone is ignored
      r.timestamps.clear();
      r.values.clear();
      return true;
    }
    return r.timestamps.size() == r.values.size();
  }

  // A list of numbers into numbers_; false on anything else.
  bool numbers() {
    if (!at('[')) return false;
    ++p_;
    numbers_.clear();
    return elements([&] {
      double v;
      if (!number(v)) return false;
      numbers_.push_back(v);
      return true;
    });
  }

  bool number(double& v) {
    NumberToken t;
    if (!read_number_token(p_, end_, t) || !number_value(p_, t, v)) return false;
    p_ = t.end;
    return true;
  }

  // A string at '"'. `out` views the body, or scratch_ when the string has escapes (valid until the
  // next string is read).
  bool string(std::string_view& out) {
    const char* start = ++p_;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c >= 0x80) {
        scratch_.assign(start, p_);
        if (!decode_rest()) return false;
        out = scratch_;
        return true;
      }
      if (c < 0x20) return false;
      ++p_;
    }
    return false;
  }

  // The rest of a string into scratch_: escapes decoded, UTF-8 checked, up to and including the '"'.
  bool decode_rest() {
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!escape()) return false;
      } else if (c >= 0x80) {
        if (!utf8_sequence()) return false;
      } else {
        scratch_.push_back(static_cast<char>(c));
        ++p_;
      }
    }
    return false;
  }

  bool hex4(std::uint32_t& v) {
    if (end_ - p_ < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }

  bool escape() {
    ++p_;  // the backslash
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"': case '\\': case '/': scratch_.push_back(c); return true;
      case 'b': scratch_.push_back('\b'); return true;
      case 'f': scratch_.push_back('\f'); return true;
      case 'n': scratch_.push_back('\n'); return true;
      case 'r': scratch_.push_back('\r'); return true;
      case 't': scratch_.push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    std::uint32_t cp;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {              // a high surrogate: its low half must follow
      std::uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(cp);
    return true;
  }

  void append_utf8(std::uint32_t cp) {
    if (cp < 0x80) {
      scratch_.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      scratch_.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      scratch_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      scratch_.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      scratch_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      scratch_.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      scratch_.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One well-formed UTF-8 sequence of 2 to 4 bytes (RFC 3629: no overlong forms, no surrogates,
  // nothing above U+10FFFF), copied as is.
  bool utf8_sequence() {
    const auto b0 = static_cast<unsigned char>(*p_);
    int more;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      more = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      more = 2;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      more = 3;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ <= more) return false;
    for (int i = 1; i <= more; ++i) {
      const auto b = static_cast<unsigned char>(p_[i]);
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    scratch_.append(p_, static_cast<std::size_t>(more + 1));
    p_ += more + 1;
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // Any JSON value, checked and dropped.
  bool skip_value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': {
        std::string_view s;
        return string(s);
      }
      case '{':
        if (depth >= kMaxDepth) return false;
        ++p_;
        return members([&](std::string_view) { return skip_value(depth + 1); });
      case '[':
        if (depth >= kMaxDepth) return false;
        ++p_;
        return elements([&] { return skip_value(depth + 1); });
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: {
        double v;  // converted too: the general parser rejects a number that overflows a double
        return number(v);
      }
    }
  }

  static constexpr int kMaxDepth = 64;
  const char* p_;
  const char* end_;
  std::string scratch_;
  std::vector<double> numbers_;
};

}  // namespace

bool json_number_value(std::string_view token, double& value) {
  NumberToken t;
  const char* end = token.data() + token.size();
  if (!read_number_token(token.data(), end, t) || t.end != end) return false;
  return number_value(token.data(), t, value);
}

bool scan_get_metric_data_body(std::string_view body, std::vector<MetricDataResult>& into, std::string& next_token) {
  std::vector<Staged> staged;
  std::string token;
  if (!Scanner(body).get_metric_data(staged, token)) return false;
  // As the general parser: each result's points go to the first entry with its Id (one is created
  // for an Id not seen before); a StatusCode replaces the entry's.
  into.reserve(into.size() + staged.size());  // before the index: its keys view the ids in `into`
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(into.size() + staged.size());
  for (std::size_t i = 0; i < into.size(); ++i) index.emplace(into[i].id, i);
  for (auto& s : staged) {
    auto [it, inserted] = index.emplace(s.id, into.size());  // a new key views s.id, alive to the end
    if (inserted) into.push_back(MetricDataResult{s.id, "", {}, {}});
    auto& out = into[it->second];
    if (s.has_status) out.status_code = std::move(s.status);
    if (!s.has_points) continue;
    if (out.timestamps.empty()) {
      out.timestamps.swap(s.timestamps);
      out.values.swap(s.values);
    } else {
      out.timestamps.insert(out.timestamps.end(), s.timestamps.begin(), s.timestamps.end());
      out.values.insert(out.values.end(), s.values.begin(), s.values.end());
    }
  }
  next_token = std::move(token);
  return true;
}

}  // namespace bw::aws

namespace bw::aws {

bool scan_list_metrics_body(std::string_view body, const std::string& ns, const std::string& metric_name,
                            std::vector<MetricListing>& out, std::string& next_token) {
  std::vector<MetricListing> staged;
  std::string token;
  if (!Scanner(body).list_metrics(ns, metric_name, staged, token)) return false;
  out.insert(out.end(), std::make_move_iterator(staged.begin()), std::make_move_iterator(staged.end()));
  next_token = std::move(token);
  return true;
}

}  // namespace bw::aws
