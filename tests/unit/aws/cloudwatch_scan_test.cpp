// The GetMetricData page scanner (fast path) against nlohmann's DOM parse + the reference
// parse_get_metric_data_response on generated bodies, and the bodies it leaves to the SAX path.
#include "aws/cloudwatch_scan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "scan_test_support.hpp"
#include "tests/support/cloudwatch_reference.hpp"

namespace bw::aws {
namespace {

using nlohmann::json;
using scan_test::BodyGenerator;
using scan_test::same_results;

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

}  // namespace
}  // namespace bw::aws
