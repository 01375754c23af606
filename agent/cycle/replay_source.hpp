#pragma once
// A MetricSource over recorded datapoints (JSON Lines), for the demo data and `batchwatch backtest`.
// Raw datapoints are aggregated into each query's period and statistic as CloudWatch would. A line
// may instead hold a job snapshot, `{"job": {ModelInvocationJobSummary fields}, "observed": TIME}`:
// ReplayJobSource lists them, so a backtest covers the job rules too.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "agent/cycle/job_source.hpp"
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
  std::size_t job_snapshots() const { return job_snapshots_; }
  // Per job, its newest snapshot observed at or before `at`, when submitted after `submitted_after`.
  std::vector<JobSnapshot> jobs_at(Time at, Time submitted_after) const;
  std::optional<Time> first() const { return first_; }
  std::optional<Time> last() const { return last_; }

 private:
  bool add_job_line(const nlohmann::json& line, std::string& error);
  std::map<MetricId, std::vector<Datapoint>> raw_;  // per metric, unsorted raw points
  std::size_t points_ = 0;
  std::map<std::string, std::map<Time, JobSnapshot>> jobs_;  // per job ARN, by observation time
  std::size_t job_snapshots_ = 0;
  std::optional<Time> first_, last_;
};

// A replay file's job snapshots as the job step's source: each list is what Bedrock would have listed
// at `cursor` (the backtest's current step), one scope without account or region.
class ReplayJobSource final : public JobSource {
 public:
  ReplayJobSource(const ReplaySource& replay, const Time& cursor) : replay_(replay), cursor_(cursor) {}
  std::vector<JobListing> list_jobs(Time submitted_after) override {
    return {JobListing{JobScope{}, replay_.jobs_at(cursor_, submitted_after)}};
  }

 private:
  const ReplaySource& replay_;
  const Time& cursor_;
};

}  // namespace bw::agent
