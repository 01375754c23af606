// CloudWatch over JSON 1.0: the pure request/response halves, then the client's batching and paging
// against a scripted transport.
#include "aws/cloudwatch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fake_transport.hpp"
#include "tests/support/cloudwatch_reference.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::Harness;
using nlohmann::json;
using ::testing::ElementsAre;

constexpr std::int64_t kStart = 1768471200;  // 2026-01-15T10:00:00Z
constexpr std::int64_t kEnd = 1768474800;    // 2026-01-15T11:00:00Z

MetricStatQuery query(std::string id, std::string metric = "CPUUtilization") {
  MetricStatQuery q;
  q.id = std::move(id);
  q.ns = "AWS/EC2";
  q.metric_name = std::move(metric);
  q.dimensions = {{"InstanceId", "i-0abc"}};
  q.period = 300;
  q.stat = "Average";
  return q;
}

json body_of(const HttpRequest& r) { return json::parse(r.body); }

// ---- get_metric_data_request ----

TEST(GetMetricDataRequest, JsonShape) {
  std::vector<MetricStatQuery> qs{query("cpu"), query("q_2", "NetworkIn")};
  qs[1].ns = "Custom/Batch";
  qs[1].dimensions = {{"Queue", "jobs"}, {"Env", "prod"}};
  qs[1].period = 60;
  qs[1].stat = "p99";
  const json got = reference::get_metric_data_request(qs.data(), qs.size(), at(kStart), at(kEnd), "");
  const json expected = json::parse(R"({
    "MetricDataQueries": [
      {"Id": "cpu",
       "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                                 "Dimensions": [{"Name": "InstanceId", "Value": "i-0abc"}]},
                      "Period": 300, "Stat": "Average"},
       "ReturnData": true},
      {"Id": "q_2",
       "MetricStat": {"Metric": {"Namespace": "Custom/Batch", "MetricName": "NetworkIn",
                                 "Dimensions": [{"Name": "Queue", "Value": "jobs"}, {"Name": "Env", "Value": "prod"}]},
                      "Period": 60, "Stat": "p99"},
       "ReturnData": true}
    ],
    "StartTime": 1768471200,
    "EndTime": 1768474800,
    "ScanBy": "TimestampAscending"
  })");
  EXPECT_EQ(got, expected) << got.dump(2);
  EXPECT_FALSE(got.contains("NextToken"));
  EXPECT_TRUE(got["StartTime"].is_number_integer());
}

TEST(GetMetricDataRequest, NoDimensionsKeyWhenNone) {
  MetricStatQuery q = query("m1");
  q.dimensions.clear();
  const json got = reference::get_metric_data_request(&q, 1, at(kStart), at(kEnd), "");
  EXPECT_EQ(got["MetricDataQueries"][0]["MetricStat"]["Metric"],
            json::parse(R"({"Namespace":"AWS/EC2","MetricName":"CPUUtilization"})"));
}

TEST(GetMetricDataRequest, NextTokenOnlyWhenSet) {
  MetricStatQuery q = query("m1");
  const json got = reference::get_metric_data_request(&q, 1, at(kStart), at(kEnd), "tok-2");
  EXPECT_EQ(got["NextToken"], "tok-2");
}

TEST(GetMetricDataRequest, CountLimitsTheQueries) {
  std::vector<MetricStatQuery> qs{query("a"), query("b"), query("c")};
  const json got = reference::get_metric_data_request(qs.data() + 1, 2, at(kStart), at(kEnd), "");
  ASSERT_EQ(got["MetricDataQueries"].size(), 2u);
  EXPECT_EQ(got["MetricDataQueries"][0]["Id"], "b");
  EXPECT_EQ(got["MetricDataQueries"][1]["Id"], "c");
}

TEST(GetMetricDataRequestBody, IsTheDumpOfTheJsonRequestByteForByte) {
  std::vector<MetricStatQuery> qs{query("cpu"), query("q_2", "NetworkIn"), query("m3")};
  qs[1].ns = "Custom/Batch \"quoted\" \\ back";
  qs[1].dimensions = {{"Queue", "jobs\nwith\tcontrol\x01\x1f\b\f\r"}, {"Env", ""}, {"caf\xc3\xa9", "\xe2\x98\x83 \x7f"}};
  qs[1].period = 86400;
  qs[1].stat = "p99.9";
  qs[2].dimensions.clear();
  for (const std::string token : {"", "tok/+==\"x"}) {
    for (std::size_t n : {0u, 1u, 3u}) {
      const auto body = get_metric_data_request_body(qs.data(), n, at(kStart), at(kEnd), token);
      EXPECT_EQ(body, reference::get_metric_data_request(qs.data(), n, at(kStart), at(kEnd), token).dump()) << body;
    }
  }
}

TEST(GetMetricDataRequestBody, FiveHundredQueries) {
  std::vector<MetricStatQuery> qs;
  for (int i = 0; i < 500; ++i) qs.push_back(query("q" + std::to_string(i), "NumberOfRecordsPendingProcessing"));
  EXPECT_EQ(get_metric_data_request_body(qs.data(), qs.size(), at(kStart), at(kEnd), ""),
            reference::get_metric_data_request(qs.data(), qs.size(), at(kStart), at(kEnd), "").dump());
}

// ---- parse_get_metric_data_response ----

TEST(ParseGetMetricDataResponse, AppendsByIdAndReturnsToken) {
  std::vector<MetricDataResult> into{{"a", "", {}, {}}, {"b", "", {}, {}}};
  auto r = reference::parse_get_metric_data_response(json::parse(R"({
      "MetricDataResults": [
        {"Id": "b", "StatusCode": "Complete", "Timestamps": [1768471200, 1768471500.0], "Values": [1.5, 2]},
        {"Id": "a", "StatusCode": "PartialData", "Timestamps": [], "Values": []}
      ],
      "NextToken": "next-1"})"),
                                          into);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value(), "next-1");
  ASSERT_EQ(into.size(), 2u);
  EXPECT_EQ(into[0].status_code, "PartialData");
  EXPECT_TRUE(into[0].timestamps.empty());
  EXPECT_EQ(into[1].status_code, "Complete");
  EXPECT_THAT(into[1].timestamps, ElementsAre(1768471200, 1768471500));
  EXPECT_THAT(into[1].values, ElementsAre(1.5, 2.0));
}

TEST(ParseGetMetricDataResponse, UnknownIdIsAddedAndNoTokenIsEmpty) {
  std::vector<MetricDataResult> into;
  auto r = reference::parse_get_metric_data_response(
      json::parse(R"({"MetricDataResults":[{"Id":"x","StatusCode":"Complete","Timestamps":[60],"Values":[7]}]})"), into);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "");
  ASSERT_EQ(into.size(), 1u);
  EXPECT_EQ(into[0].id, "x");
  EXPECT_THAT(into[0].values, ElementsAre(7.0));
}

TEST(ParseGetMetricDataResponse, MalformedInputIsAProtocolError) {
  const char* bad[] = {
      R"([1,2])",
      R"({"MetricDataResults": {"Id": "a"}})",
      R"({"MetricDataResults": [{"StatusCode": "Complete"}]})",
      R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60, 120], "Values": [1]}]})",
      R"({"MetricDataResults": [{"Id": "a", "Timestamps": ["60"], "Values": [1]}]})",
      R"({"MetricDataResults": [{"Id": "a", "Timestamps": 60, "Values": 1}]})",
  };
  for (const char* text : bad) {
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    auto r = reference::parse_get_metric_data_response(json::parse(text), into);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().kind, Error::Kind::Protocol) << text;
    EXPECT_EQ(r.error().code, "MalformedResponse") << text;
    EXPECT_EQ(r.error().service, "monitoring") << text;
    EXPECT_EQ(r.error().operation, "GetMetricData") << text;
  }
}

// ---- CloudWatchClient::get_metric_data ----

// Answers a GetMetricData call with one point per query it carries: timestamp kStart, value = numeric suffix of
// the id ("m1200" -> 1200).
HttpResponse echo_ids(const HttpRequest& req) {
  const json body = json::parse(req.body);
  json results = json::array();
  for (const auto& q : body["MetricDataQueries"]) {
    const std::string id = q["Id"];
    results.push_back({{"Id", id},
                       {"Label", q["MetricStat"]["Metric"]["MetricName"]},
                       {"StatusCode", "Complete"},
                       {"Timestamps", {kStart}},
                       {"Values", {std::stod(id.substr(1))}}});
  }
  HttpResponse r;
  r.status = 200;
  r.body = json{{"MetricDataResults", results}, {"Messages", json::array()}}.dump();
  return r;
}

TEST(CloudWatchGetMetricData, BatchesOf500) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.transport.respond_with(echo_ids);
  auto service = h.client();
  CloudWatchClient cw(service);
  std::vector<MetricStatQuery> qs;
  for (int i = 0; i < 1201; ++i) qs.push_back(query("m" + std::to_string(i)));

  auto r = cw.get_metric_data(qs, at(kStart), at(kEnd));
  ASSERT_TRUE(r.ok()) << r.error().describe();

  ASSERT_EQ(h.transport.requests.size(), 3u);
  const std::size_t sizes[] = {500, 500, 201};
  const char* first_ids[] = {"m0", "m500", "m1000"};
  const char* last_ids[] = {"m499", "m999", "m1200"};
  for (std::size_t i = 0; i < 3; ++i) {
    const json body = body_of(h.transport.requests[i]);
    ASSERT_EQ(body["MetricDataQueries"].size(), sizes[i]) << i;
    EXPECT_EQ(body["MetricDataQueries"].front()["Id"], first_ids[i]);
    EXPECT_EQ(body["MetricDataQueries"].back()["Id"], last_ids[i]);
    EXPECT_EQ(body["StartTime"], kStart);
    EXPECT_EQ(body["EndTime"], kEnd);
    EXPECT_FALSE(body.contains("NextToken"));
    EXPECT_EQ(find_header(h.transport.requests[i].headers, "X-Amz-Target"),
              "GraniteServiceVersion20100801.GetMetricData");
  }

  const auto& results = r.value();
  ASSERT_EQ(results.size(), 1201u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_EQ(results[i].id, "m" + std::to_string(i));
    ASSERT_EQ(results[i].status_code, "Complete");
    ASSERT_EQ(results[i].timestamps, std::vector<std::int64_t>{kStart});
    ASSERT_EQ(results[i].values, std::vector<double>{static_cast<double>(i)});
  }
}

TEST(CloudWatchGetMetricData, EmptyQueriesMakeNoCall) {
  Harness h;
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.get_metric_data({}, at(kStart), at(kEnd));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_TRUE(h.transport.requests.empty());
}

TEST(CloudWatchGetMetricData, FollowsNextToken) {
  Harness h;
  h.transport
      .respond(200, R"({"MetricDataResults":[
          {"Id":"a","StatusCode":"PartialData","Timestamps":[1768471200,1768471500],"Values":[1,2]},
          {"Id":"b","StatusCode":"PartialData","Timestamps":[1768471200],"Values":[10]}],
        "NextToken":"page-2 token/=="})")
      .respond(200, R"({"MetricDataResults":[
          {"Id":"a","StatusCode":"Complete","Timestamps":[1768471800],"Values":[3]},
          {"Id":"b","StatusCode":"Complete","Timestamps":[1768471500,1768471800],"Values":[20,30]}]})");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.get_metric_data({query("a"), query("b")}, at(kStart), at(kEnd));
  ASSERT_TRUE(r.ok()) << r.error().describe();

  ASSERT_EQ(h.transport.requests.size(), 2u);
  const json first = body_of(h.transport.requests[0]);
  const json second = body_of(h.transport.requests[1]);
  EXPECT_FALSE(first.contains("NextToken"));
  EXPECT_EQ(second["NextToken"], "page-2 token/==");
  EXPECT_EQ(second["MetricDataQueries"], first["MetricDataQueries"]);  // the same queries, next page

  ASSERT_EQ(r->size(), 2u);
  const auto& a = r.value()[0];
  const auto& b = r.value()[1];
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.status_code, "Complete");
  EXPECT_THAT(a.timestamps, ElementsAre(1768471200, 1768471500, 1768471800));
  EXPECT_THAT(a.values, ElementsAre(1.0, 2.0, 3.0));
  EXPECT_EQ(b.id, "b");
  EXPECT_THAT(b.timestamps, ElementsAre(1768471200, 1768471500, 1768471800));
  EXPECT_THAT(b.values, ElementsAre(10.0, 20.0, 30.0));
}

TEST(CloudWatchGetMetricData, ResultsInQueryOrderAndStatusKept) {
  Harness h;
  h.transport.respond(200, R"({"MetricDataResults":[
      {"Id":"c","StatusCode":"Complete","Timestamps":[1768471200],"Values":[3]},
      {"Id":"a","StatusCode":"Forbidden"},
      {"Id":"b","StatusCode":"InternalError","Timestamps":[],"Values":[]}]})");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.get_metric_data({query("a"), query("b"), query("c"), query("d")}, at(kStart), at(kEnd));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ(r.value()[0].id, "a");
  EXPECT_EQ(r.value()[0].status_code, "Forbidden");
  EXPECT_TRUE(r.value()[0].values.empty());
  EXPECT_EQ(r.value()[1].id, "b");
  EXPECT_EQ(r.value()[1].status_code, "InternalError");
  EXPECT_EQ(r.value()[2].id, "c");
  EXPECT_EQ(r.value()[2].status_code, "Complete");
  EXPECT_THAT(r.value()[2].values, ElementsAre(3.0));
  EXPECT_EQ(r.value()[3].id, "d");  // not in the answer: present, empty, no status
  EXPECT_EQ(r.value()[3].status_code, "");
  EXPECT_TRUE(r.value()[3].timestamps.empty());
}

TEST(CloudWatchGetMetricData, MismatchedLengthsAreAProtocolError) {
  Harness h;
  h.transport.respond(200, R"({"MetricDataResults":[
      {"Id":"a","StatusCode":"Complete","Timestamps":[1768471200,1768471500],"Values":[1]}]})");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.get_metric_data({query("a")}, at(kStart), at(kEnd));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Protocol);
  EXPECT_EQ(r.error().code, "MalformedResponse");
  EXPECT_EQ(r.error().message, "Timestamps and Values differ in length for a");
  EXPECT_EQ(h.transport.requests.size(), 1u);
}

TEST(CloudWatchGetMetricData, ApiErrorStopsTheBatches) {
  Harness h;
  h.transport.respond_with(echo_ids).respond(
      400, R"({"__type":"com.amazonaws.cloudwatch#InvalidParameterValue","message":"bad stat"})");
  auto service = h.client();
  CloudWatchClient cw(service);
  std::vector<MetricStatQuery> qs;
  for (int i = 0; i < 1100; ++i) qs.push_back(query("m" + std::to_string(i)));
  auto r = cw.get_metric_data(qs, at(kStart), at(kEnd));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidParameterValue");
  EXPECT_EQ(h.transport.requests.size(), 2u);  // no third batch after the failure
}

// ---- CloudWatchClient::list_metrics ----

TEST(CloudWatchListMetrics, PagesAndFilters) {
  Harness h;
  h.transport
      .respond(200, R"({"Metrics":[
          {"Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible",
           "Dimensions":[{"Name":"QueueName","Value":"jobs"}]}],
        "NextToken":"lm-2"})")
      .respond(200, R"({"Metrics":[
          {"Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible",
           "Dimensions":[{"Name":"QueueName","Value":"jobs-dlq"},{"Name":"Env","Value":"prod"}]}]})");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.list_metrics("AWS/SQS", "ApproximateNumberOfMessagesVisible", {{"QueueName", ""}, {"Env", "prod"}});
  ASSERT_TRUE(r.ok()) << r.error().describe();

  ASSERT_EQ(h.transport.requests.size(), 2u);
  EXPECT_EQ(find_header(h.transport.requests[0].headers, "X-Amz-Target"), "GraniteServiceVersion20100801.ListMetrics");
  EXPECT_EQ(find_header(h.transport.requests[0].headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(body_of(h.transport.requests[0]), json::parse(R"({
      "Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible",
      "Dimensions":[{"Name":"QueueName"},{"Name":"Env","Value":"prod"}]})"));
  EXPECT_EQ(body_of(h.transport.requests[1]), json::parse(R"({
      "Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible",
      "Dimensions":[{"Name":"QueueName"},{"Name":"Env","Value":"prod"}],
      "NextToken":"lm-2"})"));

  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r.value()[0].ns, "AWS/SQS");
  EXPECT_EQ(r.value()[0].metric_name, "ApproximateNumberOfMessagesVisible");
  ASSERT_EQ(r.value()[0].dimensions.size(), 1u);
  EXPECT_EQ(r.value()[0].dimensions[0].name, "QueueName");
  EXPECT_EQ(r.value()[0].dimensions[0].value, "jobs");
  ASSERT_EQ(r.value()[1].dimensions.size(), 2u);
  EXPECT_EQ(r.value()[1].dimensions[0].value, "jobs-dlq");
  EXPECT_EQ(r.value()[1].dimensions[1].name, "Env");
  EXPECT_EQ(r.value()[1].dimensions[1].value, "prod");
}

TEST(CloudWatchListMetrics, NoFilterNoDimensionsKey) {
  Harness h;
  h.transport.respond(200, R"({"Metrics":[]})");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.list_metrics("AWS/EC2", "CPUUtilization", {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(body_of(h.transport.requests.at(0)), json::parse(R"({"Namespace":"AWS/EC2","MetricName":"CPUUtilization"})"));
}

TEST(CloudWatchListMetrics, MalformedJsonIsAProtocolError) {
  Harness h;
  h.transport.respond(200, "not json");
  auto service = h.client();
  CloudWatchClient cw(service);
  auto r = cw.list_metrics("AWS/EC2", "CPUUtilization", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::Protocol);
  EXPECT_EQ(r.error().operation, "ListMetrics");
}

// "Every AWS call returns Result<T>, never throws" (aws/error.hpp): odd entries in a ListMetrics answer must come
// back as a Protocol error, not as a nlohmann::json exception out of the agent's discovery.
TEST(CloudWatchListMetrics, MalformedEntriesAreAProtocolErrorNotAnException) {
  const char* bad[] = {
      R"({"Metrics":[null]})",
      R"({"Metrics":[{"Namespace":"AWS/EC2","MetricName":7}]})",
      R"({"Metrics":[{"Namespace":"AWS/EC2","MetricName":"CPUUtilization","Dimensions":[{"Name":"InstanceId","Value":null}]}]})",
      R"({"Metrics":[{"Namespace":"AWS/EC2","MetricName":"CPUUtilization","Dimensions":["InstanceId"]}]})",
  };
  for (const char* text : bad) {
    Harness h;
    h.transport.respond(200, text);
    auto service = h.client();
    CloudWatchClient cw(service);
    std::optional<Result<std::vector<MetricListing>>> r;
    ASSERT_NO_THROW(r.emplace(cw.list_metrics("AWS/EC2", "CPUUtilization", {}))) << text;
    ASSERT_FALSE(r->ok()) << text;
    EXPECT_EQ(r->error().kind, Error::Kind::Protocol) << text;
    EXPECT_EQ(r->error().code, "MalformedResponse") << text;
    EXPECT_EQ(r->error().service, "monitoring") << text;
    EXPECT_EQ(r->error().operation, "ListMetrics") << text;
  }
}

}  // namespace
}  // namespace bw::aws
