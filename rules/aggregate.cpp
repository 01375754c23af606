// CloudWatch statistics over the raw values of one period, for replaying recorded raw datapoints.
//
// Average, Sum, Minimum, Maximum, SampleCount as CloudWatch defines them. Percentiles pNN, pNN.N and
// pNN.NN (0 <= NN <= 100) use the nearest-rank method: sort, take rank ceil(p/100 x n), clamped to
// 1..n, so every percentile is one of the observed values (p0 is the minimum, p100 the maximum).
// CloudWatch does not publish its estimator and approximates on large samples; nearest-rank agrees
// with it on the small per-period samples a replay holds, and unlike interpolation never invents a
// value nobody reported. The rank is computed in integer hundredths of a percent, so p90 of 10 values
// is exactly rank 9 rather than whatever 0.9 x 10 rounds to in floating point.
//
// aggregate_series: a raw point counts iff start <= t < end; it belongs to the epoch-aligned period
// period_floor(t). A period that begins before `start` (only when `start` is not aligned) is dropped
// rather than reported from a partial sample stamped outside the range; a last period cut short by an
// unaligned `end` is kept, as CloudWatch reports the still-filling current period. An unknown statistic
// or a non-positive period yields no datapoints.
#include "rules/aggregate.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <numeric>

namespace bw {

namespace {

// Percentile in hundredths (p99.9 -> 9990), or nullopt if `stat` is not a percentile.
std::optional<std::int64_t> percentile_hundredths(std::string_view stat) {
  if (stat.size() < 2 || stat[0] != 'p') return std::nullopt;
  std::size_t i = 1;
  std::int64_t whole = 0;
  const std::size_t whole_start = i;
  while (i < stat.size() && std::isdigit(static_cast<unsigned char>(stat[i])) && i - whole_start < 3)
    whole = whole * 10 + (stat[i++] - '0');
  if (i == whole_start) return std::nullopt;
  std::int64_t frac = 0;
  if (i < stat.size() && stat[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < stat.size() && std::isdigit(static_cast<unsigned char>(stat[i])) && i - frac_start < 2)
      frac = frac * 10 + (stat[i++] - '0');
    if (i == frac_start) return std::nullopt;
    if (i - frac_start == 1) frac *= 10;
  }
  if (i != stat.size()) return std::nullopt;
  const auto h = whole * 100 + frac;
  if (h > 10000) return std::nullopt;
  return h;
}

enum class Stat { Average, Sum, Minimum, Maximum, SampleCount, Percentile };

std::optional<Stat> stat_of(std::string_view s) {
  if (s == "Average") return Stat::Average;
  if (s == "Sum") return Stat::Sum;
  if (s == "Minimum") return Stat::Minimum;
  if (s == "Maximum") return Stat::Maximum;
  if (s == "SampleCount") return Stat::SampleCount;
  if (percentile_hundredths(s)) return Stat::Percentile;
  return std::nullopt;
}

}  // namespace

bool is_statistic(std::string_view stat) { return stat_of(stat).has_value(); }

std::optional<double> aggregate(std::string_view stat, std::vector<double>& values) {
  const auto kind = stat_of(stat);
  if (!kind || values.empty()) return std::nullopt;
  const auto n = static_cast<std::int64_t>(values.size());
  switch (*kind) {
    case Stat::Sum: return std::accumulate(values.begin(), values.end(), 0.0);
    case Stat::Average: return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
    case Stat::Minimum: return *std::min_element(values.begin(), values.end());
    case Stat::Maximum: return *std::max_element(values.begin(), values.end());
    case Stat::SampleCount: return static_cast<double>(n);
    case Stat::Percentile: break;
  }
  const auto p = *percentile_hundredths(stat);
  const auto rank = std::clamp<std::int64_t>((p * n + 9999) / 10000, 1, n);
  const auto nth = values.begin() + (rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

std::vector<Datapoint> aggregate_series(const std::vector<Datapoint>& raw, Duration period, std::string_view stat,
                                        Time start, Time end) {
  std::vector<Datapoint> out;
  if (period.count() <= 0 || !is_statistic(stat)) return out;
  std::map<Time, std::vector<double>> buckets;
  for (const auto& p : raw) {
    if (p.start < start || p.start >= end) continue;
    const auto slot = period_floor(p.start, period);
    if (slot < start) continue;
    buckets[slot].push_back(p.value);
  }
  out.reserve(buckets.size());
  for (auto& [slot, values] : buckets) out.push_back(Datapoint{slot, *aggregate(stat, values)});
  return out;
}

}  // namespace bw
