// SNS topic and EventBridge bus names: at most 256 characters (checked apart from the pattern, whose
// bounded repeat std::regex compiled slowly).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::fake_env;
using testing::strings;
using testing::TempDir;

std::vector<std::string> problems_with(const std::string& target) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "targets:\n  t: " + target + "\n");
  return strings(load(agent, fake_env).diagnostics);
}

TEST(TargetNames, TopicNamesUpTo256Characters) {
  const std::string arn = "arn:aws:sns:us-east-1:123456789012:";
  EXPECT_THAT(problems_with("{type: sns, topic_arn: " + arn + std::string(256, 'a') + "}"), IsEmpty());
  EXPECT_THAT(problems_with("{type: sns, topic_arn: " + arn + std::string(256, 'a') + ".fifo}"), IsEmpty());
  EXPECT_THAT(problems_with("{type: sns, topic_arn: " + arn + std::string(257, 'a') + "}"),
              ElementsAre(HasSubstr("invalid topic_arn")));
  EXPECT_THAT(problems_with("{type: sns, topic_arn: \"" + arn + "\"}"), ElementsAre(HasSubstr("invalid topic_arn")));
}

TEST(TargetNames, TopicArnParts) {
  for (const char* ok : {"arn:aws:sns:us-east-1:123456789012:ops", "arn:aws-us-gov:sns:us-gov-west-1:123456789012:o_p-s",
                         "arn:aws-cn:sns:cn-north-1:123456789012:ops.fifo", "arn:aws-iso-b:sns:x:123456789012:A"})
    EXPECT_THAT(problems_with(std::string("{type: sns, topic_arn: \"") + ok + "\"}"), IsEmpty()) << ok;
  for (const char* bad : {"arn:aws:sns:us-east-1:12345678901:ops", "arn:aws:sqs:us-east-1:123456789012:ops",
                          "arn:aws:sns:us-east-1:123456789012:ops:extra", "arn:aws:sns:US-east-1:123456789012:ops",
                          "arn:aws:sns:us-east-1:123456789012:o.ps", "arn:awz:sns:us-east-1:123456789012:ops",
                          "arn:aws-:sns:us-east-1:123456789012:ops", "arn:aws:sns::123456789012:ops",
                          "arn:aws:sns:us-east-1:123456789012:.fifo", "sns:us-east-1:123456789012:ops"})
    EXPECT_THAT(problems_with(std::string("{type: sns, topic_arn: \"") + bad + "\"}"),
                ElementsAre(HasSubstr("invalid topic_arn"))) << bad;
}

TEST(TargetNames, BusNamesUpTo256Characters) {
  const std::string arn = "arn:aws:events:us-east-1:123456789012:event-bus/";
  EXPECT_THAT(problems_with("{type: eventbridge, event_bus: " + std::string(256, 'b') + "}"), IsEmpty());
  EXPECT_THAT(problems_with("{type: eventbridge, event_bus: " + arn + "a/" + std::string(254, 'b') + "}"), IsEmpty());
  EXPECT_THAT(problems_with("{type: eventbridge, event_bus: " + std::string(257, 'b') + "}"),
              ElementsAre(HasSubstr("invalid event_bus")));
  EXPECT_THAT(problems_with("{type: eventbridge, event_bus: " + arn + std::string(257, 'b') + "}"),
              ElementsAre(HasSubstr("invalid event_bus")));
}

}  // namespace
}  // namespace bw::config
