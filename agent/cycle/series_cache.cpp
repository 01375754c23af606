#include "agent/cycle/series_cache.hpp"

#include <algorithm>

namespace bw::agent {

std::optional<std::pair<Time, Time>> SeriesCache::missing(const SeriesKey& key, Time start, Time end) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || start < it->second.from || start > it->second.through) return std::make_pair(start, end);
  if (end <= it->second.through) return std::nullopt;
  return std::make_pair(it->second.through, end);
}

void SeriesCache::store(const SeriesKey& key, Time start, Time end, std::vector<Datapoint> fresh) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (inserted || start < e.from || start > e.through) {
    e = Entry{start, end, std::move(fresh)};
    std::sort(e.points.begin(), e.points.end());
    return;
  }
  // Keep what lies outside the fetched range; the fetched range is replaced wholesale. In place: the
  // cache lives as long as the daemon, and a new vector per series per cycle would be allocated
  // among the cycle's short-lived blocks and pin their heap pages after they are freed.
  std::erase_if(e.points, [&](const Datapoint& p) { return p.start >= start && p.start < end; });
  e.points.insert(e.points.end(), fresh.begin(), fresh.end());
  std::sort(e.points.begin(), e.points.end());
  e.through = std::max(e.through, end);
}

const std::vector<Datapoint>& SeriesCache::points(const SeriesKey& key) const {
  static const std::vector<Datapoint> empty;
  auto it = entries_.find(key);
  return it == entries_.end() ? empty : it->second.points;
}

void SeriesCache::prune(const SeriesKey& key, Time keep_from) {
  auto it = entries_.find(key);
  if (it == entries_.end() || keep_from <= it->second.from) return;
  auto& pts = it->second.points;
  pts.erase(pts.begin(), std::lower_bound(pts.begin(), pts.end(), keep_from,
                                          [](const Datapoint& p, Time t) { return p.start < t; }));
  it->second.from = std::min(keep_from, it->second.through);
}

void SeriesCache::retain(const std::set<SeriesKey>& keep) {
  std::erase_if(entries_, [&](const auto& kv) { return !keep.count(kv.first); });
}

}  // namespace bw::agent
