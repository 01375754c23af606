#include "agent/cycle/multi_source.hpp"

#include <algorithm>

namespace bw::agent {
namespace {

bool is_account_dim(const Dimension& d) {
  return d.name == config::kAccountDimension || d.name == config::kRegionDimension;
}

// Removes the account and region dimensions; their values ("" when absent) go to `account` / `region`.
std::vector<Dimension> strip(const std::vector<Dimension>& dims, std::string& account, std::string& region) {
  std::vector<Dimension> out;
  out.reserve(dims.size());
  for (const auto& d : dims) {
    if (d.name == config::kAccountDimension) account = d.value;
    else if (d.name == config::kRegionDimension) region = d.value;
    else out.push_back(d);
  }
  return out;
}

// Says which account and region failed: the same error in two accounts is two different problems.
aws::Error in_member(aws::Error e, const AccountsSource::Member& m) {
  e.message = "account " + m.account + ", region " + m.region + ": " + e.message;
  return e;
}

bool matches(const std::string& want, const std::string& value) { return want.empty() || want == "*" || want == value; }

}  // namespace

aws::Result<std::vector<std::vector<Dimension>>> AccountsSource::discover(const config::MetricSpec& metric) {
  std::string want_account, want_region;
  config::MetricSpec inner = metric;
  inner.dimensions = strip(metric.dimensions, want_account, want_region);
  std::vector<std::vector<Dimension>> out;
  for (auto& m : members_) {
    if (!matches(want_account, m.account) || !matches(want_region, m.region)) continue;
    std::vector<std::vector<Dimension>> found;
    if (inner.has_wildcard()) {
      auto r = m.source->discover(inner);
      if (!r) return in_member(r.error(), m);
      found = std::move(r.value());
    } else {
      found = {inner.dimensions};
    }
    for (auto& dims : found) {
      dims.erase(std::remove_if(dims.begin(), dims.end(), is_account_dim), dims.end());
      dims.push_back({config::kAccountDimension, m.account});
      dims.push_back({config::kRegionDimension, m.region});
      std::sort(dims.begin(), dims.end());
      out.push_back(std::move(dims));
    }
  }
  return out;
}

aws::Result<std::vector<std::vector<Datapoint>>> AccountsSource::fetch(const std::vector<SeriesKey>& keys, Time start,
                                                                  Time end) {
  std::vector<std::vector<Datapoint>> out(keys.size());
  std::vector<std::vector<std::size_t>> index(members_.size());  // per member: positions in `keys`
  std::vector<std::vector<SeriesKey>> batch(members_.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string account, region;
    SeriesKey k = keys[i];
    k.metric.dimensions = strip(keys[i].metric.dimensions, account, region);
    for (std::size_t m = 0; m < members_.size(); ++m) {
      if (members_[m].account != account || members_[m].region != region) continue;
      index[m].push_back(i);
      batch[m].push_back(std::move(k));
      break;
    }
  }
  for (std::size_t m = 0; m < members_.size(); ++m) {
    if (batch[m].empty()) continue;
    auto r = members_[m].source->fetch(batch[m], start, end);
    if (!r) return in_member(r.error(), members_[m]);
    for (std::size_t j = 0; j < index[m].size() && j < r.value().size(); ++j) out[index[m][j]] = std::move(r.value()[j]);
  }
  return out;
}

}  // namespace bw::agent
