#pragma once
// A validating JSON reader for the scanners of CloudWatch's fixed response shapes: the caller walks
// the shape it expects (members of an object, elements of a list) and every call returns false at
// the first thing it does not take, whether invalid JSON or merely unusual (a key seen twice is the
// caller's to detect; nesting deeper than 64 is refused). Nothing is built: strings are views of the
// body. The per-token paths are inline because they run once per datapoint. Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/json_number.hpp"

namespace bw::aws {

class JsonReader {
 public:
  explicit JsonReader(std::string_view body) : p_(body.data()), end_(body.data() + body.size()) {}

  // The whole body: one object (its members read by `member`), then only whitespace.
  template <class Member>
  bool document(Member&& member) {
    skip_ws();
    if (!enter('{')) return false;  // not an object (or a byte-order mark): the general parser decides
    if (!members(member)) return false;
    skip_ws();
    return p_ == end_;
  }

  // The members of an object whose '{' was consumed, up to and including its '}'. `member(key)` reads
  // the value (the position is at its first character) and returns false to stop.
  template <class Member>
  bool members(Member&& member) {
    skip_ws();
    if (enter('}')) return true;
    for (;;) {
      skip_ws();
      if (!at('"')) return false;
      std::string_view key;
      if (!string(key)) return false;
      skip_ws();
      if (!enter(':')) return false;
      skip_ws();
      if (!member(key)) return false;
      skip_ws();
      if (enter(',')) continue;
      return enter('}');
    }
  }

  // The elements of an array whose '[' was consumed, up to and including its ']'.
  template <class Element>
  bool elements(Element&& element) {
    skip_ws();
    if (enter(']')) return true;
    for (;;) {
      skip_ws();
      if (!element()) return false;
      skip_ws();
      if (enter(',')) continue;
      return enter(']');
    }
  }

  bool at(char c) const { return p_ < end_ && *p_ == c; }

  // Consumes `c` when it is next.
  bool enter(char c) {
    if (!at(c)) return false;
    ++p_;
    return true;
  }

  // A string at '"'. `out` views the body, or a scratch buffer when the string has escapes or
  // non-ASCII bytes (valid until the next string is read).
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

  // A number, converted as the general parser converts it (see json_number.hpp).
  bool number(double& v) {
    NumberToken t;
    if (!read_number_token(p_, end_, t) || !number_token_value(p_, t, v)) return false;
    p_ = t.end;
    return true;
  }

  // A whole number without fraction or exponent that fits an int64_t (record counts, hours).
  bool integer(std::int64_t& v);

  // A NextToken value: a string is the token; anything else is ignored, as by the general parsers.
  // `seen` catches a second NextToken key.
  bool next_token(bool& seen, std::string& token);

  // A string member that must be a string when present (a key seen twice is left to the general parser).
  bool string_member(bool& seen, std::string& out);

  // Any JSON value, checked and dropped.
  bool skip_value() { return skip_value(0); }

 private:
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool skip_value(int depth);
  bool literal(std::string_view word);
  bool decode_rest();
  bool escape();
  bool hex4(std::uint32_t& v);
  void append_utf8(std::uint32_t cp);
  bool utf8_sequence();

  static constexpr int kMaxDepth = 64;
  const char* p_;
  const char* end_;
  std::string scratch_;
};

}  // namespace bw::aws
