// ListMetrics response bodies, differentially: the scanner (aws/cloudwatch_scan.hpp) against the DOM parse
// list_metrics() falls back to (nlohmann::json::parse + parse_list_metrics_response). When the scanner answers
// it gives exactly the DOM parse's listings and NextToken; when it declines it leaves its outputs untouched.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/cloudwatch.hpp"
#include "aws/cloudwatch_scan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using bw::aws::MetricListing;
using bw::fuzz::property_failed;

bool same_listings(const std::vector<MetricListing>& a, const std::vector<MetricListing>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].ns != b[i].ns || a[i].metric_name != b[i].metric_name) return false;
    if (a[i].dimensions.size() != b[i].dimensions.size()) return false;
    for (std::size_t j = 0; j < a[i].dimensions.size(); ++j)
      if (a[i].dimensions[j].name != b[i].dimensions[j].name || a[i].dimensions[j].value != b[i].dimensions[j].value)
        return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = bw::fuzz::as_text(data, size);
  const std::string ns = "AWS/Bedrock", metric = "Invocations";
  const std::string untouched_token = "<untouched>";

  std::vector<MetricListing> scanned;
  std::string scanned_token = untouched_token;
  const bool answered = bw::aws::scan_list_metrics_body(body, ns, metric, scanned, scanned_token);

  // The DOM parse runs on every JSON body, as list_metrics() runs it on every body the scanner declines.
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::vector<MetricListing> general;
  std::optional<bw::aws::Result<std::string>> dom_token;
  if (!parsed.is_discarded()) dom_token = bw::aws::parse_list_metrics_response(parsed, ns, metric, general);

  if (!answered) {
    if (scanned_token != untouched_token || !scanned.empty()) property_failed("the scanner declined but changed its outputs");
    return 0;
  }
  if (!dom_token) property_failed("the scanner answered for a body that is not JSON");
  if (!*dom_token) property_failed("the scanner answered, the DOM parse failed: " + dom_token->error().message);
  if (dom_token->value() != scanned_token) property_failed("NextToken differs");
  if (!same_listings(scanned, general)) property_failed("listings differ");
  return 0;
}
