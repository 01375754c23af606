#pragma once
// What the scanner tests share: bit-exact comparison of parsed results, and generated GetMetricData
// bodies with the variety a service (or a proxy) may produce.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "aws/cloudwatch.hpp"

namespace bw::aws::scan_test {

inline std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

// Equal down to the bit pattern of every value (so -0.0 != +0.0 here).
inline ::testing::AssertionResult same_results(const std::vector<MetricDataResult>& a, const std::vector<MetricDataResult>& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id) return ::testing::AssertionFailure() << "id at " << i << ": " << a[i].id << " vs " << b[i].id;
    if (a[i].status_code != b[i].status_code)
      return ::testing::AssertionFailure() << "status of " << a[i].id << ": " << a[i].status_code << " vs " << b[i].status_code;
    if (a[i].timestamps != b[i].timestamps) return ::testing::AssertionFailure() << "timestamps of " << a[i].id;
    if (a[i].values.size() != b[i].values.size()) return ::testing::AssertionFailure() << "value count of " << a[i].id;
    for (std::size_t j = 0; j < a[i].values.size(); ++j)
      if (bits(a[i].values[j]) != bits(b[i].values[j]))
        return ::testing::AssertionFailure() << "value " << j << " of " << a[i].id << ": " << a[i].values[j] << " vs "
                                             << b[i].values[j];
  }
  return ::testing::AssertionSuccess();
}

// A GetMetricData-like body with the variety a service (or a proxy) may produce: any key order,
// whitespace, escapes and non-ASCII in strings, numbers in every JSON form, empty lists, partial
// data, unknown keys holding nested objects and lists, Messages, NextToken or not.
class BodyGenerator {
 public:
  explicit BodyGenerator(std::uint64_t seed) : rng_(seed) {}

  std::string body() {
    out_.clear();
    std::vector<int> root_keys{0, 1, 2, 3};  // results, token, messages, unknown
    shuffle(root_keys);
    ws();
    out_ += '{';
    bool first = true;
    for (int k : root_keys) {
      if (k == 1 && pick(2)) continue;
      if (k >= 2 && pick(2)) continue;
      if (!first) comma();
      first = false;
      ws();
      switch (k) {
        case 0:
          key("MetricDataResults");
          results();
          break;
        case 1:
          key("NextToken");
          if (pick(5) == 0) out_ += "null";
          else string_literal(pick(2) ? "tok-" + std::to_string(pick(1000)) : "eyJ\\u0061bc\\/+==");
          break;
        case 2:
          key("Messages");
          messages();
          break;
        default:
          key(pick(2) ? "ResponseMetadata" : "Unknown\\u00e9");
          unknown_value(0);
      }
      ws();
    }
    out_ += '}';
    ws();
    return out_;
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  template <class V>
  void shuffle(V& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(pick(static_cast<int>(i)))]);
  }

  void ws() {
    static const char* kWs[] = {"", "", "", " ", "\n  ", "\t", "\r\n", "  \n\t "};
    out_ += kWs[pick(8)];
  }
  void comma() {
    ws();
    out_ += ',';
    ws();
  }
  void key(const std::string& raw) {
    string_literal(raw);
    ws();
    out_ += ':';
    ws();
  }
  void string_literal(const std::string& raw_json_content) {
    out_ += '"';
    out_ += raw_json_content;
    out_ += '"';
  }

  std::string id(int n) {
    // Ids in the generated `into` are "q<n>"; some are written with escapes.
    const std::string plain = "q" + std::to_string(n);
    switch (pick(6)) {
      case 0: return "\\u0071" + std::to_string(n);  // \u0071 = q
      case 1: return "q\\u003" + std::to_string(n % 10) + std::to_string(n).substr(1);  // first digit escaped
      default: return plain;
    }
  }

  std::string label() {
    static const char* kLabels[] = {
        "NumberOfRecordsPendingProcessing modelId=anthropic.claude-3-haiku",
        "with \\\"quotes\\\" and \\\\ backslash",
        "tab\\there\\nnewline \\/ slash \\b\\f\\r",
        "caf\\u00e9 \\u2603 \\ud83d\\ude00",
        "raw UTF-8: caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80",
        "",
    };
    return kLabels[pick(6)];
  }

  std::string timestamp() {
    const std::int64_t t = 1768471200 + 60 * pick(10000);
    switch (pick(6)) {
      case 0: return std::to_string(t) + ".0";
      case 1: return std::to_string(t) + "." + std::to_string(pick(1000));
      case 2: {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9E", static_cast<double>(t));  // 1.768471200E+09
        return buf;
      }
      case 3: return std::to_string(t) + "e0";
      default: return std::to_string(t);
    }
  }

  std::string value() {
    char buf[64];
    const double d = (pick(2) ? 1 : -1) * std::ldexp(static_cast<double>(rng_() >> 11), pick(120) - 80);
    switch (pick(10)) {
      case 0: return std::to_string(pick(1000000) - 500000);
      case 1: return pick(2) ? "-0.0" : "0";
      case 2: std::snprintf(buf, sizeof buf, "%.17g", d); return buf;
      case 3: std::snprintf(buf, sizeof buf, "%.4E", d); return buf;
      case 4: std::snprintf(buf, sizeof buf, "%.3e", d); return buf;
      case 5: return "1.5E7";
      case 6: return "123456789012345678901234567890.123e-5";  // beyond the exact shortcut
      case 7: return std::to_string(rng_() >> 1);  // up to 19 digits, past 2^53
      default: std::snprintf(buf, sizeof buf, "%.6f", std::fmod(d, 1e9)); return buf;
    }
  }

  void number_list(int n, bool timestamps) {
    out_ += '[';
    ws();
    for (int i = 0; i < n; ++i) {
      if (i) comma();
      out_ += timestamps ? timestamp() : value();
    }
    ws();
    out_ += ']';
  }

  void results() {
    out_ += '[';
    ws();
    const int n = pick(8);
    for (int r = 0; r < n; ++r) {
      if (r) comma();
      result();
    }
    ws();
    out_ += ']';
  }

  void result() {
    std::vector<int> keys{0, 1, 2, 3, 4, 5, 6};  // Id Label StatusCode Timestamps Values Messages unknown
    shuffle(keys);
    const int points = pick(4) == 0 ? 0 : pick(30);
    const bool only_one_list = pick(12) == 0;  // Timestamps without Values: ignored by every path
    out_ += '{';
    ws();
    bool first = true;
    for (int k : keys) {
      if ((k == 1 || k == 2 || k >= 5) && pick(3) == 0) continue;
      if (k == 4 && only_one_list) continue;
      if (!first) comma();
      first = false;
      switch (k) {
        case 0: key("Id"); string_literal(id(pick(12))); break;
        case 1: key("Label"); string_literal(label()); break;
        case 2:
          key("StatusCode");
          if (pick(8) == 0) out_ += "null";  // not a string: ignored
          else string_literal(pick(3) == 0 ? "PartialData" : "Complete");
          break;
        case 3: key("Timestamps"); number_list(points, true); break;
        case 4: key("Values"); number_list(points, false); break;
        case 5: key("Messages"); messages(); break;
        default: key("Extra"); unknown_value(0);
      }
    }
    ws();
    out_ += '}';
  }

  void messages() {
    out_ += '[';
    const int n = pick(3);
    for (int i = 0; i < n; ++i) {
      if (i) comma();
      out_ += R"({"Code":"MaxDatapointsExceeded","Value":"The query returned more than \"100,800\" datapoints"})";
    }
    out_ += ']';
  }

  void unknown_value(int depth) {
    switch (depth > 3 ? pick(6) : pick(8)) {
      case 0: out_ += "true"; break;
      case 1: out_ += "false"; break;
      case 2: out_ += "null"; break;
      case 3: out_ += value(); break;
      case 4: string_literal(label()); break;
      case 5: out_ += "[]"; break;
      case 6: {
        out_ += '[';
        const int n = pick(4);
        for (int i = 0; i < n; ++i) {
          if (i) comma();
          unknown_value(depth + 1);
        }
        out_ += ']';
        break;
      }
      default: {
        out_ += '{';
        const int n = pick(4);
        for (int i = 0; i < n; ++i) {
          if (i) comma();
          key(pick(2) ? "Timestamps" : "Id");  // the parser's keys, nested where they mean nothing
          unknown_value(depth + 1);
        }
        out_ += '}';
      }
    }
  }

  std::mt19937_64 rng_;
  std::string out_;
};

}  // namespace bw::aws::scan_test
