#pragma once
// The datapoints already fetched, per series, so each period is asked for once: a cycle fetches
// only the periods that became trusted since the last one. Late datapoints overwrite cached ones.
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "rules/series.hpp"

namespace bw::agent {

class SeriesCache {
 public:
  // The part of [start, end) not cached yet for `key`; nullopt when all of it is.
  std::optional<std::pair<Time, Time>> missing(const SeriesKey& key, Time start, Time end) const;
  // Records a fetch of [start, end): its points replace whatever was cached in that range.
  void store(const SeriesKey& key, Time start, Time end, std::vector<Datapoint> points);
  // Sorted points of `key` (empty when unknown).
  const std::vector<Datapoint>& points(const SeriesKey& key) const;
  // Forgets points before `keep_from`, and series not in `keep`.
  void prune(const SeriesKey& key, Time keep_from);
  void retain(const std::set<SeriesKey>& keep);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Time from{};
    Time through{};
    std::vector<Datapoint> points;
  };
  std::map<SeriesKey, Entry> entries_;
};

}  // namespace bw::agent
