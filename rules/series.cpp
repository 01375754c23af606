#include "rules/series.hpp"

#include <algorithm>

namespace bw {

void MetricId::normalize() {
  std::sort(dimensions.begin(), dimensions.end());
}

std::string labels_text(const std::vector<Dimension>& dims) {
  std::string out;
  for (const auto& d : dims) {
    if (!out.empty()) out += ',';
    out += d.name;
    out += '=';
    out += d.value;
  }
  return out;
}

std::string SeriesKey::str() const {
  std::string out = metric.ns + '|' + metric.name + '|' + labels_text(metric.dimensions) + '|' + stat + '|';
  out += std::to_string(period.count());
  return out;
}

std::vector<Slot> make_window(const std::vector<Datapoint>& points, Time end, Duration period, int count) {
  std::vector<Slot> slots;
  slots.reserve(static_cast<std::size_t>(std::max(count, 0)));
  const Time first = end - period * count;
  for (int i = 0; i < count; ++i) slots.push_back(Slot{first + period * i, std::nullopt});
  auto it = std::lower_bound(points.begin(), points.end(), first,
                             [](const Datapoint& p, Time t) { return p.start < t; });
  for (; it != points.end() && it->start < end; ++it) {
    const auto offset = (it->start - first).count();
    if (offset % period.count() != 0) continue;
    slots[static_cast<std::size_t>(offset / period.count())].value = it->value;
  }
  return slots;
}

}  // namespace bw
