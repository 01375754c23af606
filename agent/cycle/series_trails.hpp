#pragma once
// The recent curve of every (rule, series) with a metric, as the status page draws it: the last
// kTrailPeriods periods of its primary series, and the line it is judged against (threshold, static
// baseline, or zero for drains). Built once per cycle from the series cache and handed to the
// status server inside its immutable snapshot, so it is compact: one float per period (a sparkline
// and /api/v1/series need 7 significant digits, not 17), each series stored once however many rules
// read it, 16 bytes per (rule, series).
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rules/series.hpp"

namespace bw::config {
struct Rule;
}

namespace bw::agent {

struct Plan;
class SeriesCache;

enum class ReferenceKind : std::uint8_t { None, Threshold, Baseline, Zero };
std::string_view to_string(ReferenceKind kind);

struct Reference {
  ReferenceKind kind = ReferenceKind::None;
  double value = 0;
};

class SeriesTrails {
 public:
  static constexpr int kTrailPeriods = 30;
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // The trail of one series: kTrailPeriods slots ending at `end` (exclusive), oldest first; a
  // missing period is NaN.
  struct View {
    Time start{};
    Duration period{60};
    std::span<const float> values;
    Reference reference;
  };

  // Stores the last kTrailPeriods periods of `points` (sorted) that end at `end`; returns its index.
  std::uint32_t add_series(const std::vector<Datapoint>& points, Time end, Duration period);
  // The next (rule, series), in the order of the cycle's results: `series` from add_series, or kNone
  // for one without a metric (composites).
  void add_instance(std::uint32_t series, Reference reference);

  std::size_t instances() const { return instances_.size(); }
  // The trail of the `i`th (rule, series); nullopt when it has none (or `i` is past the end).
  std::optional<View> of(std::size_t i) const;
  std::size_t bytes() const {
    return values_.capacity() * sizeof(float) + series_.capacity() * sizeof(Line) + instances_.capacity() * sizeof(Use);
  }

 private:
  struct Line {
    Time start;
    Duration period;
    std::uint32_t first;  // into values_; kTrailPeriods values each
  };
  struct Use {
    double reference;
    std::uint32_t series;
    ReferenceKind kind;
  };
  std::vector<float> values_;
  std::vector<Line> series_;
  std::vector<Use> instances_;
};

// The line a rule's curve is judged against: its threshold, its static baseline (a learned one is
// not known outside the evaluation), zero for drains; none for the other kinds.
Reference reference_line(const config::Rule& rule);

// The trails of every planned (rule, series), in plan order (the order of a cycle's results).
SeriesTrails trails_of(const Plan& plan, const SeriesCache& cache, const std::vector<config::Rule>& rules);

}  // namespace bw::agent
