#pragma once
// The fast paths of CloudWatch's response parsing: a validating scanner for the one shape a
// GetMetricData (aws/cloudwatch_scan.cpp) or ListMetrics (aws/cloudwatch_list_scan.cpp) response has,
// on a JsonReader (aws/json_reader.hpp) that converts numbers exactly (aws/json_number.hpp) instead of
// a general JSON lexer and strtod, and builds no JSON tree. Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/cloudwatch.hpp"

namespace bw::aws {

// When `body` is valid JSON, every result in it is well formed (a string Id; Timestamps and Values
// lists of numbers of equal length, or not both present) and nothing in it is unusual, appends each
// result's points to `into` exactly as parse_get_metric_data_body does, stores the NextToken ("" when
// none) in `next_token` and returns true.
//
// Returns false, with `into` and `next_token` untouched, for everything else: invalid JSON, a malformed
// result, and valid but unusual input the scanner leaves to the general parser (a byte-order mark, a
// key that appears twice in one object, a number it does not convert exactly, nesting deeper than 64).
// The caller then runs the general parser, which gives the result or the error message.
bool scan_get_metric_data_body(std::string_view body, std::vector<MetricDataResult>& into, std::string& next_token);

// The same for a ListMetrics body: when it is valid JSON, an object whose Metrics (if any) is a list
// of objects with string Namespace/MetricName (defaulting to `ns`/`metric_name`) and Dimensions either
// not a list (ignored) or a list of objects with string Name/Value (defaulting to ""), appends the
// listings to `out` as parse_list_metrics_response does, stores the NextToken and returns true.
// Otherwise false, with `out` and `next_token` untouched.
bool scan_list_metrics_body(std::string_view body, const std::string& ns, const std::string& metric_name,
                            std::vector<MetricListing>& out, std::string& next_token);

// A JSON 1.0 timestamp (epoch seconds, possibly with a fraction, which is dropped) as whole seconds.
// False when it does not fit an int64 (the conversion would be undefined): every parser reports that.
inline bool epoch_seconds(double t, std::int64_t& out) {
  if (!(t >= -0x1p63 && t < 0x1p63)) return false;
  out = static_cast<std::int64_t>(t);
  return true;
}

}  // namespace bw::aws
