#pragma once
// Where datapoints come from: CloudWatch (the daemon) or a replay file (demo, backtest).
#include <string>
#include <vector>

#include "aws/cloudwatch.hpp"
#include "aws/error.hpp"
#include "config/config.hpp"
#include "rules/series.hpp"

namespace bw::agent {

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // For each key, its datapoints in [start, end), sorted by period start.
  virtual aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                            Time end) = 0;
  // The concrete dimension sets of `metric` (wildcards expanded), each sorted by name. Only series
  // whose dimension names are exactly the rule's are returned: CloudWatch treats any other set as
  // a different metric.
  virtual aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) = 0;
};

// Fills in the wildcard dimensions of `metric` from the listings; pure (shared by every source).
std::vector<std::vector<Dimension>> match_listings(const config::MetricSpec& metric,
                                                   const std::vector<aws::MetricListing>& listings);

class CloudWatchSource final : public MetricSource {
 public:
  explicit CloudWatchSource(aws::CloudWatchClient& client) : client_(client) {}
  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time end) override;
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override;

 private:
  aws::CloudWatchClient& client_;
};

}  // namespace bw::agent
