#include "agent/cycle/series_trails.hpp"

#include <algorithm>
#include <map>

#include "agent/cycle/planner.hpp"
#include "agent/cycle/series_cache.hpp"
#include "config/config.hpp"

namespace bw::agent {

std::string_view to_string(ReferenceKind kind) {
  switch (kind) {
    case ReferenceKind::Threshold: return "threshold";
    case ReferenceKind::Baseline: return "baseline";
    case ReferenceKind::Zero: return "zero";
    case ReferenceKind::None: break;
  }
  return "none";
}

std::uint32_t SeriesTrails::add_series(const std::vector<Datapoint>& points, Time end, Duration period) {
  const Time first = end - period * kTrailPeriods;
  const auto at = static_cast<std::uint32_t>(values_.size());
  values_.resize(values_.size() + kTrailPeriods, std::numeric_limits<float>::quiet_NaN());
  auto it = std::lower_bound(points.begin(), points.end(), first, [](const Datapoint& p, Time t) { return p.start < t; });
  for (; it != points.end() && it->start < end; ++it) {
    const auto offset = (it->start - first) / period;
    if (first + period * offset == it->start)  // off-grid points are not a period's value
      values_[at + static_cast<std::size_t>(offset)] = static_cast<float>(it->value);
  }
  series_.push_back({first, period, at});
  return static_cast<std::uint32_t>(series_.size() - 1);
}

void SeriesTrails::add_instance(std::uint32_t series, Reference reference) {
  instances_.push_back({reference.value, series, reference.kind});
}

std::optional<SeriesTrails::View> SeriesTrails::of(std::size_t i) const {
  if (i >= instances_.size() || instances_[i].series == kNone) return std::nullopt;
  const Use& use = instances_[i];
  const Line& line = series_[use.series];
  return View{line.start, line.period, std::span<const float>(values_).subspan(line.first, kTrailPeriods),
              Reference{use.kind, use.reference}};
}

Reference reference_line(const config::Rule& rule) {
  if (const auto* t = std::get_if<ThresholdSpec>(&rule.spec)) return {ReferenceKind::Threshold, t->threshold};
  if (const auto* b = std::get_if<BaselineSpec>(&rule.spec); b && b->expected)
    return {ReferenceKind::Baseline, *b->expected};
  if (std::holds_alternative<DrainedSpec>(rule.spec)) return {ReferenceKind::Zero, 0};
  return {};
}

SeriesTrails trails_of(const Plan& plan, const SeriesCache& cache, const std::vector<config::Rule>& rules) {
  SeriesTrails trails;
  std::map<std::size_t, std::uint32_t> stored;  // plan series -> trail: rules over one series share it
  for (const auto& inst : plan.instances) {
    if (inst.input_count == 0) {
      trails.add_instance(SeriesTrails::kNone, {});
      continue;
    }
    auto [it, added] = stored.try_emplace(inst.series, 0);
    if (added) it->second = trails.add_series(cache.points(plan.series[inst.series]), inst.window_end,
                                              plan.series[inst.series].period);
    trails.add_instance(it->second, reference_line(rules[inst.rule]));
  }
  return trails;
}

}  // namespace bw::agent
