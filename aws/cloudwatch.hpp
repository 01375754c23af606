#pragma once
// CloudWatch over the AWS JSON 1.0 protocol: GetMetricData (≤500 queries a call, NextToken paging),
// ListMetrics (paged) and PutMetricData (the agent's heartbeat).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"

namespace bw::aws {

inline constexpr std::size_t kMaxQueriesPerCall = 500;
inline constexpr std::string_view kCloudWatchTarget = "GraniteServiceVersion20100801";
inline constexpr std::string_view kJson10 = "application/x-amz-json-1.0";

struct MetricDimension {
  std::string name;
  std::string value;
};

struct MetricStatQuery {
  std::string id;  // [a-z][a-zA-Z0-9_]*, unique within a call
  std::string ns;
  std::string metric_name;
  std::vector<MetricDimension> dimensions;
  std::int64_t period = 60;  // seconds
  std::string stat;          // Average Sum Minimum Maximum SampleCount pNN
};

struct MetricDataResult {
  std::string id;
  std::string status_code;              // Complete PartialData InternalError Forbidden
  std::vector<std::int64_t> timestamps;  // epoch seconds, period starts
  std::vector<double> values;
};

struct MetricListing {
  std::string ns;
  std::string metric_name;
  std::vector<MetricDimension> dimensions;
};

// Pure halves of the protocol, tested without a network.
// A GetMetricData request body, written directly rather than through a JSON tree of up to 500
// queries: for valid UTF-8, the same text as nlohmann's dump() of that tree (keys sorted), which
// the tests check against a tree-built reference (tests/support/cloudwatch_reference.hpp).
std::string get_metric_data_request_body(const MetricStatQuery* first, std::size_t count, Time start, Time end,
                                         const std::string& next_token);
// A Dimensions list as the JSON 1.0 protocol spells it: [{"Name": .., "Value": ..}], Value left out when empty.
nlohmann::json dimensions_json(const std::vector<MetricDimension>& dims);
// Appends each result's points of a GetMetricData response body to the entry with the same id in
// `into` (creating it if needed); returns the NextToken ("" when the last page). Throws nothing:
// malformed input yields an Error. No DOM: a 500 x 201 page is ~2.7 MB of JSON and 100,500
// datapoints. A dedicated scanner (aws/cloudwatch_scan.hpp) reads well-formed pages; anything else
// goes through a SAX handler with the checks and messages of a DOM parse ("response is not JSON:
// <start of the body>" too), which the tests hold it against (tests/support/cloudwatch_reference.hpp).
Result<std::string> parse_get_metric_data_body(std::string_view body, std::vector<MetricDataResult>& into);
// Its general path on its own: a SAX parse that reads any body, well-formed or not (the scanner and this
// parse agree wherever the scanner answers; the fuzz target tests/fuzz/get_metric_data_fuzz.cpp checks it).
Result<std::string> parse_get_metric_data_body_sax(std::string_view body, std::vector<MetricDataResult>& into);

// A ListMetrics response: appends its Metrics to `out` (Namespace and MetricName default to the asked
// ones) and returns the NextToken ("" when the last page); a malformed entry is an Error.
Result<std::string> parse_list_metrics_response(const nlohmann::json& response, const std::string& ns,
                                                const std::string& metric_name, std::vector<MetricListing>& out);

// One value of PutMetricData, stamped by CloudWatch with the time it arrives (no Timestamp is sent:
// a heartbeat says "alive now", whatever time the cycle evaluated).
struct MetricDatum {
  std::string metric_name;
  std::vector<MetricDimension> dimensions;
  double value = 0;
  std::string unit = "Count";
};
// A PutMetricData request body (pure; tested on its own).
nlohmann::json put_metric_data_request(const std::string& ns, const std::vector<MetricDatum>& data);

class CloudWatchClient {
 public:
  explicit CloudWatchClient(ServiceClient& client) : client_(client) {}

  // One result per query, in query order; ceil(queries / 500) calls plus any NextToken pages.
  Result<std::vector<MetricDataResult>> get_metric_data(const std::vector<MetricStatQuery>& queries, Time start,
                                                        Time end);

  // Every metric of `ns`/`metric_name` that has all the named dimensions (values ignored when empty).
  Result<std::vector<MetricListing>> list_metrics(const std::string& ns, const std::string& metric_name,
                                                  const std::vector<MetricDimension>& dimension_filter);

  // One call (at most 1000 data, which the caller keeps to).
  Result<Unit> put_metric_data(const std::string& ns, const std::vector<MetricDatum>& data);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
