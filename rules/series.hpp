#pragma once
// What a series is: the identity CloudWatch gives a stream of datapoints, and the points themselves.
#include <compare>
#include <optional>
#include <string>
#include <vector>

#include "rules/time.hpp"

namespace bw {

struct Dimension {
  std::string name;
  std::string value;
  auto operator<=>(const Dimension&) const = default;
};

// namespace + metric name + dimensions sorted by name. Two metrics are the same iff all three are.
struct MetricId {
  std::string ns;
  std::string name;
  std::vector<Dimension> dimensions;  // sorted by name (see normalize())

  void normalize();
  auto operator<=>(const MetricId&) const = default;
};

// The unit of querying and caching: a metric read through one statistic at one period.
struct SeriesKey {
  MetricId metric;
  std::string stat;  // Average Sum Minimum Maximum SampleCount pNN
  Duration period{60};

  auto operator<=>(const SeriesKey&) const = default;
  // Stable text form, e.g. "AWS/Bedrock/Batch|NumberOfRecordsPendingProcessing|modelId=m1|Maximum|60".
  std::string str() const;
};

// "modelId=m1,region=x" (dimensions in order); "" when there are none. Used in alarm names and logs.
std::string labels_text(const std::vector<Dimension>& dims);

// CloudWatch timestamps a datapoint at the start of its period.
struct Datapoint {
  Time start;
  double value = 0;
  auto operator<=>(const Datapoint&) const = default;
};

// One period slot of an evaluation window; nullopt value = missing datapoint.
struct Slot {
  Time start;
  std::optional<double> value;
};

// Slots for the `count` whole periods that end at `end` (exclusive), oldest first. `points` must be
// sorted by start; points that do not fall on a slot start inside the window are ignored.
std::vector<Slot> make_window(const std::vector<Datapoint>& points, Time end, Duration period, int count);
// The same into `out` (cleared first), reusing its capacity: no allocation once it has held `count` slots.
void make_window(const std::vector<Datapoint>& points, Time end, Duration period, int count, std::vector<Slot>& out);

}  // namespace bw
