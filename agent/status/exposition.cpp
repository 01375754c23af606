#include "agent/status/exposition.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace bw::agent::exposition {

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers as integers (a counter at 1000000 reads "1000000", not "1e+06").
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, end);
}

namespace {

// Backslash and newline always; the double quote only where the text stands between quotes.
std::string escape(std::string_view v, bool in_quotes) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"' && in_quotes) out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view v) { return escape(v, true); }

std::string escape_help(std::string_view v) { return escape(v, false); }

std::string sanitize_label_name(std::string_view n) {
  std::string out;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
  return out;
}

std::string snake_case_label_name(std::string_view dimension) {
  const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  const auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  std::string out;
  out.reserve(dimension.size() + 4);
  for (std::size_t i = 0; i < dimension.size(); ++i) {
    const char c = dimension[i];
    if (!upper(c)) {
      out += c;
      continue;
    }
    // A word starts at an upper-case letter after a lower-case one or a digit (modelId), or at the
    // last capital of an acronym followed by lower case (HTTPStatus: "http", "status").
    const bool after_word = i > 0 && lower_or_digit(dimension[i - 1]);
    const bool acronym_end = i > 0 && upper(dimension[i - 1]) && i + 1 < dimension.size() &&
                             dimension[i + 1] >= 'a' && dimension[i + 1] <= 'z';
    if ((after_word || acronym_end) && !out.empty() && out.back() != '_') out += '_';
    out += static_cast<char>(c - 'A' + 'a');
  }
  return sanitize_label_name(out);
}

}  // namespace bw::agent::exposition
