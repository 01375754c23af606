// The cold paths of JsonReader: strings with escapes or non-ASCII bytes, literals and skipped values.
#include "aws/json_reader.hpp"

#include <cstdint>
#include <utility>

namespace bw::aws {

bool JsonReader::next_token(bool& seen, std::string& token) {
  if (std::exchange(seen, true)) return false;
  if (!at('"')) return skip_value(0);
  std::string_view s;
  if (!string(s)) return false;
  token.assign(s);
  return true;
}

bool JsonReader::integer(std::int64_t& v) {
  NumberToken t;
  if (!read_number_token(p_, end_, t) || !t.integer || !t.mantissa_exact) return false;
  constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
  if (t.mantissa > kMax) return false;  // INT64_MIN itself is refused too: no count is near it
  v = t.negative ? -static_cast<std::int64_t>(t.mantissa) : static_cast<std::int64_t>(t.mantissa);
  p_ = t.end;
  return true;
}

bool JsonReader::string_member(bool& seen, std::string& out) {
  std::string_view s;
  if (std::exchange(seen, true) || !at('"') || !string(s)) return false;
  out.assign(s);
  return true;
}

bool JsonReader::skip_value(int depth) {
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

bool JsonReader::literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
  p_ += word.size();
  return true;
}

// The rest of a string into scratch_: escapes decoded, UTF-8 checked, up to and including the '"'.
bool JsonReader::decode_rest() {
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

bool JsonReader::hex4(std::uint32_t& v) {
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

bool JsonReader::escape() {
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

void JsonReader::append_utf8(std::uint32_t cp) {
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
bool JsonReader::utf8_sequence() {
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

}  // namespace bw::aws
