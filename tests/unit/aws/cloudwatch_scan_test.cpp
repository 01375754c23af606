// The GetMetricData body parser: the dedicated scanner (fast path) against nlohmann's DOM parse +
// parse_get_metric_data_response on generated bodies, number conversion against strtod and nlohmann,
// and every malformed body giving the error message the SAX path always gave.
#include "aws/cloudwatch_scan.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "aws/json_number.hpp"
#include "tests/support/cloudwatch_reference.hpp"

namespace bw::aws {
namespace {

using nlohmann::json;

std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

// Equal down to the bit pattern of every value (so -0.0 != +0.0 here).
::testing::AssertionResult same_results(const std::vector<MetricDataResult>& a, const std::vector<MetricDataResult>& b) {
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

// ---- numbers ----

double strtod_of(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

TEST(JsonNumberValue, SimpleForms) {
  double v = -1;
  ASSERT_TRUE(json_number_value("0", v));
  EXPECT_EQ(bits(v), bits(0.0));
  ASSERT_TRUE(json_number_value("1.5E7", v));
  EXPECT_EQ(v, 15000000.0);
  ASSERT_TRUE(json_number_value("1.5e+7", v));
  EXPECT_EQ(v, 15000000.0);
  ASSERT_TRUE(json_number_value("25e-1", v));
  EXPECT_EQ(v, 2.5);
  ASSERT_TRUE(json_number_value("-12", v));
  EXPECT_EQ(v, -12.0);
  ASSERT_TRUE(json_number_value("1768471200.0", v));
  EXPECT_EQ(v, 1768471200.0);
  ASSERT_TRUE(json_number_value("0.1", v));
  EXPECT_EQ(bits(v), bits(0.1));
}

TEST(JsonNumberValue, NegativeZeroIsPositiveAsAnIntegerAndNegativeAsAFloat) {
  // As nlohmann reads them: "-0" is the integer 0; "-0.0" and "-0e0" are doubles (strtod: -0.0).
  double v = 1;
  ASSERT_TRUE(json_number_value("-0", v));
  EXPECT_EQ(bits(v), bits(0.0));
  EXPECT_EQ(bits(json::parse("-0").get<double>()), bits(0.0));
  ASSERT_TRUE(json_number_value("-0.0", v));
  EXPECT_EQ(bits(v), bits(-0.0));
  ASSERT_TRUE(json_number_value("-0e5", v));
  EXPECT_EQ(bits(v), bits(-0.0));
}

TEST(JsonNumberValue, NotJsonNumbers) {
  for (const char* bad : {"", "-", "01", "-01", "1.", ".5", "+1", "1e", "1e+", "1E-", "0x10", "NaN", "Infinity",
                          "-Infinity", "1.5.2", "1e5e5", " 1", "1 ", "1,", "--1", "1_000"}) {
    double v;
    EXPECT_FALSE(json_number_value(bad, v)) << bad;
  }
}

TEST(JsonNumberValue, OutOfRangeIsRefused) {
  // nlohmann rejects a number that overflows a double; the scanner leaves such bodies to it.
  double v;
  EXPECT_FALSE(json_number_value("1e309", v));
  EXPECT_FALSE(json_number_value("-1.8e308", v));
  EXPECT_FALSE(json_number_value(std::string(400, '9'), v));
  EXPECT_FALSE(json::accept("1e309"));
}

TEST(JsonNumberValue, EdgeValuesMatchStrtodBitForBit) {
  const char* cases[] = {
      "9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615", "18446744073709551616",
      "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1e22", "1e23", "9e22",
      "4.35e22", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324", "1.7976931348623157e308",
      "0.30000000000000004", "3.141592653589793238462643383279", "1234567890123456789", "12345678901234567890.5",
      "0.000000000000000000000000000001234", "100000000000000000000000", "7.2057594037927933e16", "8.98846567431158e307",
      "1.00000000000000011102230246251565404236316680908203125", "1.00000000000000011102230246251565404236316680908203124",
      "1.00000000000000011102230246251565404236316680908203126", "2.5e-22", "9007199254740993e-22", "123.456e-30"};
  for (const char* c : cases) {
    double v = 0;
    ASSERT_TRUE(json_number_value(c, v)) << c;
    EXPECT_EQ(bits(v), bits(strtod_of(c))) << c;
    EXPECT_EQ(bits(v), bits(json::parse(c).get<double>())) << c;
  }
}

TEST(JsonNumberValue, RandomTokensMatchStrtodAndNlohmannBitForBit) {
  std::mt19937_64 rng(20260115);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  int converted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (pick(3) == 0) s += '-';
    const int int_digits = 1 + pick(pick(2) ? 6 : 24);
    if (pick(5) == 0) {
      s += '0';
    } else {
      s += static_cast<char>('1' + pick(9));
      for (int d = 1; d < int_digits; ++d) s += static_cast<char>('0' + pick(10));
    }
    const bool integer = pick(4) == 0;
    if (!integer) {
      if (pick(4) != 0) {
        s += '.';
        const int frac = 1 + pick(pick(2) ? 8 : 24);
        for (int d = 0; d < frac; ++d) s += static_cast<char>('0' + pick(10));
      }
      if (pick(2) == 0) {
        s += pick(2) ? 'e' : 'E';
        if (pick(2)) s += pick(2) ? '-' : '+';
        s += std::to_string(pick(pick(3) ? 25 : 330));
      }
    }
    double v = 0;
    const double expected = s == "-0" ? 0.0 : strtod_of(s);
    if (!json_number_value(s, v)) {
      // refused only out of a finite double's range
      EXPECT_TRUE(std::isinf(expected) || std::fpclassify(expected) == FP_SUBNORMAL || expected == 0.0) << s;
      continue;
    }
    ++converted;
    ASSERT_EQ(bits(v), bits(expected)) << s;
    ASSERT_EQ(bits(v), bits(json::parse(s).get<double>())) << s;
  }
  EXPECT_GT(converted, 190000);
}

TEST(JsonNumberValue, PrintedDoublesRoundTrip) {
  // Values as a service prints them: shortest round-trip (%.17g) and fixed forms of random doubles.
  std::mt19937_64 rng(7);
  char buf[400];  // %.3f of 1e308 is 313 characters
  for (int i = 0; i < 100000; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (!std::isfinite(d)) continue;
    for (const char* fmt : {"%.17g", "%.6e", "%.3f", "%.15g"}) {
      std::snprintf(buf, sizeof buf, fmt, d);
      const std::string s(buf);
      double v = 0;
      if (!json_number_value(s, v)) {
        const double e = strtod_of(s);
        EXPECT_TRUE(std::isinf(e) || std::fpclassify(e) == FP_SUBNORMAL || e == 0.0) << s;
        continue;
      }
      ASSERT_EQ(bits(v), bits(strtod_of(s))) << s;
    }
  }
}

// ---- whole bodies: the scanner against the DOM path ----

struct GeneratedBody {
  std::string text;
};

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

// What get_metric_data passes in: one entry per query, some already holding a previous page's points.
std::vector<MetricDataResult> initial_into(int variant) {
  std::vector<MetricDataResult> into;
  for (int i = 0; i < 8; ++i) into.push_back({"q" + std::to_string(i), "", {}, {}});
  if (variant % 2) {
    into[1].timestamps = {1768400000};
    into[1].values = {42.5};
    into[2].status_code = "PartialData";
  }
  return into;
}

TEST(ScanGetMetricDataBody, MatchesTheDomPathOnGeneratedBodies) {
  BodyGenerator gen(424242);
  int with_points = 0, with_token = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string body = gen.body();
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(body)) << body;

    auto dom = initial_into(i);
    auto dom_token = reference::parse_get_metric_data_response(parsed, dom);
    ASSERT_TRUE(dom_token.ok()) << dom_token.error().describe() << "\n" << body;

    auto fast = initial_into(i);
    std::string fast_token = "untouched";
    ASSERT_TRUE(scan_get_metric_data_body(body, fast, fast_token)) << "the fast path declined:\n" << body;
    ASSERT_TRUE(same_results(dom, fast)) << body;
    ASSERT_EQ(dom_token.value(), fast_token) << body;

    auto via_body = initial_into(i);
    auto body_token = parse_get_metric_data_body(body, via_body);
    ASSERT_TRUE(body_token.ok()) << body;
    ASSERT_TRUE(same_results(dom, via_body)) << body;
    ASSERT_EQ(dom_token.value(), body_token.value());

    for (const auto& r : fast) with_points += r.values.size() > 1 ? 1 : 0;
    with_token += fast_token.empty() ? 0 : 1;
  }
  // the generator produced what it is meant to
  EXPECT_GT(with_points, 3000);
  EXPECT_GT(with_token, 500);
}

TEST(ScanGetMetricDataBody, ReadsTheUsualPage) {
  std::vector<MetricDataResult> into{{"a", "", {}, {}}, {"b", "", {}, {}}};
  std::string token;
  ASSERT_TRUE(scan_get_metric_data_body(R"({
      "MetricDataResults": [
        {"Id": "b", "Label": "x \"y\"", "StatusCode": "Complete", "Timestamps": [1768471200, 1768471500.0, 1.7684718E9],
         "Values": [1.5, 2, -3e-2]},
        {"Values": [], "Timestamps": [], "StatusCode": "PartialData", "Id": "\u0061"},
        {"Id": "new", "Timestamps": [60.9], "Values": [7], "Extra": {"a": [1, {"b": null}], "c": true}}
      ],
      "Messages": [{"Code": "c", "Value": "v"}],
      "NextToken": "next-1"})",
                                        into, token));
  EXPECT_EQ(token, "next-1");
  ASSERT_EQ(into.size(), 3u);
  EXPECT_EQ(into[0].status_code, "PartialData");
  EXPECT_TRUE(into[0].timestamps.empty());
  EXPECT_EQ(into[1].status_code, "Complete");
  EXPECT_EQ(into[1].timestamps, (std::vector<std::int64_t>{1768471200, 1768471500, 1768471800}));
  EXPECT_EQ(into[1].values, (std::vector<double>{1.5, 2.0, -0.03}));
  EXPECT_EQ(into[2].id, "new");
  EXPECT_EQ(into[2].timestamps, (std::vector<std::int64_t>{60}));  // the fraction is dropped
}

TEST(ScanGetMetricDataBody, AppendsToEarlierPagesAndRepeatedIds) {
  std::vector<MetricDataResult> into{{"a", "Complete", {60}, {1}}};
  std::string token = "old";
  ASSERT_TRUE(scan_get_metric_data_body(
      R"({"MetricDataResults":[{"Id":"a","Timestamps":[120],"Values":[2]},{"Id":"a","Timestamps":[180],"Values":[3]}]})",
      into, token));
  EXPECT_EQ(token, "");
  ASSERT_EQ(into.size(), 1u);
  EXPECT_EQ(into[0].timestamps, (std::vector<std::int64_t>{60, 120, 180}));
  EXPECT_EQ(into[0].values, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(into[0].status_code, "Complete");
}

TEST(ScanGetMetricDataBody, OneListWithoutTheOtherIsIgnored) {
  std::vector<MetricDataResult> into;
  std::string token;
  ASSERT_TRUE(scan_get_metric_data_body(R"({"MetricDataResults":[{"Id":"a","Timestamps":[60,120]}]})", into, token));
  ASSERT_EQ(into.size(), 1u);
  EXPECT_TRUE(into[0].timestamps.empty());
  EXPECT_TRUE(into[0].values.empty());
}

TEST(ScanGetMetricDataBody, EmptyObjectAndEmptyResults) {
  for (const char* body : {"{}", " {\"MetricDataResults\":[]} ", "{\"MetricDataResults\":[],\"NextToken\":null}"}) {
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    std::string token = "x";
    ASSERT_TRUE(scan_get_metric_data_body(body, into, token)) << body;
    EXPECT_EQ(token, "");
    ASSERT_EQ(into.size(), 1u);
  }
}

// Valid JSON the scanner leaves to the general parser; the body parse still gives the DOM's answer.
TEST(ScanGetMetricDataBody, UnusualButValidBodiesGoToTheGeneralParser) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::string cases[] = {
      "\xEF\xBB\xBF{\"MetricDataResults\":[{\"Id\":\"a\",\"Timestamps\":[60],\"Values\":[1]}]}",  // byte-order mark
      R"({"MetricDataResults":[{"Id":"b","Id":"a","Timestamps":[60],"Values":[1]}]})",  // a repeated key
      R"({"NextToken":"t1","NextToken":"t2"})",
      R"({"MetricDataResults":[{"Id":"a","StatusCode":"Complete","StatusCode":"PartialData"}]})",
      R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1]}],"Deep":)" + deep + "}",  // deeper than 64
      R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1e-400]}]})",  // underflows to 0
      R"({"MetricDataResults":[{"Id":"a","Timestamps":[60,"x"]}]})",                // a bad list, alone: ignored
      R"({"MetricDataResults":[{"Id":"a","Values":7}]})",
      // nlohmann takes a NUL byte for the end of the input and ignores what follows it
      std::string("{\"MetricDataResults\":[{\"Id\":\"a\",\"Timestamps\":[60],\"Values\":[1]}]}\0junk", 70),
  };
  for (const auto& body : cases) {
    std::vector<MetricDataResult> untouched{{"a", "", {}, {}}};
    std::string token = "unchanged";
    EXPECT_FALSE(scan_get_metric_data_body(body, untouched, token)) << body;
    EXPECT_EQ(token, "unchanged");
    ASSERT_EQ(untouched.size(), 1u);
    EXPECT_TRUE(untouched[0].values.empty());

    std::vector<MetricDataResult> dom{{"a", "", {}, {}}}, via_body{{"a", "", {}, {}}};
    auto expected = reference::parse_get_metric_data_response(json::parse(body), dom);
    auto got = parse_get_metric_data_body(body, via_body);
    ASSERT_TRUE(expected.ok()) << body;
    ASSERT_TRUE(got.ok()) << got.error().describe() << "\n" << body;
    EXPECT_EQ(got.value(), expected.value()) << body;
    EXPECT_TRUE(same_results(dom, via_body)) << body;
  }
}

// A list key repeated in one object is where the SAX handler and the DOM disagree (the DOM keeps the
// last list, the SAX handler sees both). The scanner takes no side: it declines, and the SAX
// handler's answer stays what it always was.
TEST(ScanGetMetricDataBody, RepeatedListKeysAreLeftToTheSaxHandler) {
  std::vector<MetricDataResult> into{{"a", "", {}, {}}};
  std::string token;
  const std::string twice_values = R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1],"Values":[2]}]})";
  EXPECT_FALSE(scan_get_metric_data_body(twice_values, into, token));
  auto r = parse_get_metric_data_body(twice_values, into);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Timestamps and Values differ in length for a");

  const std::string twice_results =
      R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1]}],"MetricDataResults":[{"Id":"a","Timestamps":[120],"Values":[2]}]})";
  EXPECT_FALSE(scan_get_metric_data_body(twice_results, into, token));
  ASSERT_TRUE(parse_get_metric_data_body(twice_results, into).ok());
  EXPECT_EQ(into[0].timestamps, (std::vector<std::int64_t>{60, 120}));
}

// ---- malformed bodies: the same errors as ever ----

struct Malformed {
  std::string body;
  std::string message;
};

TEST(ParseGetMetricDataBody, MalformedBodiesKeepTheirErrors) {
  const Malformed cases[] = {
      {"not json", "response is not JSON: not json"},
      {"", "response is not JSON: "},
      {"{\"MetricDataResults\": [", "response is not JSON: {\"MetricDataResults\": ["},
      {"{} x", "response is not JSON: {} x"},
      {"[1,2]", "response is not a JSON object"},
      {"\"text\"", "response is not a JSON object"},
      {R"({"MetricDataResults": {"Id": "a"}})", "MetricDataResults is not a list"},
      {R"({"MetricDataResults": 5})", "MetricDataResults is not a list"},
      {R"({"MetricDataResults": [{"StatusCode": "Complete"}]})", "a result has no Id"},
      {R"({"MetricDataResults": [{"Id": 5, "Timestamps": [], "Values": []}]})", "a result has no Id"},
      {R"({"MetricDataResults": [7]})", "a result has no Id"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60, 120], "Values": [1]}]})",
       "Timestamps and Values differ in length for a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": 60, "Values": 1}]})",
       "Timestamps and Values differ in length for a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": ["60"], "Values": [1]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60], "Values": [null]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60], "Values": [[1]]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [1e300], "Values": [1]}]})",
       "timestamp out of range in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [-1e19], "Values": [1]}]})",
       "timestamp out of range in a"},
  };
  for (const auto& c : cases) {
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    std::string token = "unchanged";
    EXPECT_FALSE(scan_get_metric_data_body(c.body, into, token)) << c.body;
    auto r = parse_get_metric_data_body(c.body, into);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, Error::Kind::Protocol) << c.body;
    EXPECT_EQ(r.error().code, "MalformedResponse") << c.body;
    EXPECT_EQ(r.error().operation, "GetMetricData") << c.body;
    EXPECT_EQ(r.error().message, c.message) << c.body;
    // the DOM path agrees wherever the body is JSON
    if (json::accept(c.body)) {
      std::vector<MetricDataResult> dom{{"a", "", {}, {}}};
      auto d = reference::parse_get_metric_data_response(json::parse(c.body), dom);
      ASSERT_FALSE(d.ok()) << c.body;
      EXPECT_EQ(d.error().message, c.message) << c.body;
    }
  }
}

TEST(ParseGetMetricDataBody, InvalidJsonAnywhereIsNotJson) {
  // Each is one defect in an otherwise good page, in a part the parser skips or in one it reads.
  const std::string good_prefix = R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1]}],)";
  const std::string defects[] = {
      R"("Label":"bad escape \q"})",
      R"("Label":"lone surrogate \ud800"})",
      R"("Label":"low surrogate first \udc00\ud800"})",
      R"("Label":"short \u12"})",
      "\"Label\":\"control \x01 char\"}",
      "\"Label\":\"bad UTF-8 \xC0\xAF\"}",
      "\"Label\":\"surrogate in UTF-8 \xED\xA0\x80\"}",
      "\"Label\":\"truncated UTF-8 \xE2\x98\"}",
      "\"Label\":\"above U+10FFFF \xF4\x90\x80\x80\"}",
      R"("Extra":1e999})",
      R"("Extra":01})",
      R"("Extra":[1,]})",
      R"("Extra":{"a":1,}})",
      R"("Extra":tru})",
      R"("Extra":NaN})",
      R"("Extra":{"a" 1}})",
      R"("Extra":1} // comment)",
      R"("Extra":"unterminated})",
  };
  for (const auto& d : defects) {
    const std::string body = good_prefix + d;
    ASSERT_FALSE(json::accept(body)) << body;
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    std::string token;
    EXPECT_FALSE(scan_get_metric_data_body(body, into, token)) << body;
    auto r = parse_get_metric_data_body(body, into);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().message.rfind("response is not JSON: ", 0), 0u) << r.error().message;
  }
}

TEST(ParseGetMetricDataBody, ValidEscapesAndUtf8AreAccepted) {
  // The counterpart of the defects above: every escape form, and UTF-8 at the edges of each range.
  const std::string body =
      "{\"MetricDataResults\":[{\"Id\":\"a\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\","
      "\"Label\":\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF \x7F\","
      "\"Timestamps\":[60],\"Values\":[1]}]}";
  ASSERT_TRUE(json::accept(body));
  std::vector<MetricDataResult> fast, dom;
  std::string token;
  ASSERT_TRUE(scan_get_metric_data_body(body, fast, token));
  ASSERT_TRUE(reference::parse_get_metric_data_response(json::parse(body), dom).ok());
  EXPECT_TRUE(same_results(dom, fast));
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0].id, std::string("a\xC3\xA9\xF0\x9F\x98\x80\"\\/\b\f\n\r\t", 15) + std::string(1, '\0'));
}

// ---- ListMetrics ----

bool same_listings(const std::vector<MetricListing>& a, const std::vector<MetricListing>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].ns != b[i].ns || a[i].metric_name != b[i].metric_name || a[i].dimensions.size() != b[i].dimensions.size())
      return false;
    for (std::size_t d = 0; d < a[i].dimensions.size(); ++d)
      if (a[i].dimensions[d].name != b[i].dimensions[d].name || a[i].dimensions[d].value != b[i].dimensions[d].value)
        return false;
  }
  return true;
}

// A ListMetrics body with any key order, whitespace, escapes, optional fields, Dimensions that are not
// a list, unknown keys holding nested values, NextToken or not.
std::string list_metrics_body(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  static const char* kWs[] = {"", "", " ", "\n  ", "\t"};
  auto ws = [&] { return std::string(kWs[pick(5)]); };
  static const char* kStrings[] = {"AWS/Bedrock/Batch", "model-0001", "anthropic.claude-3-haiku-20240307-v1:0",
                                   "caf\\u00e9 \\\"q\\\" \\/ \\ud83d\\ude00", "caf\xc3\xa9", ""};
  auto str = [&] { return std::string("\"") + kStrings[pick(6)] + "\""; };
  auto object = [&](std::vector<std::string> members) {
    for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[static_cast<std::size_t>(pick(static_cast<int>(i)))]);
    std::string out = "{" + ws();
    for (std::size_t i = 0; i < members.size(); ++i) out += (i ? ws() + "," + ws() : "") + members[i];
    return out + ws() + "}";
  };
  std::vector<std::string> metrics;
  const int n = pick(6);
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> m;
    if (pick(4)) m.push_back("\"Namespace\"" + ws() + ":" + ws() + str());
    if (pick(4)) m.push_back("\"MetricName\":" + str());
    switch (pick(5)) {
      case 0: break;
      case 1: m.push_back("\"Dimensions\":null"); break;  // not a list: ignored
      case 2: m.push_back("\"Dimensions\":[]"); break;
      default: {
        std::string dims = "[";
        const int k = 1 + pick(3);
        for (int d = 0; d < k; ++d) {
          std::vector<std::string> dm;
          if (pick(5)) dm.push_back("\"Name\":" + str());
          if (pick(5)) dm.push_back("\"Value\":" + str());
          if (pick(4) == 0) dm.push_back("\"Extra\":{\"Name\":[1,2,{\"Value\":5}]}");
          dims += (d ? "," : "") + object(dm);
        }
        m.push_back("\"Dimensions\":" + ws() + dims + "]");
      }
    }
    if (pick(4) == 0) m.push_back("\"Unknown\":[true,false,null,-1.5E3,{\"Metrics\":[]}]");
    metrics.push_back(object(m));
  }
  std::vector<std::string> root;
  if (pick(6)) {
    std::string list = "[" + ws();
    for (std::size_t i = 0; i < metrics.size(); ++i) list += (i ? "," + ws() : "") + metrics[i];
    root.push_back("\"Metrics\":" + list + ws() + "]");
  }
  if (pick(2)) root.push_back(pick(4) ? "\"NextToken\":\"tok-" + std::to_string(pick(100)) + "\"" : "\"NextToken\":7");
  if (pick(3) == 0) root.push_back("\"OwningAccounts\":[\"123456789012\"]");
  return ws() + object(root) + ws();
}

TEST(ScanListMetricsBody, MatchesTheDomPathOnGeneratedBodies) {
  std::mt19937_64 rng(99);
  int listings = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string body = list_metrics_body(rng);
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(body)) << body;
    std::vector<MetricListing> dom{{"earlier", "page", {}}}, fast{{"earlier", "page", {}}};
    auto dom_token = parse_list_metrics_response(parsed, "NS", "Name", dom);
    ASSERT_TRUE(dom_token.ok()) << dom_token.error().describe() << "\n" << body;
    std::string token = "untouched";
    ASSERT_TRUE(scan_list_metrics_body(body, "NS", "Name", fast, token)) << "the fast path declined:\n" << body;
    ASSERT_TRUE(same_listings(dom, fast)) << body;
    ASSERT_EQ(token, dom_token.value()) << body;
    listings += static_cast<int>(fast.size()) - 1;
  }
  EXPECT_GT(listings, 5000);
}

TEST(ScanListMetricsBody, LeavesEverythingElseToTheDomPath) {
  const std::string cases[] = {
      "not json", "[]", R"({"Metrics":{}})", R"({"Metrics":[5]})", R"({"Metrics":[{"Namespace":5}]})",
      R"({"Metrics":[{"MetricName":null}]})", R"({"Metrics":[{"Dimensions":[7]}]})",
      R"({"Metrics":[{"Dimensions":[{"Name":1}]}]})", R"({"Metrics":[{"Namespace":"a","Namespace":"b"}]})",
      R"({"Metrics":[],"Metrics":[]})", R"({"NextToken":"a","NextToken":"b"})", R"({"Metrics":[]} x)",
      "\xEF\xBB\xBF{}", R"({"Metrics":[{"Namespace":"bad \q escape"}]})",
  };
  for (const auto& body : cases) {
    std::vector<MetricListing> out{{"earlier", "page", {}}};
    std::string token = "untouched";
    EXPECT_FALSE(scan_list_metrics_body(body, "NS", "Name", out, token)) << body;
    EXPECT_EQ(out.size(), 1u) << body;
    EXPECT_EQ(token, "untouched") << body;
  }
}

}  // namespace
}  // namespace bw::aws
