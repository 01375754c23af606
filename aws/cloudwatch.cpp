#include "aws/cloudwatch.hpp"

#include <unordered_map>

namespace bw::aws {
namespace {

Error protocol_error(std::string_view operation, std::string message) {
  return malformed_response("monitoring", operation, std::move(message));
}

nlohmann::json dimensions_json(const std::vector<MetricDimension>& dims, bool with_values) {
  auto out = nlohmann::json::array();
  for (const auto& d : dims) {
    nlohmann::json j{{"Name", d.name}};
    if (with_values && !d.value.empty()) j["Value"] = d.value;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

nlohmann::json get_metric_data_request(const MetricStatQuery* first, std::size_t count, Time start, Time end,
                                       const std::string& next_token) {
  auto queries = nlohmann::json::array();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& q = first[i];
    nlohmann::json metric{{"Namespace", q.ns}, {"MetricName", q.metric_name}};
    if (!q.dimensions.empty()) metric["Dimensions"] = dimensions_json(q.dimensions, true);
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
  if (!response.is_object()) return protocol_error("GetMetricData", "response is not a JSON object");
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < into.size(); ++i) index.emplace(into[i].id, i);
  auto results = response.find("MetricDataResults");
  if (results != response.end()) {
    if (!results->is_array()) return protocol_error("GetMetricData", "MetricDataResults is not a list");
    for (const auto& r : *results) {
      auto id = r.find("Id");
      if (id == r.end() || !id->is_string()) return protocol_error("GetMetricData", "a result has no Id");
      auto [it, inserted] = index.emplace(id->get<std::string>(), into.size());
      if (inserted) into.push_back(MetricDataResult{id->get<std::string>(), "", {}, {}});
      auto& out = into[it->second];
      if (auto s = r.find("StatusCode"); s != r.end() && s->is_string()) out.status_code = s->get<std::string>();
      auto ts = r.find("Timestamps");
      auto vs = r.find("Values");
      if (ts == r.end() || vs == r.end()) continue;
      if (!ts->is_array() || !vs->is_array() || ts->size() != vs->size())
        return protocol_error("GetMetricData", "Timestamps and Values differ in length for " + out.id);
      for (std::size_t i = 0; i < ts->size(); ++i) {
        const auto& t = (*ts)[i];
        const auto& v = (*vs)[i];
        if (!t.is_number() || !v.is_number()) return protocol_error("GetMetricData", "non-numeric datapoint in " + out.id);
        // JSON 1.0 timestamps are epoch seconds, possibly with a fraction.
        out.timestamps.push_back(static_cast<std::int64_t>(t.get<double>()));
        out.values.push_back(v.get<double>());
      }
    }
  }
  if (auto nt = response.find("NextToken"); nt != response.end() && nt->is_string()) return nt->get<std::string>();
  return std::string{};
}

Result<std::vector<MetricDataResult>> CloudWatchClient::get_metric_data(const std::vector<MetricStatQuery>& queries,
                                                                        Time start, Time end) {
  std::vector<MetricDataResult> results;
  results.reserve(queries.size());
  for (const auto& q : queries) results.push_back(MetricDataResult{q.id, "", {}, {}});
  for (std::size_t offset = 0; offset < queries.size(); offset += kMaxQueriesPerCall) {
    const std::size_t count = std::min(kMaxQueriesPerCall, queries.size() - offset);
    std::string token;
    do {
      auto body = get_metric_data_request(queries.data() + offset, count, start, end, token);
      auto resp = client_.call_json(kCloudWatchTarget, "GetMetricData", body, kJson10);
      if (!resp) return resp.error();
      auto next = parse_get_metric_data_response(resp.value(), results);
      if (!next) return next.error();
      token = next.value();
    } while (!token.empty());
  }
  return results;
}

Result<std::vector<MetricListing>> CloudWatchClient::list_metrics(const std::string& ns,
                                                                  const std::string& metric_name,
                                                                  const std::vector<MetricDimension>& filter) {
  std::vector<MetricListing> out;
  std::string token;
  do {
    nlohmann::json body{{"Namespace", ns}, {"MetricName", metric_name}};
    if (!filter.empty()) body["Dimensions"] = dimensions_json(filter, true);
    if (!token.empty()) body["NextToken"] = token;
    auto resp = client_.call_json(kCloudWatchTarget, "ListMetrics", body, kJson10);
    if (!resp) return resp.error();
    const auto& j = resp.value();
    if (auto metrics = j.find("Metrics"); metrics != j.end() && metrics->is_array()) {
      // json::value() throws on a non-object entry or a non-string field; a Result must come back instead.
      try {
        for (const auto& m : *metrics) {
          MetricListing l;
          l.ns = m.value("Namespace", ns);
          l.metric_name = m.value("MetricName", metric_name);
          if (auto dims = m.find("Dimensions"); dims != m.end() && dims->is_array())
            for (const auto& d : *dims) l.dimensions.push_back({d.value("Name", ""), d.value("Value", "")});
          out.push_back(std::move(l));
        }
      } catch (const nlohmann::json::exception& ex) {
        return protocol_error("ListMetrics", std::string("malformed Metrics entry: ") + ex.what());
      }
    }
    token = j.contains("NextToken") && j["NextToken"].is_string() ? j["NextToken"].get<std::string>() : "";
  } while (!token.empty());
  return out;
}

}  // namespace bw::aws
