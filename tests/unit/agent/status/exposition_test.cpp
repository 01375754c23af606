#include "agent/status/exposition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace bw::agent {
namespace {

TEST(Exposition, FormatsValuesLikePrometheus) {
  EXPECT_EQ(exposition::format_value(0), "0");
  EXPECT_EQ(exposition::format_value(1000000), "1000000");
  EXPECT_EQ(exposition::format_value(-3), "-3");
  EXPECT_EQ(exposition::format_value(0.1), "0.1");
  EXPECT_EQ(exposition::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(exposition::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(exposition::format_value(std::nan("")), "NaN");
  EXPECT_EQ(exposition::sanitize_label_name("aws:batch-job"), "aws_batch_job");
  EXPECT_EQ(exposition::sanitize_label_name("1st"), "_1st");
}

}  // namespace
}  // namespace bw::agent
