#pragma once
// Gauge families too large to keep as registry series (a map node with its own label strings each),
// stored compactly and rendered to exactly the text the registry renders for the same series.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/status/metrics_registry.hpp"
#include "rules/alarm.hpp"
#include "rules/series.hpp"

namespace bw::agent {

// A gauge family with one label, compactly: the values of the label stored in one string, the
// gauge values in one array (a registry series is a map node with its own label vector and
// strings: ~250 bytes each, re-allocated every cycle among the cycle's short-lived blocks).
// Renders what the registry renders for the same series; of repeated label values the last wins.
class OneLabelGaugeTable final : public SeriesTable {
 public:
  OneLabelGaugeTable(std::string label, const std::vector<std::pair<std::string, double>>& series);
  std::size_t series_count() const override { return values_.size(); }
  double value(const MetricLabels& labels) const override;
  bool render(std::string_view name, std::string& out, std::size_t chunk, const MetricsWriter& flush) const override;

 private:
  std::string_view label_value(std::size_t i) const {
    return std::string_view(text_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  std::string label_;
  std::string text_;                    // the label values, escaped, sorted, concatenated
  std::vector<std::uint32_t> offsets_;  // value i is text_[offsets_[i], offsets_[i + 1])
  std::vector<double> values_;
};

// One (rule, series) for batchwatch_rule_state.
struct RuleStateSample {
  std::string rule;
  std::vector<Dimension> labels;
  AlarmState state = AlarmState::InsufficientData;
};

// batchwatch_rule_state, compactly: one 12-byte row per (rule, series), the rule names and the
// rendered labels of each distinct label set stored once. As four labelled registry series per
// (rule, series) (a map node with its own copy of every label string each), 25,000 instances held
// ~30 MB between cycles; as rows they hold well under 1 MB. Renders exactly the text the registry
// renders for the same series, in the same order (rule, state, labels).
class RuleStateTable final : public SeriesTable {
 public:
  class Builder {
   public:
    void add(const std::string& rule, const std::vector<Dimension>& labels, AlarmState state);
    // A later add() of the same (rule, labels) replaces the earlier one.
    std::shared_ptr<const RuleStateTable> build();

   private:
    struct Row {
      std::uint32_t rule;
      std::uint32_t labels;
      AlarmState state;
    };
    std::map<std::string, std::uint32_t, std::less<>> rules_;
    std::map<std::vector<Dimension>, std::uint32_t> label_sets_;
    std::vector<Row> rows_;
  };

  std::size_t size() const { return rows_.size(); }  // (rule, series) pairs
  std::size_t series_count() const override;           // four per pair
  double value(const MetricLabels& labels) const override;
  bool render(std::string_view name, std::string& out, std::size_t chunk, const MetricsWriter& flush) const override;

 private:
  struct Row {
    std::uint32_t rule;    // index into rules_ (sorted)
    std::uint32_t labels;  // index into label_offsets_ (sorted by rendered label pairs)
    AlarmState state;
  };
  std::vector<std::string> rules_;            // escaped rule names, sorted
  std::string labels_;                        // ",name=\"value\"..." of each distinct label set, concatenated
  std::vector<std::uint32_t> label_offsets_;  // label set i is labels_[offsets[i], offsets[i + 1])
  std::vector<Row> rows_;                     // sorted by (rule, labels), unique
};

}  // namespace bw::agent
