// GetMetricData response bodies, differentially: the scanner (aws/cloudwatch_scan.hpp) against the SAX parse it
// falls back to. The scanner's contract: when it answers (true) it gives exactly the SAX parse's results and
// NextToken, bit for bit; when it declines (false) it leaves its outputs untouched, whatever the SAX parse then
// says. Each input is read as a first page (no results yet) and as a later page (results already collected).
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "aws/cloudwatch_scan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using bw::aws::MetricDataResult;
using bw::fuzz::property_failed;

// "" when equal down to the bit pattern of every value (-0.0 and +0.0 differ), else what differs.
std::string difference(const std::vector<MetricDataResult>& a, const std::vector<MetricDataResult>& b) {
  if (a.size() != b.size()) return "result counts differ";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].status_code != b[i].status_code) return "id or status differs at " + std::to_string(i);
    if (a[i].timestamps != b[i].timestamps) return "timestamps differ for " + a[i].id;
    if (a[i].values.size() != b[i].values.size()) return "value counts differ for " + a[i].id;
    for (std::size_t j = 0; j < a[i].values.size(); ++j)
      if (std::bit_cast<std::uint64_t>(a[i].values[j]) != std::bit_cast<std::uint64_t>(b[i].values[j]))
        return "value " + std::to_string(j) + " differs for " + a[i].id;
  }
  return "";
}

void check_agreement(std::string_view body, const std::vector<MetricDataResult>& before) {
  const std::string untouched_token = "<untouched>";
  std::vector<MetricDataResult> scanned = before;
  std::string scanned_token = untouched_token;
  const bool answered = bw::aws::scan_get_metric_data_body(body, scanned, scanned_token);

  std::vector<MetricDataResult> general = before;
  const auto sax_token = bw::aws::parse_get_metric_data_body_sax(body, general);

  if (!answered) {
    if (scanned_token != untouched_token || !difference(scanned, before).empty())
      property_failed("the scanner declined but changed its outputs");
    return;
  }
  if (!sax_token) property_failed("the scanner answered, the SAX parse failed: " + sax_token.error().message);
  if (sax_token.value() != scanned_token) property_failed("NextToken differs");
  if (const auto d = difference(scanned, general); !d.empty()) property_failed(d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = bw::fuzz::as_text(data, size);
  check_agreement(body, {});
  // A later page: every query's id is there (as get_metric_data() seeds them), one with points already.
  check_agreement(body, {MetricDataResult{"a", "PartialData", {60}, {1.5}}, MetricDataResult{"m1", "", {}, {}}});
  return 0;
}
