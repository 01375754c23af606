#include "rules/human.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace bw {
namespace {

TEST(FormatCount, ThreeSignificantDigitsWithSuffixes) {
  EXPECT_EQ(format_count(45600000), "45.6M");
  EXPECT_EQ(format_count(1302431.0000000002), "1.3M");
  EXPECT_EQ(format_count(75539.56666666667), "75.5k");
  EXPECT_EQ(format_count(1234), "1.23k");
  EXPECT_EQ(format_count(40000), "40k");
  EXPECT_EQ(format_count(2.5e9), "2.5B");
  EXPECT_EQ(format_count(7e12), "7T");
  EXPECT_EQ(format_count(7e15), "7000T");  // no suffix past T: the number grows instead
}

TEST(FormatCount, SmallNumbersKeepWhatMatters) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(-0.0), "0");
  EXPECT_EQ(format_count(200), "200");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(0.5), "0.5");
  EXPECT_EQ(format_count(173.3333), "173");
  EXPECT_EQ(format_count(62.477), "62.5");
  EXPECT_EQ(format_count(1.25), "1.25");
  EXPECT_EQ(format_count(0.012345), "0.0123");
  EXPECT_EQ(format_count(-1500), "-1.5k");
}

TEST(FormatCount, RoundingPicksTheSuffixAfterward) {
  EXPECT_EQ(format_count(999.6), "1k");
  EXPECT_EQ(format_count(999960), "1M");
  EXPECT_EQ(format_count(99960), "100k");
  EXPECT_EQ(format_count(9.996), "10");
}

TEST(FormatCount, NonFiniteValuesAreNamed) {
  EXPECT_EQ(format_count(std::nan("")), "nan");
  EXPECT_EQ(format_count(INFINITY), "inf");
}

TEST(FormatRate, CountPerUnit) {
  EXPECT_EQ(format_rate(75539.56666666667, "min"), "75.5k/min");
  EXPECT_EQ(format_rate(0, "h"), "0/h");
}

TEST(FormatMoney, ThousandsAndCents) {
  EXPECT_EQ(format_money(1234.5), "$1,234.50");
  EXPECT_EQ(format_money(2793.2567), "$2,793.26");
  EXPECT_EQ(format_money(1234567.891), "$1,234,567.89");
  EXPECT_EQ(format_money(100), "$100.00");
  EXPECT_EQ(format_money(0), "$0.00");
  EXPECT_EQ(format_money(-3), "-$3.00");
  EXPECT_EQ(format_money(999.999), "$1,000.00");
}

TEST(FormatMoney, ATrickleIsNotFree) {
  EXPECT_EQ(format_money(0.0042), "$0.0042");
  EXPECT_EQ(format_money(0.01), "$0.01");
}

TEST(FormatPercent, AtMostOneDecimal) {
  EXPECT_EQ(format_percent(0.15), "15%");
  EXPECT_EQ(format_percent(0.43333), "43.3%");
  EXPECT_EQ(format_percent(0.5), "50%");
  EXPECT_EQ(format_percent(1.5), "150%");
  EXPECT_EQ(format_percent(0.0005), "0.05%");
  EXPECT_EQ(format_percent(0), "0%");
}

TEST(FormatAge, TheTwoLargestUnits) {
  EXPECT_EQ(format_age(Duration{0}), "0s");
  EXPECT_EQ(format_age(Duration{45}), "45s");
  EXPECT_EQ(format_age(Duration{300}), "5m");
  EXPECT_EQ(format_age(Duration{303}), "5m 3s");
  EXPECT_EQ(format_age(Duration{7500}), "2h 5m");
  EXPECT_EQ(format_age(Duration{7200 + 59}), "2h");  // seconds do not matter after an hour
  EXPECT_EQ(format_age(Duration{3 * 86400 + 4 * 3600 + 120}), "3d 4h");
  EXPECT_EQ(format_age(Duration{-5}), "0s");  // a clock a little behind the recorded time
}

}  // namespace
}  // namespace bw
