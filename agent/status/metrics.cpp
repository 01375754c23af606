#include "agent/status/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>
#include <string_view>
#include <tuple>

namespace bw::agent {

// ---- MetricsRegistry ----------------------------------------------------------------------------

void MetricsRegistry::declare(const std::string& name, Type type, std::string help, std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto& family = families_[name];
  if ((!family.series.empty() || family.table) && family.type == type) return;
  family.type = type;
  family.help = std::move(help);
  if (type == Type::Histogram) {
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    buckets.erase(std::remove_if(buckets.begin(), buckets.end(), [](double b) { return !std::isfinite(b); }),
                  buckets.end());
    family.bounds = std::move(buckets);
  }
  family.series.clear();
  family.table.reset();
}

MetricsRegistry::Family* MetricsRegistry::find(std::string_view name, Type type) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != type) return nullptr;
  return &it->second;
}

MetricsRegistry::Series& MetricsRegistry::series_of(Family& family, const MetricLabels& labels) {
  auto it = family.series.find(labels);
  if (it == family.series.end()) {
    it = family.series.emplace(labels, Series{}).first;
    if (family.type == Type::Histogram) it->second.buckets.assign(family.bounds.size() + 1, 0);
  }
  return it->second;
}

void MetricsRegistry::add(std::string_view name, const MetricLabels& labels, double delta) {
  if (!(delta >= 0)) return;  // counters only go up (this also drops NaN)
  std::lock_guard lock(mu_);
  if (auto* family = find(name, Type::Counter)) series_of(*family, labels).value += delta;
}

void MetricsRegistry::set(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  if (auto* family = find(name, Type::Gauge)) series_of(*family, labels).value = value;
}

void MetricsRegistry::observe(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Histogram);
  if (family == nullptr || std::isnan(value)) return;
  auto& s = series_of(*family, labels);
  const auto bucket = std::lower_bound(family->bounds.begin(), family->bounds.end(), value) - family->bounds.begin();
  ++s.buckets[static_cast<std::size_t>(bucket)];  // le is inclusive: value == bound falls in that bucket
  s.sum += value;
  ++s.count;
}

void MetricsRegistry::replace(std::string_view name, const std::vector<std::pair<MetricLabels, double>>& series) {
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Gauge);
  if (family == nullptr) return;
  family->series.clear();
  family->table.reset();
  for (const auto& [labels, value] : series) series_of(*family, labels).value = value;
}

void MetricsRegistry::replace(std::string_view name, std::shared_ptr<const SeriesTable> table) {
  std::shared_ptr<const SeriesTable> old;  // freed outside the lock
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Gauge);
  if (family == nullptr) return;
  old = std::move(family->table);
  family->table = std::move(table);
  family->series.clear();
}

double MetricsRegistry::value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  if (s == it->second.series.end()) return it->second.table ? it->second.table->value(labels) : 0;
  return it->second.type == Type::Histogram ? static_cast<double>(s->second.count) : s->second.value;
}

std::size_t MetricsRegistry::series_count(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  return it->second.series.size() + (it->second.table ? it->second.table->series_count() : 0);
}

std::string MetricsRegistry::format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers as integers (a counter at 1000000 reads "1000000", not "1e+06").
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, end);
}

std::string MetricsRegistry::escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string MetricsRegistry::escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string MetricsRegistry::sanitize_label_name(std::string_view n) {
  std::string out;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
  return out;
}

namespace {

void append_labels(std::string& out, const MetricLabels& labels, const std::string* le) {
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += MetricsRegistry::escape_label_value(value);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const MetricLabels& labels, double v,
                   const std::string* le = nullptr) {
  out += name;
  append_labels(out, labels, le);
  out += ' ';
  out += MetricsRegistry::format_value(v);
  out += '\n';
}

constexpr std::string_view type_name(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::Counter: return "counter";
    case MetricsRegistry::Type::Gauge: return "gauge";
    case MetricsRegistry::Type::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string MetricsRegistry::render() const {
  std::string out;
  render([&out](std::string_view piece) {
    out += piece;
    return true;
  });
  return out;
}

bool MetricsRegistry::render(const MetricsWriter& write) const {
  // Under the lock: the text of the map-held series (small: counters, histograms, per-target and
  // per-series gauges) and a reference to each table. Tables are rendered after, without the lock,
  // so a slow client never delays the poll loop's updates.
  struct Piece {
    std::string text;
    std::string name;  // of the table's family
    std::shared_ptr<const SeriesTable> table;
  };
  std::vector<Piece> pieces(1);
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) {
      auto& out = pieces.back().text;
      out += "# HELP " + name + ' ' + escape_help(family.help) + '\n';
      out += "# TYPE " + name + ' ';
      out += type_name(family.type);
      out += '\n';
      for (const auto& [labels, s] : family.series) {
        if (family.type != Type::Histogram) {
          append_sample(out, name, labels, s.value);
          continue;
        }
        const std::string bucket = name + "_bucket";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < s.buckets.size(); ++i) {
          cumulative += s.buckets[i];
          const std::string le = i < family.bounds.size() ? format_value(family.bounds[i]) : "+Inf";
          append_sample(out, bucket, labels, static_cast<double>(cumulative), &le);
        }
        append_sample(out, name + "_sum", labels, s.sum);
        append_sample(out, name + "_count", labels, static_cast<double>(s.count));
      }
      if (family.table) {
        pieces.back().name = name;
        pieces.back().table = family.table;
        pieces.emplace_back();
      }
    }
  }
  std::string buf;
  for (auto& piece : pieces) {
    if (!piece.text.empty() && !write(piece.text)) return false;
    std::string().swap(piece.text);
    if (!piece.table) continue;
    buf.reserve(kRenderChunk + 1024);
    if (!piece.table->render(piece.name, buf, kRenderChunk, write)) return false;
    if (!buf.empty() && !write(buf)) return false;
    buf.clear();
  }
  return true;
}

// ---- AgentMetrics -------------------------------------------------------------------------------

std::string_view to_string(NotificationOutcome outcome) {
  switch (outcome) {
    case NotificationOutcome::Delivered: return "delivered";
    case NotificationOutcome::Retried: return "retried";
    case NotificationOutcome::Dead: return "dead";
    case NotificationOutcome::Silenced: return "silenced";
  }
  return "unknown";
}

namespace {
constexpr auto kCycles = "batchwatch_cycles_total";
constexpr auto kCycleDuration = "batchwatch_cycle_duration_seconds";
constexpr auto kAwsRequests = "batchwatch_aws_requests_total";
constexpr auto kAwsRetries = "batchwatch_aws_retries_total";
constexpr auto kThrottles = "batchwatch_throttles_total";
constexpr auto kGetMetricData = "batchwatch_getmetricdata_calls_total";
constexpr auto kMetricsRequested = "batchwatch_cloudwatch_metrics_requested_total";
constexpr auto kDatapoints = "batchwatch_datapoints_received_total";
constexpr auto kRuleState = "batchwatch_rule_state";
constexpr auto kNotifications = "batchwatch_notifications_total";
constexpr auto kOutboxPending = "batchwatch_outbox_pending";
constexpr auto kReloads = "batchwatch_config_reloads_total";
constexpr auto kDatapointAge = "batchwatch_last_datapoint_age_seconds";
constexpr auto kReady = "batchwatch_ready";

MetricLabels service_labels(std::string_view service, std::string_view operation) {
  return {{"service", std::string(service)}, {"operation", std::string(operation)}};
}
}  // namespace

AgentMetrics::AgentMetrics() {
  using T = MetricsRegistry::Type;
  auto& r = registry_;
  r.declare(kCycles, T::Counter, "Poll cycles completed.");
  r.declare(kCycleDuration, T::Histogram, "Wall-clock duration of a poll cycle in seconds.",
            {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300});
  r.declare(kAwsRequests, T::Counter, "AWS API responses by service, operation and code (200 = success).");
  r.declare(kAwsRetries, T::Counter, "AWS API requests retried.");
  r.declare(kThrottles, T::Counter, "AWS API responses that were throttling errors.");
  r.declare(kGetMetricData, T::Counter, "CloudWatch GetMetricData calls made.");
  r.declare(kMetricsRequested, T::Counter, "Metrics requested from GetMetricData (the billed unit).");
  r.declare(kDatapoints, T::Counter, "Datapoints received from CloudWatch.");
  r.declare(kRuleState, T::Gauge, "1 for the current state of each rule and series, 0 for the other states.");
  r.declare(kNotifications, T::Counter, "Notification attempts by target and outcome (delivered, retried, dead, silenced).");
  r.declare(kOutboxPending, T::Gauge, "Outbox rows waiting for delivery, by target.");
  r.declare(kReloads, T::Counter, "Configuration reloads by result.");
  r.declare(kDatapointAge, T::Gauge, "Age in seconds of the newest datapoint of each series at the last cycle.");
  r.declare(kReady, T::Gauge, "1 once a poll cycle has succeeded.");
  // Unlabelled series exist from the start so they read 0 instead of being absent.
  r.add(kCycles, {}, 0);
  r.add(kGetMetricData, {}, 0);
  r.add(kMetricsRequested, {}, 0);
  r.add(kDatapoints, {}, 0);
  r.set(kReady, {}, 0);
  r.add(kReloads, {{"result", "success"}}, 0);
  r.add(kReloads, {{"result", "failure"}}, 0);
}

bool AgentMetrics::is_throttling_code(std::string_view code) {
  static constexpr std::string_view codes[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "429"};
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

void AgentMetrics::on_response(std::string_view service, std::string_view operation, std::string_view code) {
  auto labels = service_labels(service, operation);
  if (is_throttling_code(code)) registry_.add(kThrottles, labels);
  labels.emplace_back("code", std::string(code));
  registry_.add(kAwsRequests, labels);
  if (operation == "GetMetricData") registry_.add(kGetMetricData, {});
}

void AgentMetrics::on_retry(std::string_view service, std::string_view operation) {
  registry_.add(kAwsRetries, service_labels(service, operation));
}

void AgentMetrics::record_cycle(double duration_seconds) {
  registry_.add(kCycles, {});
  registry_.observe(kCycleDuration, {}, duration_seconds);
}

void AgentMetrics::add_metrics_requested(std::uint64_t n) {
  registry_.add(kMetricsRequested, {}, static_cast<double>(n));
}

void AgentMetrics::add_datapoints(std::uint64_t n) { registry_.add(kDatapoints, {}, static_cast<double>(n)); }

void AgentMetrics::set_rule_states(const std::vector<RuleStateSample>& samples) {
  RuleStateTable::Builder builder;
  for (const auto& sample : samples) builder.add(sample.rule, sample.labels, sample.state);
  set_rule_states(builder.build());
}

void AgentMetrics::set_rule_states(std::shared_ptr<const RuleStateTable> table) {
  registry_.replace(kRuleState, std::shared_ptr<const SeriesTable>(std::move(table)));
}

void AgentMetrics::count_notification(std::string_view target, NotificationOutcome outcome, std::uint64_t n) {
  registry_.add(kNotifications, {{"target", std::string(target)}, {"outcome", std::string(to_string(outcome))}},
                static_cast<double>(n));
}

void AgentMetrics::set_outbox_pending(const std::map<std::string, std::size_t>& pending_by_target) {
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& [target, n] : pending_by_target)
    series.emplace_back(MetricLabels{{"target", target}}, static_cast<double>(n));
  registry_.replace(kOutboxPending, series);
}

void AgentMetrics::count_config_reload(bool success) {
  registry_.add(kReloads, {{"result", success ? "success" : "failure"}});
}

void AgentMetrics::set_last_datapoint_ages(const std::vector<std::pair<std::string, double>>& age_by_series) {
  registry_.replace(kDatapointAge, std::make_shared<const OneLabelGaugeTable>("series", age_by_series));
}

void AgentMetrics::set_ready(bool ready) { registry_.set(kReady, {}, ready ? 1 : 0); }

// ---- OneLabelGaugeTable -------------------------------------------------------------------------

OneLabelGaugeTable::OneLabelGaugeTable(std::string label, const std::vector<std::pair<std::string, double>>& series)
    : label_(std::move(label)) {
  // Sorted by label value as the registry's map sorts {label: value} sets; the last of equal ones wins.
  std::vector<std::uint32_t> order(series.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return series[a].first < series[b].first; });
  offsets_.reserve(order.size() + 1);
  values_.reserve(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& [value_text, value] = series[order[k]];
    if (k + 1 < order.size() && series[order[k + 1]].first == value_text) continue;
    offsets_.push_back(static_cast<std::uint32_t>(text_.size()));
    text_ += MetricsRegistry::escape_label_value(value_text);
    values_.push_back(value);
  }
  offsets_.push_back(static_cast<std::uint32_t>(text_.size()));
}

double OneLabelGaugeTable::value(const MetricLabels& labels) const {
  if (labels.size() != 1 || labels[0].first != label_) return 0;
  const auto wanted = MetricsRegistry::escape_label_value(labels[0].second);
  for (std::size_t i = 0; i < values_.size(); ++i)
    if (label_value(i) == wanted) return values_[i];
  return 0;
}

bool OneLabelGaugeTable::render(std::string_view name, std::string& out, std::size_t chunk,
                                const MetricsWriter& flush) const {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    out += name;
    out += '{';
    out += label_;
    out += "=\"";
    out += label_value(i);
    out += "\"} ";
    out += MetricsRegistry::format_value(values_[i]);
    out += '\n';
    if (out.size() >= chunk) {
      const bool ok = flush(out);
      out.clear();
      if (!ok) return false;
    }
  }
  return true;
}

// ---- RuleStateTable -----------------------------------------------------------------------------

namespace {

// The rule states in the order their names sort, as the registry's map orders label sets.
const std::vector<std::pair<std::string_view, AlarmState>>& sorted_states() {
  static const auto states = [] {
    std::vector<std::pair<std::string_view, AlarmState>> v;
    for (auto s : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData, AlarmState::Drained})
      v.emplace_back(to_string(s), s);
    std::sort(v.begin(), v.end());
    return v;
  }();
  return states;
}

// The series labels after `rule` and `state`: names made valid and unique (a name already present
// gets "label_" prefixed until it is not), values as they are.
MetricLabels extra_labels(const std::vector<Dimension>& dims) {
  MetricLabels labels;
  labels.reserve(dims.size());
  std::set<std::string> used{"rule", "state", "le"};
  for (const auto& d : dims) {
    auto name = MetricsRegistry::sanitize_label_name(d.name);
    if (name.rfind("__", 0) == 0) name.insert(0, "label");  // "__" names are reserved by Prometheus
    while (used.count(name) != 0) name.insert(0, "label_");
    used.insert(name);
    labels.emplace_back(std::move(name), d.value);
  }
  return labels;
}

void append_extra(std::string& out, const MetricLabels& labels, std::size_t from) {
  for (std::size_t i = from; i < labels.size(); ++i) {
    out += ',';
    out += labels[i].first;
    out += "=\"";
    out += MetricsRegistry::escape_label_value(labels[i].second);
    out += '"';
  }
}

}  // namespace

void RuleStateTable::Builder::add(const std::string& rule, const std::vector<Dimension>& labels, AlarmState state) {
  auto r = rules_.try_emplace(rule, static_cast<std::uint32_t>(rules_.size())).first->second;
  auto l = label_sets_.try_emplace(labels, static_cast<std::uint32_t>(label_sets_.size())).first->second;
  rows_.push_back({r, l, state});
}

std::shared_ptr<const RuleStateTable> RuleStateTable::Builder::build() {
  auto table = std::make_shared<RuleStateTable>();
  // Rules in name order.
  std::vector<std::uint32_t> rule_rank(rules_.size());
  table->rules_.reserve(rules_.size());
  for (const auto& [name, index] : rules_) {
    rule_rank[index] = static_cast<std::uint32_t>(table->rules_.size());
    table->rules_.push_back(MetricsRegistry::escape_label_value(name));
  }
  // Label sets in the order of their rendered label pairs (what the registry's map compares).
  std::vector<MetricLabels> rendered(label_sets_.size());
  for (const auto& [dims, index] : label_sets_) rendered[index] = extra_labels(dims);
  std::vector<std::uint32_t> order(rendered.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return rendered[a] < rendered[b]; });
  std::vector<std::uint32_t> label_rank(rendered.size());
  table->label_offsets_.reserve(rendered.size() + 1);
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
    label_rank[order[rank]] = rank;
    table->label_offsets_.push_back(static_cast<std::uint32_t>(table->labels_.size()));
    append_extra(table->labels_, rendered[order[rank]], 0);
  }
  table->label_offsets_.push_back(static_cast<std::uint32_t>(table->labels_.size()));
  // Rows by (rule, labels); of duplicates the last added wins, as with a map.
  std::vector<RuleStateTable::Row> rows;
  rows.reserve(rows_.size());
  for (const auto& r : rows_) rows.push_back({rule_rank[r.rule], label_rank[r.labels], r.state});
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return std::tie(a.rule, a.labels) < std::tie(b.rule, b.labels); });
  for (const auto& r : rows) {
    if (!table->rows_.empty() && table->rows_.back().rule == r.rule && table->rows_.back().labels == r.labels)
      table->rows_.back() = r;
    else
      table->rows_.push_back(r);
  }
  table->rows_.shrink_to_fit();
  rows_.clear();
  rules_.clear();
  label_sets_.clear();
  return table;
}

std::size_t RuleStateTable::series_count() const { return rows_.size() * sorted_states().size(); }

double RuleStateTable::value(const MetricLabels& labels) const {
  if (labels.size() < 2 || labels[0].first != "rule" || labels[1].first != "state") return 0;
  const auto rule = std::lower_bound(rules_.begin(), rules_.end(), MetricsRegistry::escape_label_value(labels[0].second));
  if (rule == rules_.end() || *rule != MetricsRegistry::escape_label_value(labels[0].second)) return 0;
  const auto r = static_cast<std::uint32_t>(rule - rules_.begin());
  std::string extra;
  append_extra(extra, labels, 2);
  for (const auto& row : rows_) {
    if (row.rule != r) continue;
    const std::string_view text(labels_.data() + label_offsets_[row.labels],
                                label_offsets_[row.labels + 1] - label_offsets_[row.labels]);
    if (text != extra) continue;
    for (const auto& [name, state] : sorted_states())
      if (name == labels[1].second) return state == row.state ? 1 : 0;
  }
  return 0;
}

bool RuleStateTable::render(std::string_view name, std::string& out, std::size_t chunk,
                            const MetricsWriter& flush) const {
  const auto send = [&] {
    const bool ok = flush(out);
    out.clear();
    return ok;
  };
  for (std::size_t begin = 0; begin < rows_.size();) {
    std::size_t end = begin;
    while (end < rows_.size() && rows_[end].rule == rows_[begin].rule) ++end;
    const auto& rule = rules_[rows_[begin].rule];
    for (const auto& [state_name, state] : sorted_states()) {
      for (std::size_t i = begin; i < end; ++i) {
        const auto& row = rows_[i];
        out += name;
        out += "{rule=\"";
        out += rule;
        out += "\",state=\"";
        out += state_name;
        out += '"';
        out.append(labels_, label_offsets_[row.labels], label_offsets_[row.labels + 1] - label_offsets_[row.labels]);
        out += row.state == state ? "} 1\n" : "} 0\n";
        if (out.size() >= chunk && !send()) return false;
      }
    }
    begin = end;
  }
  return true;
}

}  // namespace bw::agent
