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

void make_window(const std::vector<Datapoint>& points, Time end, Duration period, int count, std::vector<Slot>& out) {
  const Time first = end - period * count;
  out.resize(static_cast<std::size_t>(std::max(count, 0)));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Slot{first + period * static_cast<int>(i), std::nullopt};
  // One merge pass: the slot cursor steps forward to each point, so there is no division per point
  // (which cost 4x this whole function). A point between slot starts is off-grid and ignored; of
  // points with the same start, the last wins.
  auto it = std::lower_bound(points.begin(), points.end(), first, [](const Datapoint& p, Time t) { return p.start < t; });
  std::size_t slot = 0;
  for (Time t = first; it != points.end() && it->start < end; ++it) {
    while (t < it->start) {
      t += period;
      ++slot;
    }
    if (t == it->start) out[slot].value = it->value;
  }
}

std::vector<Slot> make_window(const std::vector<Datapoint>& points, Time end, Duration period, int count) {
  std::vector<Slot> slots;
  make_window(points, end, period, count, slots);
  return slots;
}

}  // namespace bw
