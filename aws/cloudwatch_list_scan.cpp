// The ListMetrics page scanner: reads the one shape a page has straight into listings.
#include <utility>

#include "aws/cloudwatch_scan.hpp"
#include "aws/json_reader.hpp"

namespace bw::aws {
namespace {

class ListMetricsScanner {
 public:
  ListMetricsScanner(std::string_view body, const std::string& ns, const std::string& metric_name)
      : json_(body), ns_(ns), metric_name_(metric_name) {}

  bool page(std::vector<MetricListing>& out, std::string& next_token) {
    bool seen_metrics = false, seen_token = false;
    return json_.document([&](std::string_view key) {
      if (key == "Metrics") {
        if (std::exchange(seen_metrics, true) || !json_.enter('[')) return false;
        return json_.elements([&] {
          if (!json_.enter('{')) return false;
          out.push_back(MetricListing{ns_, metric_name_, {}});
          return listing(out.back());
        });
      }
      if (key == "NextToken") return json_.next_token(seen_token, next_token);
      return json_.skip_value();
    });
  }

 private:
  // One entry of Metrics: Namespace and MetricName default to the asked ones; Dimensions that are not
  // a list are ignored.
  bool listing(MetricListing& l) {
    bool seen_ns = false, seen_name = false, seen_dims = false;
    return json_.members([&](std::string_view key) {
      if (key == "Namespace") return json_.string_member(seen_ns, l.ns);
      if (key == "MetricName") return json_.string_member(seen_name, l.metric_name);
      if (key == "Dimensions") {
        if (std::exchange(seen_dims, true)) return false;
        if (!json_.enter('[')) return json_.skip_value();
        return json_.elements([&] { return dimension(l.dimensions); });
      }
      return json_.skip_value();
    });
  }

  // A dimension: an object whose Name and Value default to "".
  bool dimension(std::vector<MetricDimension>& out) {
    if (!json_.enter('{')) return false;
    out.emplace_back();
    bool seen_name = false, seen_value = false;
    return json_.members([&](std::string_view key) {
      if (key == "Name") return json_.string_member(seen_name, out.back().name);
      if (key == "Value") return json_.string_member(seen_value, out.back().value);
      return json_.skip_value();
    });
  }

  JsonReader json_;
  const std::string& ns_;
  const std::string& metric_name_;
};

}  // namespace

bool scan_list_metrics_body(std::string_view body, const std::string& ns, const std::string& metric_name,
                            std::vector<MetricListing>& out, std::string& next_token) {
  std::vector<MetricListing> staged;
  std::string token;
  if (!ListMetricsScanner(body, ns, metric_name).page(staged, token)) return false;
  out.insert(out.end(), std::make_move_iterator(staged.begin()), std::make_move_iterator(staged.end()));
  next_token = std::move(token);
  return true;
}

}  // namespace bw::aws
