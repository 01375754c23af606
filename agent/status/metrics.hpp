#pragma once
// What the agent counts, rendered for /metrics in the Prometheus text exposition format 0.0.4.
// MetricsRegistry is a small thread-safe store of counter, gauge and histogram families with label
// sets; AgentMetrics gives the agent typed methods for exactly the names of INTERFACE.md (plus a
// few operational extras) and counts AWS traffic as an aws::RequestObserver.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/service.hpp"
#include "rules/alarm.hpp"
#include "rules/series.hpp"

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

  // Helpers of the format, public for tests.
  static std::string format_value(double v);            // 3, 0.25, +Inf, -Inf, NaN
  static std::string escape_label_value(std::string_view v);  // \\ \" \n
  static std::string escape_help(std::string_view v);         // \\ \n
  static std::string sanitize_label_name(std::string_view n); // [a-zA-Z_][a-zA-Z0-9_]*

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

enum class NotificationOutcome { Delivered, Retried, Dead, Silenced };
std::string_view to_string(NotificationOutcome outcome);  // delivered retried dead silenced

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

class AgentMetrics final : public aws::RequestObserver {
 public:
  AgentMetrics();

  // aws::RequestObserver: batchwatch_aws_requests_total, batchwatch_throttles_total,
  // batchwatch_getmetricdata_calls_total (operation GetMetricData), batchwatch_aws_retries_total.
  void on_response(std::string_view service, std::string_view operation, std::string_view code) override;
  void on_retry(std::string_view service, std::string_view operation) override;

  // One finished cycle: batchwatch_cycles_total and batchwatch_cycle_duration_seconds.
  void record_cycle(double duration_seconds);
  void add_metrics_requested(std::uint64_t n);  // batchwatch_cloudwatch_metrics_requested_total
  void add_datapoints(std::uint64_t n);         // batchwatch_datapoints_received_total

  // batchwatch_rule_state{rule,state,...labels}: for each sample one series per state, 1 for the
  // current state and 0 for the others; the whole family is replaced.
  void set_rule_states(const std::vector<RuleStateSample>& samples);
  void set_rule_states(std::shared_ptr<const RuleStateTable> table);

  void count_notification(std::string_view target, NotificationOutcome outcome, std::uint64_t n = 1);
  // batchwatch_outbox_pending{target}: the whole family is replaced.
  void set_outbox_pending(const std::map<std::string, std::size_t>& pending_by_target);
  // batchwatch_config_reloads_total{result="success"|"failure"}.
  void count_config_reload(bool success);
  // batchwatch_last_datapoint_age_seconds{series}: the whole family is replaced.
  void set_last_datapoint_ages(const std::vector<std::pair<std::string, double>>& age_by_series);
  void set_ready(bool ready);  // batchwatch_ready 0/1

  std::string render() const { return registry_.render(); }
  bool render(const MetricsWriter& write) const { return registry_.render(write); }
  const MetricsRegistry& registry() const { return registry_; }

  // Error codes AWS uses for throttling (also "429" when no code could be parsed).
  static bool is_throttling_code(std::string_view code);

 private:
  MetricsRegistry registry_;
};

}  // namespace bw::agent
