#pragma once
// The plain way to speak GetMetricData, through a nlohmann JSON tree: the oracle the tests and
// benchmarks hold the program's direct body writer (get_metric_data_request_body) and its scanner and
// SAX parser (parse_get_metric_data_body) against. Test-only: the program never builds these trees.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/cloudwatch.hpp"

namespace bw::aws::reference {

// The request body as a JSON tree; get_metric_data_request_body must write exactly its dump().
nlohmann::json get_metric_data_request(const MetricStatQuery* first, std::size_t count, Time start, Time end,
                                       const std::string& next_token);

// Appends each result's points to the entry with the same id in `into` (creating it if needed);
// returns the NextToken ("" when the last page). Throws nothing: malformed input yields an Error,
// with the messages parse_get_metric_data_body gives.
Result<std::string> parse_get_metric_data_response(const nlohmann::json& response,
                                                   std::vector<MetricDataResult>& into);

}  // namespace bw::aws::reference
