// SNS Publish over the Query protocol: the form parameters, then the client against a scripted transport.
#include "aws/sns.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr const char* kTopic = "arn:aws:sns:us-east-1:123456789012:alerts";

TEST(PublishParams, MinimalRequest) {
  PublishRequest r;
  r.topic_arn = kTopic;
  r.message = "disk full";
  EXPECT_THAT(publish_params(r), ElementsAre(Pair("TopicArn", kTopic), Pair("Message", "disk full")));
}

TEST(PublishParams, SubjectAndAttributesInOrder) {
  PublishRequest r;
  r.topic_arn = kTopic;
  r.message = "{\"AlarmName\":\"cpu\"}";
  r.subject = "ALARM: cpu";
  r.attributes = {{"severity", "high"}, {"rule", "cpu-hot"}};
  EXPECT_THAT(publish_params(r),
              ElementsAre(Pair("TopicArn", kTopic), Pair("Message", "{\"AlarmName\":\"cpu\"}"),
                          Pair("Subject", "ALARM: cpu"),
                          Pair("MessageAttributes.entry.1.Name", "severity"),
                          Pair("MessageAttributes.entry.1.Value.DataType", "String"),
                          Pair("MessageAttributes.entry.1.Value.StringValue", "high"),
                          Pair("MessageAttributes.entry.2.Name", "rule"),
                          Pair("MessageAttributes.entry.2.Value.DataType", "String"),
                          Pair("MessageAttributes.entry.2.Value.StringValue", "cpu-hot")));
}

TEST(PublishParams, FifoFieldsOnlyWhenSet) {
  PublishRequest r;
  r.topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo";
  r.message = "m";
  r.message_group_id = "cpu";
  r.deduplication_id = "cpu-1768471200";
  EXPECT_THAT(publish_params(r),
              ElementsAre(Pair("TopicArn", "arn:aws:sns:us-east-1:123456789012:alerts.fifo"), Pair("Message", "m"),
                          Pair("MessageGroupId", "cpu"), Pair("MessageDeduplicationId", "cpu-1768471200")));

  r.deduplication_id.clear();
  EXPECT_THAT(publish_params(r), ElementsAre(Pair("TopicArn", "arn:aws:sns:us-east-1:123456789012:alerts.fifo"),
                                             Pair("Message", "m"), Pair("MessageGroupId", "cpu")));
}

const char* kPublishResponse =
    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "  <PublishResult>\n"
    "    <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>\n"
    "  </PublishResult>\n"
    "  <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>\n"
    "</PublishResponse>\n";

TEST(SnsPublish, ParsesMessageIdAndSendsAFormBody) {
  Harness h;
  h.transport.respond(200, kPublishResponse, {{"Content-Type", "text/xml"}});
  auto service = h.client("sns", "http://localhost:5000");
  SnsClient sns(service);
  PublishRequest req;
  req.topic_arn = kTopic;
  req.message = "disk>90%";  // no space: how form_encode spells one is url_test's business
  req.subject = "ALARM";
  req.attributes = {{"severity", "high"}};
  auto r = sns.publish(req);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), "567910cd-659e-55d4-8ccb-5aaf14679dc0");

  ASSERT_EQ(h.transport.requests.size(), 1u);
  const auto& sent = h.transport.requests[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://localhost:5000/");
  EXPECT_EQ(sent.body,
            "Action=Publish&Version=2010-03-31"
            "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"
            "&Message=disk%3E90%25&Subject=ALARM"
            "&MessageAttributes.entry.1.Name=severity"
            "&MessageAttributes.entry.1.Value.DataType=String"
            "&MessageAttributes.entry.1.Value.StringValue=high");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
              ::testing::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/sns/aws4_request, "));
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Target"), "");
  EXPECT_THAT(h.observer.responses, ElementsAre("sns Publish 200"));
}

TEST(SnsPublish, XmlNotFoundError) {
  Harness h;
  h.transport.respond(404,
                      "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
                      "  <Error>\n    <Type>Sender</Type>\n    <Code>NotFound</Code>\n"
                      "    <Message>Topic does not exist</Message>\n  </Error>\n"
                      "  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>\n</ErrorResponse>\n");
  auto service = h.client("sns", "http://localhost:5000");
  SnsClient sns(service);
  PublishRequest req;
  req.topic_arn = "arn:aws:sns:us-east-1:123456789012:missing";
  req.message = "m";
  auto r = sns.publish(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Api);
  EXPECT_EQ(r.error().code, "NotFound");
  EXPECT_EQ(r.error().message, "Topic does not exist");
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_EQ(r.error().service, "sns");
  EXPECT_EQ(r.error().operation, "Publish");
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(r.error().describe(), "sns Publish: NotFound (HTTP 404): Topic does not exist");
  EXPECT_EQ(h.transport.requests.size(), 1u);
}

TEST(SnsPublish, ThrottledThenPublished) {
  Harness h;
  h.transport
      .respond(400,
               "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
               "</Error></ErrorResponse>")
      .respond(200, kPublishResponse);
  auto service = h.client("sns", "http://localhost:5000");
  SnsClient sns(service);
  PublishRequest req;
  req.topic_arn = kTopic;
  req.message = "m";
  auto r = sns.publish(req);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), "567910cd-659e-55d4-8ccb-5aaf14679dc0");
  EXPECT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(h.transport.requests[0].body, h.transport.requests[1].body);
  EXPECT_THAT(h.observer.retries, ElementsAre("sns Publish"));
}

TEST(SnsPublish, NonXmlAnswerIsAProtocolError) {
  Harness h;
  h.transport.respond(200, "OK");
  auto service = h.client("sns", "http://localhost:5000");
  SnsClient sns(service);
  PublishRequest req;
  req.topic_arn = kTopic;
  req.message = "m";
  auto r = sns.publish(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Protocol);
  EXPECT_EQ(r.error().code, "MalformedResponse");
  EXPECT_EQ(r.error().message, "response is not XML: OK");
}

}  // namespace
}  // namespace bw::aws
