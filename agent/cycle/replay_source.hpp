#pragma once
// A MetricSource over recorded datapoints (JSON Lines), for the demo data and `batchwatch backtest`.
// Raw datapoints are aggregated into each query's period and statistic as CloudWatch would.
#include <map>
#include <string>
#include <vector>

#include "agent/cycle/metric_source.hpp"

namespace bw::agent {

class ReplaySource final : public MetricSource {
 public:
  // Reads the file; every malformed line is reported as "FILE:LINE: message" in `errors`.
  static ReplaySource load(const std::string& path, std::vector<std::string>& errors);
  // Parses one line (exposed for tests); returns false with `error` set when malformed.
  bool add_line(std::string_view line, std::string& error);

  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time end) override;
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override;

  std::size_t size() const { return points_; }
  std::optional<Time> first() const { return first_; }
  std::optional<Time> last() const { return last_; }

 private:
  std::map<MetricId, std::vector<Datapoint>> raw_;  // per metric, unsorted raw points
  std::size_t points_ = 0;
  std::optional<Time> first_, last_;
};

}  // namespace bw::agent
