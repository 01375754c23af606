// The ListMetrics page scanner against the DOM path (parse_list_metrics_response) on generated
// bodies, and everything it leaves to that path.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "aws/cloudwatch_scan.hpp"

namespace bw::aws {
namespace {

using nlohmann::json;

bool same_listings(const std::vector<MetricListing>& a, const std::vector<MetricListing>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].ns != b[i].ns || a[i].metric_name != b[i].metric_name || a[i].dimensions.size() != b[i].dimensions.size())
      return false;
    for (std::size_t d = 0; d < a[i].dimensions.size(); ++d)
      if (a[i].dimensions[d].name != b[i].dimensions[d].name || a[i].dimensions[d].value != b[i].dimensions[d].value)
        return false;
  }
  return true;
}

// A ListMetrics body with any key order, whitespace, escapes, optional fields, Dimensions that are not
// a list, unknown keys holding nested values, NextToken or not.
std::string list_metrics_body(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  static const char* kWs[] = {"", "", " ", "\n  ", "\t"};
  auto ws = [&] { return std::string(kWs[pick(5)]); };
  static const char* kStrings[] = {"AWS/Bedrock/Batch", "model-0001", "anthropic.claude-3-haiku-20240307-v1:0",
                                   "caf\\u00e9 \\\"q\\\" \\/ \\ud83d\\ude00", "caf\xc3\xa9", ""};
  auto str = [&] { return std::string("\"") + kStrings[pick(6)] + "\""; };
  auto object = [&](std::vector<std::string> members) {
    for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[static_cast<std::size_t>(pick(static_cast<int>(i)))]);
    std::string out = "{" + ws();
    for (std::size_t i = 0; i < members.size(); ++i) out += (i ? ws() + "," + ws() : "") + members[i];
    return out + ws() + "}";
  };
  std::vector<std::string> metrics;
  const int n = pick(6);
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> m;
    if (pick(4)) m.push_back("\"Namespace\"" + ws() + ":" + ws() + str());
    if (pick(4)) m.push_back("\"MetricName\":" + str());
    switch (pick(5)) {
      case 0: break;
      case 1: m.push_back("\"Dimensions\":null"); break;  // not a list: ignored
      case 2: m.push_back("\"Dimensions\":[]"); break;
      default: {
        std::string dims = "[";
        const int k = 1 + pick(3);
        for (int d = 0; d < k; ++d) {
          std::vector<std::string> dm;
          if (pick(5)) dm.push_back("\"Name\":" + str());
          if (pick(5)) dm.push_back("\"Value\":" + str());
          if (pick(4) == 0) dm.push_back("\"Extra\":{\"Name\":[1,2,{\"Value\":5}]}");
          dims += (d ? "," : "") + object(dm);
        }
        m.push_back("\"Dimensions\":" + ws() + dims + "]");
      }
    }
    if (pick(4) == 0) m.push_back("\"Unknown\":[true,false,null,-1.5E3,{\"Metrics\":[]}]");
    metrics.push_back(object(m));
  }
  std::vector<std::string> root;
  if (pick(6)) {
    std::string list = "[" + ws();
    for (std::size_t i = 0; i < metrics.size(); ++i) list += (i ? "," + ws() : "") + metrics[i];
    root.push_back("\"Metrics\":" + list + ws() + "]");
  }
  if (pick(2)) root.push_back(pick(4) ? "\"NextToken\":\"tok-" + std::to_string(pick(100)) + "\"" : "\"NextToken\":7");
  if (pick(3) == 0) root.push_back("\"OwningAccounts\":[\"123456789012\"]");
  return ws() + object(root) + ws();
}

TEST(ScanListMetricsBody, MatchesTheDomPathOnGeneratedBodies) {
  std::mt19937_64 rng(99);
  int listings = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string body = list_metrics_body(rng);
    json parsed;
    ASSERT_NO_THROW(parsed = json::parse(body)) << body;
    std::vector<MetricListing> dom{{"earlier", "page", {}}}, fast{{"earlier", "page", {}}};
    auto dom_token = parse_list_metrics_response(parsed, "NS", "Name", dom);
    ASSERT_TRUE(dom_token.ok()) << dom_token.error().describe() << "\n" << body;
    std::string token = "untouched";
    ASSERT_TRUE(scan_list_metrics_body(body, "NS", "Name", fast, token)) << "the fast path declined:\n" << body;
    ASSERT_TRUE(same_listings(dom, fast)) << body;
    ASSERT_EQ(token, dom_token.value()) << body;
    listings += static_cast<int>(fast.size()) - 1;
  }
  EXPECT_GT(listings, 5000);
}

TEST(ScanListMetricsBody, LeavesEverythingElseToTheDomPath) {
  const std::string cases[] = {
      "not json", "[]", R"({"Metrics":{}})", R"({"Metrics":[5]})", R"({"Metrics":[{"Namespace":5}]})",
      R"({"Metrics":[{"MetricName":null}]})", R"({"Metrics":[{"Dimensions":[7]}]})",
      R"({"Metrics":[{"Dimensions":[{"Name":1}]}]})", R"({"Metrics":[{"Namespace":"a","Namespace":"b"}]})",
      R"({"Metrics":[],"Metrics":[]})", R"({"NextToken":"a","NextToken":"b"})", R"({"Metrics":[]} x)",
      "\xEF\xBB\xBF{}", R"({"Metrics":[{"Namespace":"bad \q escape"}]})",
  };
  for (const auto& body : cases) {
    std::vector<MetricListing> out{{"earlier", "page", {}}};
    std::string token = "untouched";
    EXPECT_FALSE(scan_list_metrics_body(body, "NS", "Name", out, token)) << body;
    EXPECT_EQ(out.size(), 1u) << body;
    EXPECT_EQ(token, "untouched") << body;
  }
}

}  // namespace
}  // namespace bw::aws
