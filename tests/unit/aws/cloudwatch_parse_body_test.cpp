// parse_get_metric_data_body on malformed bodies: every one gives the error message the SAX path
// always gave, and valid escapes and UTF-8 are taken by the scanner as by the DOM.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "aws/cloudwatch_scan.hpp"
#include "scan_test_support.hpp"
#include "tests/support/cloudwatch_reference.hpp"

namespace bw::aws {
namespace {

using nlohmann::json;
using scan_test::same_results;

struct Malformed {
  std::string body;
  std::string message;
};

TEST(ParseGetMetricDataBody, MalformedBodiesKeepTheirErrors) {
  const Malformed cases[] = {
      {"not json", "response is not JSON: not json"},
      {"", "response is not JSON: "},
      {"{\"MetricDataResults\": [", "response is not JSON: {\"MetricDataResults\": ["},
      {"{} x", "response is not JSON: {} x"},
      {"[1,2]", "response is not a JSON object"},
      {"\"text\"", "response is not a JSON object"},
      {R"({"MetricDataResults": {"Id": "a"}})", "MetricDataResults is not a list"},
      {R"({"MetricDataResults": 5})", "MetricDataResults is not a list"},
      {R"({"MetricDataResults": [{"StatusCode": "Complete"}]})", "a result has no Id"},
      {R"({"MetricDataResults": [{"Id": 5, "Timestamps": [], "Values": []}]})", "a result has no Id"},
      {R"({"MetricDataResults": [7]})", "a result has no Id"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60, 120], "Values": [1]}]})",
       "Timestamps and Values differ in length for a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": 60, "Values": 1}]})",
       "Timestamps and Values differ in length for a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": ["60"], "Values": [1]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60], "Values": [null]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [60], "Values": [[1]]}]})", "non-numeric datapoint in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [1e300], "Values": [1]}]})",
       "timestamp out of range in a"},
      {R"({"MetricDataResults": [{"Id": "a", "Timestamps": [-1e19], "Values": [1]}]})",
       "timestamp out of range in a"},
  };
  for (const auto& c : cases) {
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    std::string token = "unchanged";
    EXPECT_FALSE(scan_get_metric_data_body(c.body, into, token)) << c.body;
    auto r = parse_get_metric_data_body(c.body, into);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().kind, Error::Kind::Protocol) << c.body;
    EXPECT_EQ(r.error().code, "MalformedResponse") << c.body;
    EXPECT_EQ(r.error().operation, "GetMetricData") << c.body;
    EXPECT_EQ(r.error().message, c.message) << c.body;
    // the DOM path agrees wherever the body is JSON
    if (json::accept(c.body)) {
      std::vector<MetricDataResult> dom{{"a", "", {}, {}}};
      auto d = reference::parse_get_metric_data_response(json::parse(c.body), dom);
      ASSERT_FALSE(d.ok()) << c.body;
      EXPECT_EQ(d.error().message, c.message) << c.body;
    }
  }
}

TEST(ParseGetMetricDataBody, InvalidJsonAnywhereIsNotJson) {
  // Each is one defect in an otherwise good page, in a part the parser skips or in one it reads.
  const std::string good_prefix = R"({"MetricDataResults":[{"Id":"a","Timestamps":[60],"Values":[1]}],)";
  const std::string defects[] = {
      R"("Label":"bad escape \q"})",
      R"("Label":"lone surrogate \ud800"})",
      R"("Label":"low surrogate first \udc00\ud800"})",
      R"("Label":"short \u12"})",
      "\"Label\":\"control \x01 char\"}",
      "\"Label\":\"bad UTF-8 \xC0\xAF\"}",
      "\"Label\":\"surrogate in UTF-8 \xED\xA0\x80\"}",
      "\"Label\":\"truncated UTF-8 \xE2\x98\"}",
      "\"Label\":\"above U+10FFFF \xF4\x90\x80\x80\"}",
      R"("Extra":1e999})",
      R"("Extra":01})",
      R"("Extra":[1,]})",
      R"("Extra":{"a":1,}})",
      R"("Extra":tru})",
      R"("Extra":NaN})",
      R"("Extra":{"a" 1}})",
      R"("Extra":1} // comment)",
      R"("Extra":"unterminated})",
  };
  for (const auto& d : defects) {
    const std::string body = good_prefix + d;
    ASSERT_FALSE(json::accept(body)) << body;
    std::vector<MetricDataResult> into{{"a", "", {}, {}}};
    std::string token;
    EXPECT_FALSE(scan_get_metric_data_body(body, into, token)) << body;
    auto r = parse_get_metric_data_body(body, into);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().message.rfind("response is not JSON: ", 0), 0u) << r.error().message;
  }
}

TEST(ParseGetMetricDataBody, ValidEscapesAndUtf8AreAccepted) {
  // The counterpart of the defects above: every escape form, and UTF-8 at the edges of each range.
  const std::string body =
      "{\"MetricDataResults\":[{\"Id\":\"a\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\","
      "\"Label\":\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF \x7F\","
      "\"Timestamps\":[60],\"Values\":[1]}]}";
  ASSERT_TRUE(json::accept(body));
  std::vector<MetricDataResult> fast, dom;
  std::string token;
  ASSERT_TRUE(scan_get_metric_data_body(body, fast, token));
  ASSERT_TRUE(reference::parse_get_metric_data_response(json::parse(body), dom).ok());
  EXPECT_TRUE(same_results(dom, fast));
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0].id, std::string("a\xC3\xA9\xF0\x9F\x98\x80\"\\/\b\f\n\r\t", 15) + std::string(1, '\0'));
}

}  // namespace
}  // namespace bw::aws
