// JSON number conversion (aws/json_number.hpp) against strtod and nlohmann, bit for bit.
#include "aws/json_number.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "scan_test_support.hpp"

namespace bw::aws {
namespace {

using nlohmann::json;
using scan_test::bits;

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

}  // namespace
}  // namespace bw::aws
