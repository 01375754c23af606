#include "agent/cycle/metric_source.hpp"

#include <algorithm>
#include <set>

namespace bw::agent {

std::vector<std::vector<Dimension>> match_listings(const config::MetricSpec& metric,
                                                   const std::vector<aws::MetricListing>& listings) {
  std::set<std::vector<Dimension>> found;
  for (const auto& l : listings) {
    if (l.ns != metric.ns || l.metric_name != metric.name || l.dimensions.size() != metric.dimensions.size()) continue;
    std::vector<Dimension> dims;
    for (const auto& d : l.dimensions) dims.push_back({d.name, d.value});
    std::sort(dims.begin(), dims.end());
    bool match = true;
    for (std::size_t i = 0; i < dims.size() && match; ++i) {
      const auto& want = metric.dimensions[i];
      match = dims[i].name == want.name && (want.value == "*" || want.value == dims[i].value);
    }
    if (match) found.insert(std::move(dims));
  }
  return {found.begin(), found.end()};
}

aws::Result<std::vector<std::vector<Datapoint>>> CloudWatchSource::fetch(const std::vector<SeriesKey>& keys, Time start,
                                                                    Time end) {
  // One GetMetricData call's worth of queries at a time (the calls are the same as for all of them
  // at once): the queries and raw results of the other calls are not held meanwhile.
  std::vector<std::vector<Datapoint>> out(keys.size());
  std::vector<aws::MetricStatQuery> queries;
  for (std::size_t first = 0; first < keys.size(); first += aws::kMaxQueriesPerCall) {
    const std::size_t count = std::min(aws::kMaxQueriesPerCall, keys.size() - first);
    queries.clear();
    queries.reserve(count);
    for (std::size_t i = first; i < first + count; ++i) {
      const auto& k = keys[i];
      aws::MetricStatQuery q{"q" + std::to_string(i), k.metric.ns, k.metric.name, {}, k.period.count(), k.stat};
      for (const auto& d : k.metric.dimensions) q.dimensions.push_back({d.name, d.value});
      queries.push_back(std::move(q));
    }
    auto results = client_.get_metric_data(queries, start, end);
    if (!results) return results.error();
    for (std::size_t i = 0; i < count; ++i) {
      const auto& r = results.value()[i];
      auto& points = out[first + i];
      points.reserve(r.timestamps.size());
      for (std::size_t j = 0; j < r.timestamps.size(); ++j) points.push_back({from_epoch(r.timestamps[j]), r.values[j]});
      std::sort(points.begin(), points.end());
    }
  }
  return out;
}

aws::Result<std::vector<std::vector<Dimension>>> CloudWatchSource::discover(const config::MetricSpec& metric) {
  std::vector<aws::MetricDimension> filter;
  for (const auto& d : metric.dimensions) filter.push_back({d.name, d.value == "*" ? "" : d.value});
  auto listings = client_.list_metrics(metric.ns, metric.name, filter);
  if (!listings) return listings.error();
  return match_listings(metric, listings.value());
}

}  // namespace bw::agent
