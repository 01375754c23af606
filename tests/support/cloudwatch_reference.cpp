#include "tests/support/cloudwatch_reference.hpp"

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "aws/cloudwatch_scan.hpp"
#include "aws/error.hpp"

namespace bw::aws::reference {
namespace {

Error protocol_error(std::string message) {
  return malformed_response("monitoring", "GetMetricData", std::move(message));
}

}  // namespace

nlohmann::json get_metric_data_request(const MetricStatQuery* first, std::size_t count, Time start, Time end,
                                       const std::string& next_token) {
  auto queries = nlohmann::json::array();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& q = first[i];
    nlohmann::json metric{{"Namespace", q.ns}, {"MetricName", q.metric_name}};
    if (!q.dimensions.empty()) metric["Dimensions"] = dimensions_json(q.dimensions);
    queries.push_back({{"Id", q.id},
                       {"MetricStat", {{"Metric", std::move(metric)}, {"Period", q.period}, {"Stat", q.stat}}},
                       {"ReturnData", true}});
  }
  nlohmann::json body{{"MetricDataQueries", std::move(queries)},
                      {"StartTime", start.time_since_epoch().count()},
                      {"EndTime", end.time_since_epoch().count()},
                      {"ScanBy", "TimestampAscending"}};
  if (!next_token.empty()) body["NextToken"] = next_token;
  return body;
}

Result<std::string> parse_get_metric_data_response(const nlohmann::json& response,
                                                   std::vector<MetricDataResult>& into) {
  if (!response.is_object()) return protocol_error("response is not a JSON object");
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < into.size(); ++i) index.emplace(into[i].id, i);
  auto results = response.find("MetricDataResults");
  if (results != response.end()) {
    if (!results->is_array()) return protocol_error("MetricDataResults is not a list");
    for (const auto& r : *results) {
      auto id = r.find("Id");
      if (id == r.end() || !id->is_string()) return protocol_error("a result has no Id");
      auto [it, inserted] = index.emplace(id->get<std::string>(), into.size());
      if (inserted) into.push_back(MetricDataResult{id->get<std::string>(), "", {}, {}});
      auto& out = into[it->second];
      if (auto s = r.find("StatusCode"); s != r.end() && s->is_string()) out.status_code = s->get<std::string>();
      auto ts = r.find("Timestamps");
      auto vs = r.find("Values");
      if (ts == r.end() || vs == r.end()) continue;
      if (!ts->is_array() || !vs->is_array() || ts->size() != vs->size())
        return protocol_error("Timestamps and Values differ in length for " + out.id);
      for (std::size_t i = 0; i < ts->size(); ++i)
        if (!(*ts)[i].is_number() || !(*vs)[i].is_number())
          return protocol_error("non-numeric datapoint in " + out.id);
      for (std::size_t i = 0; i < ts->size(); ++i) {
        std::int64_t t;
        if (!epoch_seconds((*ts)[i].get<double>(), t)) return protocol_error("timestamp out of range in " + out.id);
        out.timestamps.push_back(t);
        out.values.push_back((*vs)[i].get<double>());
      }
    }
  }
  if (auto nt = response.find("NextToken"); nt != response.end() && nt->is_string()) return nt->get<std::string>();
  return std::string{};
}

}  // namespace bw::aws::reference
