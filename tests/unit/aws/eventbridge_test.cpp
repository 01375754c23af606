// EventBridge PutEvents over AWS JSON 1.1: the request body, per-entry results, whole-call errors.
#include "aws/eventbridge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::Harness;
using ::testing::ElementsAre;
using ::testing::StartsWith;

PutEventsEntry entry(std::string detail = R"({"AlarmName":"cpu"})") {
  PutEventsEntry e;
  e.source = "batchwatch";
  e.detail_type = "Batchwatch Alarm State Change";
  e.detail = std::move(detail);
  e.event_bus_name = "ops";
  return e;
}

TEST(PutEventsRequest, EntriesWithOptionalFieldsOnlyWhenSet) {
  auto a = entry();
  auto b = entry("{}");
  b.event_bus_name.clear();
  b.resources = {"arn:aws:states:us-east-1:123456789012:stateMachine:x"};
  b.time = fake::at(fake::kT0);
  EXPECT_EQ(put_events_request({a, b}),
            nlohmann::json::parse(R"({"Entries":[
              {"Source":"batchwatch","DetailType":"Batchwatch Alarm State Change","Detail":"{\"AlarmName\":\"cpu\"}",
               "EventBusName":"ops"},
              {"Source":"batchwatch","DetailType":"Batchwatch Alarm State Change","Detail":"{}",
               "Resources":["arn:aws:states:us-east-1:123456789012:stateMachine:x"],"Time":1768471200}]})"));
}

TEST(PutEventsResponse, PerEntryResultsInOrder) {
  auto r = parse_put_events_response(nlohmann::json::parse(R"({"FailedEntryCount":1,"Entries":[
      {"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"},
      {"ErrorCode":"InternalFailure","ErrorMessage":"try again"}]})"),
                                     2);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->failed_entry_count, 1);
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_TRUE(r->entries[0].ok());
  EXPECT_EQ(r->entries[0].event_id, "11710aed-b79e-4468-a20b-bb3c0c3b4860");
  EXPECT_FALSE(r->entries[1].ok());
  EXPECT_EQ(r->entries[1].error_code, "InternalFailure");
  EXPECT_EQ(r->entries[1].error_message, "try again");
}

TEST(PutEventsResponse, MalformedAnswersAreProtocolErrors) {
  for (const char* body : {R"([])", R"({"FailedEntryCount":0})", R"({"Entries":[{"EventId":"a"},{"EventId":"b"}]})",
                           R"({"FailedEntryCount":"x","Entries":[{"EventId":"a"}]})", R"({"Entries":[3]})"}) {
    auto r = parse_put_events_response(nlohmann::json::parse(body), 1);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, Error::Kind::Protocol) << body;
    EXPECT_EQ(r.error().code, "MalformedResponse") << body;
  }
  // An entry with neither an id nor an error code did not get through.
  auto r = parse_put_events_response(nlohmann::json::parse(R"({"Entries":[{}]})"), 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries[0].error_code, "MissingEventId");
}

TEST(EventBridgePutEvents, SignedJson11Call) {
  Harness h;
  h.transport.respond(200, R"({"FailedEntryCount":0,"Entries":[{"EventId":"e-1"}]})",
                      {{"Content-Type", "application/x-amz-json-1.1"}});
  auto service = h.client("events", "http://localhost:5000");
  EventBridgeClient events(service);
  auto r = events.put_events({entry()});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->entries[0].event_id, "e-1");
  ASSERT_EQ(h.transport.requests.size(), 1u);
  const auto& sent = h.transport.requests[0];
  EXPECT_EQ(sent.url, "http://localhost:5000/");
  EXPECT_EQ(find_header(sent.headers, "X-Amz-Target"), "AWSEvents.PutEvents");
  EXPECT_EQ(find_header(sent.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
              StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/events/aws4_request, "));
  EXPECT_EQ(nlohmann::json::parse(sent.body), put_events_request({entry()}));
  EXPECT_THAT(h.observer.responses, ElementsAre("events PutEvents 200"));
}

TEST(EventBridgePutEvents, WholeCallErrorAndEntryCountChecks) {
  Harness h;
  h.transport.respond(400, R"({"__type":"ResourceNotFoundException","message":"Event bus ops does not exist."})");
  auto service = h.client("events", "http://localhost:5000");
  EventBridgeClient events(service);
  auto r = events.put_events({entry()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ResourceNotFoundException");
  EXPECT_EQ(r.error().describe(),
            "events PutEvents: ResourceNotFoundException (HTTP 400): Event bus ops does not exist.");

  EXPECT_EQ(events.put_events({}).error().code, "InvalidRequest");
  EXPECT_EQ(events.put_events(std::vector<PutEventsEntry>(11, entry())).error().code, "InvalidRequest");
  EXPECT_EQ(h.transport.requests.size(), 1u);  // nothing sent for the refused calls
}

}  // namespace
}  // namespace bw::aws
