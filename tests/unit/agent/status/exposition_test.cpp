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

TEST(Exposition, DimensionNamesBecomeSnakeCaseLabelNames) {
  EXPECT_EQ(exposition::snake_case_label_name("modelId"), "model_id");
  EXPECT_EQ(exposition::snake_case_label_name("ModelId"), "model_id");
  EXPECT_EQ(exposition::snake_case_label_name("jobName"), "job_name");
  EXPECT_EQ(exposition::snake_case_label_name("HTTPStatusCode"), "http_status_code");
  EXPECT_EQ(exposition::snake_case_label_name("jobARN"), "job_arn");
  EXPECT_EQ(exposition::snake_case_label_name("s3Uri"), "s3_uri");
  EXPECT_EQ(exposition::snake_case_label_name("account"), "account");
  EXPECT_EQ(exposition::snake_case_label_name("model_id"), "model_id");
  EXPECT_EQ(exposition::snake_case_label_name("Model_Id"), "model_id");
  EXPECT_EQ(exposition::snake_case_label_name("aws:batch-job"), "aws_batch_job");
  EXPECT_EQ(exposition::snake_case_label_name("9Lives"), "_9_lives");
}

}  // namespace
}  // namespace bw::agent
