#include "agent/cycle/replay_source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "aws/bedrock.hpp"
#include "rules/aggregate.hpp"

namespace bw::agent {

ReplaySource ReplaySource::load(const std::string& path, std::vector<std::string>& errors) {
  ReplaySource src;
  std::ifstream in(path);
  if (!in) {
    errors.push_back(fmt::format("{}: cannot read file", path));
    return src;
  }
  std::string line, error;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!src.add_line(line, error)) errors.push_back(fmt::format("{}:{}: {}", path, n, error));
  }
  return src;
}

bool ReplaySource::add_line(std::string_view line, std::string& error) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) {
    error = "not a JSON object";
    return false;
  }
  if (j.contains("job")) return add_job_line(j, error);
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  MetricId id{str("namespace"), str("metric"), {}};
  if (id.ns.empty() || id.name.empty()) {
    error = "\"namespace\" and \"metric\" are required strings";
    return false;
  }
  if (auto dims = j.find("dimensions"); dims != j.end()) {
    if (!dims->is_object()) {
      error = "\"dimensions\" must be an object of strings";
      return false;
    }
    for (auto it = dims->begin(); it != dims->end(); ++it) {
      if (!it->is_string()) {
        error = fmt::format("dimension \"{}\" is not a string", it.key());
        return false;
      }
      id.dimensions.push_back({it.key(), it->get<std::string>()});
    }
  }
  id.normalize();
  const auto when = parse_rfc3339(str("timestamp"));
  if (!when) {
    error = "\"timestamp\" must be an RFC 3339 time";
    return false;
  }
  auto value = j.find("value");
  if (value == j.end() || !value->is_number()) {
    error = "\"value\" must be a number";
    return false;
  }
  raw_[id].push_back(Datapoint{*when, value->get<double>()});
  ++points_;
  if (!first_ || *when < *first_) first_ = *when;
  if (!last_ || *when > *last_) last_ = *when;
  return true;
}

// The job object is read as Bedrock's answer would be (aws/bedrock.hpp), so a replay file takes what
// ListModelInvocationJobs returned, unchanged.
bool ReplaySource::add_job_line(const nlohmann::json& line, std::string& error) {
  const auto& job = line["job"];
  const auto observed_it = line.find("observed");
  const auto observed = observed_it != line.end() && observed_it->is_string()
                            ? parse_rfc3339(observed_it->get<std::string>())
                            : std::nullopt;
  if (!observed) {
    error = "a job snapshot needs \"observed\": an RFC 3339 time";
    return false;
  }
  if (!job.is_object()) {
    error = "\"job\" must be an object of ModelInvocationJobSummary fields";
    return false;
  }
  auto parsed = aws::parse_model_invocation_job(job.dump());
  if (!parsed) {
    error = "\"job\": " + parsed.error().message;
    return false;
  }
  auto snapshot = to_snapshot(parsed.value());
  jobs_[snapshot.arn][*observed] = std::move(snapshot);
  ++job_snapshots_;
  if (!first_ || *observed < *first_) first_ = *observed;
  if (!last_ || *observed > *last_) last_ = *observed;
  return true;
}

std::vector<JobSnapshot> ReplaySource::jobs_at(Time at, Time submitted_after) const {
  std::vector<JobSnapshot> out;
  for (const auto& [arn, observations] : jobs_) {
    auto it = observations.upper_bound(at);  // the first observed after `at`
    if (it == observations.begin()) continue;
    const auto& job = std::prev(it)->second;
    if (job.submit_time && *job.submit_time <= submitted_after) continue;
    out.push_back(job);
  }
  return out;
}

aws::Result<std::vector<std::vector<Datapoint>>> ReplaySource::fetch(const std::vector<SeriesKey>& keys, Time start,
                                                                Time end) {
  std::vector<std::vector<Datapoint>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    auto it = raw_.find(k.metric);
    out.push_back(it == raw_.end() ? std::vector<Datapoint>{}
                                   : aggregate_series(it->second, k.period, k.stat, start, end));
  }
  return out;
}

aws::Result<std::vector<std::vector<Dimension>>> ReplaySource::discover(const config::MetricSpec& metric) {
  std::vector<aws::MetricListing> listings;
  for (const auto& [id, points] : raw_) {
    aws::MetricListing l{id.ns, id.name, {}};
    for (const auto& d : id.dimensions) l.dimensions.push_back({d.name, d.value});
    listings.push_back(std::move(l));
  }
  return match_listings(metric, listings);
}

}  // namespace bw::agent
