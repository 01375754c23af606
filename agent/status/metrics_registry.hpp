#pragma once
// A small thread-safe store of counter, gauge and histogram families with label sets, rendered in the
// Prometheus text exposition format 0.0.4. A gauge family may instead hold a SeriesTable: its series in
// a compact form of their own (series_tables.hpp), replaced whole and rendered without the lock.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bw::agent {

// Label name/value pairs in the order they are rendered.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Receives the exposition text piece by piece; returns false to stop (the client went away).
using MetricsWriter = std::function<bool(std::string_view)>;

// The series of one gauge family kept outside the registry's map, in a compact form of their own,
// and replaced whole (see RuleStateTable). Immutable once handed to the registry: a render in
// progress holds a reference and reads it without the registry's lock.
class SeriesTable {
 public:
  virtual ~SeriesTable() = default;
  virtual std::size_t series_count() const = 0;
  virtual double value(const MetricLabels& labels) const = 0;  // 0 when absent
  // Appends the sample lines of family `name` to `out`, passing `out` to `flush` (and clearing it)
  // whenever it exceeds `chunk` bytes. False when `flush` did.
  virtual bool render(std::string_view name, std::string& out, std::size_t chunk, const MetricsWriter& flush) const = 0;
};

class MetricsRegistry {
 public:
  enum class Type { Counter, Gauge, Histogram };

  // Declares a family. `buckets` (histograms only) are the finite upper bounds, ascending; +Inf is
  // implied. Declaring a name again keeps the series it already has.
  void declare(const std::string& name, Type type, std::string help, std::vector<double> buckets = {});

  // Unknown families and mismatched types are ignored (metrics must never break the agent).
  void add(std::string_view name, const MetricLabels& labels, double delta = 1);  // counter; delta >= 0
  void set(std::string_view name, const MetricLabels& labels, double value);      // gauge
  void observe(std::string_view name, const MetricLabels& labels, double value);  // histogram
  // Replaces every series of a gauge family at once (series absent from `series` disappear).
  void replace(std::string_view name, const std::vector<std::pair<MetricLabels, double>>& series);
  // The same with a table of series (rendered after any series set with set()/replace()).
  void replace(std::string_view name, std::shared_ptr<const SeriesTable> table);

  // Current value of a counter or gauge series (0 if absent); for histograms, the observation count.
  double value(std::string_view name, const MetricLabels& labels = {}) const;
  std::size_t series_count(std::string_view name) const;

  // The text exposition format 0.0.4: families sorted by name, series by label set.
  std::string render() const;
  // The same text in pieces of about kRenderChunk bytes (tables are rendered without the lock held,
  // and a scrape never holds the whole text at once). False when `write` refused a piece.
  bool render(const MetricsWriter& write) const;
  static constexpr std::size_t kRenderChunk = 64 * 1024;

 private:
  struct Series {
    double value = 0;
    std::vector<std::uint64_t> buckets;  // histogram: per-bucket (non-cumulative) counts, +Inf last
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    Type type = Type::Counter;
    std::string help;
    std::vector<double> bounds;
    std::map<MetricLabels, Series> series;
    std::shared_ptr<const SeriesTable> table;  // gauges only
  };
  Family* find(std::string_view name, Type type);
  Series& series_of(Family& family, const MetricLabels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace bw::agent
