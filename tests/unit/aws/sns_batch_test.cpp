// SNS PublishBatch: the form parameters, how entries are split into calls (10 entries, 256 KiB), and
// the per-entry answer, successes and failures alike, against a scripted transport.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aws/sns.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr const char* kFifo = "arn:aws:sns:us-east-1:123456789012:alerts.fifo";

PublishRequest entry(std::string message, std::string subject = "") {
  PublishRequest r;
  r.message = std::move(message);
  r.subject = std::move(subject);
  return r;
}

TEST(PublishBatchParams, EachEntryWithItsOwnIdSubjectAttributesAndFifoFields) {
  auto first = entry("m1", "ALARM: a");
  first.attributes = {{"rule", "a"}};
  first.message_group_id = "a";
  first.deduplication_id = "key-1";
  auto second = entry("m2");
  second.message_group_id = "b";
  second.deduplication_id = "key-2";
  EXPECT_THAT(publish_batch_params(kFifo, {first, second}),
              ElementsAre(Pair("TopicArn", kFifo), Pair("PublishBatchRequestEntries.member.1.Id", "e1"),
                          Pair("PublishBatchRequestEntries.member.1.Message", "m1"),
                          Pair("PublishBatchRequestEntries.member.1.Subject", "ALARM: a"),
                          Pair("PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name", "rule"),
                          Pair("PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType", "String"),
                          Pair("PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue", "a"),
                          Pair("PublishBatchRequestEntries.member.1.MessageGroupId", "a"),
                          Pair("PublishBatchRequestEntries.member.1.MessageDeduplicationId", "key-1"),
                          Pair("PublishBatchRequestEntries.member.2.Id", "e2"),
                          Pair("PublishBatchRequestEntries.member.2.Message", "m2"),
                          Pair("PublishBatchRequestEntries.member.2.MessageGroupId", "b"),
                          Pair("PublishBatchRequestEntries.member.2.MessageDeduplicationId", "key-2")));
}

TEST(PublishBatchSizes, TenEntriesACallAndNeverMoreThan256KiB) {
  EXPECT_THAT(publish_batch_sizes(std::vector<PublishRequest>(25, entry("x"))), ElementsAre(10, 10, 5));
  EXPECT_THAT(publish_batch_sizes({}), ElementsAre());
  // 100 KB each: two fit in 256 KiB, a third does not; a message over the limit goes alone.
  const auto big = entry(std::string(100000, 'x'));
  EXPECT_THAT(publish_batch_sizes({big, big, big, entry("y")}), ElementsAre(2, 2));
  EXPECT_THAT(publish_batch_sizes({entry("y"), entry(std::string(300000, 'x')), entry("y")}), ElementsAre(1, 1, 1));
  // Attributes count: 262,100 bytes of message plus "rule", "String" and 40 bytes of value is over by 6.
  auto almost = entry(std::string(kMaxPublishBatchBytes - 44, 'x'));
  auto tiny = entry("");
  tiny.attributes = {{"rule", std::string(40, 'a')}};
  EXPECT_EQ(publish_payload_size(tiny), 4u + 6u + 40u);
  EXPECT_THAT(publish_batch_sizes({almost, tiny}), ElementsAre(1, 1));
}

constexpr const char* kPartial =
    "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishBatchResult>"
    "<Failed><member><Id>e2</Id><Code>InternalError</Code><Message>try again</Message>"
    "<SenderFault>false</SenderFault></member></Failed>"
    "<Successful><member><Id>e1</Id><MessageId>id-1</MessageId></member>"
    "<member><MessageId>id-3</MessageId><Id>e3</Id></member></Successful>"
    "</PublishBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishBatchResponse>";

TEST(PublishBatchResponse, OneResultPerEntryInRequestOrder) {
  auto r = parse_publish_batch_response(kPartial, 4);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& out = r.value();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].message_id, "id-1");
  EXPECT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].code, "InternalError");
  EXPECT_EQ(out[1].message, "try again");
  EXPECT_FALSE(out[1].sender_fault);
  EXPECT_EQ(out[2].message_id, "id-3");
  EXPECT_FALSE(out[3].ok());  // not in the answer: not delivered
  EXPECT_EQ(out[3].code, "NotInResponse");
}

TEST(PublishBatchResponse, NotXmlOrNoResultIsAProtocolError) {
  EXPECT_EQ(parse_publish_batch_response("OK", 1).error().message, "response is not XML: OK");
  EXPECT_EQ(parse_publish_batch_response("<PublishResponse/>", 1).error().code, "MalformedResponse");
}

TEST(SnsPublishBatch, SignedQueryCallCountedOnceWithItsOperation) {
  fake::Harness h;
  h.transport.respond(200, kPartial, {{"Content-Type", "text/xml"}});
  auto service = h.client("sns", "http://localhost:5000");
  SnsClient sns(service);
  auto r = sns.publish_batch("arn:aws:sns:us-east-1:123456789012:alerts", {entry("a"), entry("b"), entry("c")});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value()[1].code, "InternalError");
  ASSERT_EQ(h.transport.requests.size(), 1u);
  EXPECT_EQ(h.transport.requests[0].body,
            "Action=PublishBatch&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"
            "&PublishBatchRequestEntries.member.1.Id=e1&PublishBatchRequestEntries.member.1.Message=a"
            "&PublishBatchRequestEntries.member.2.Id=e2&PublishBatchRequestEntries.member.2.Message=b"
            "&PublishBatchRequestEntries.member.3.Id=e3&PublishBatchRequestEntries.member.3.Message=c");
  EXPECT_THAT(h.observer.responses, ElementsAre("sns PublishBatch 200"));
}

}  // namespace
}  // namespace bw::aws
