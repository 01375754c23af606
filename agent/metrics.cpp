#include "agent/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>

namespace bw::agent {

// ---- MetricsRegistry ----------------------------------------------------------------------------

void MetricsRegistry::declare(const std::string& name, Type type, std::string help, std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto& family = families_[name];
  if (!family.series.empty() && family.type == type) return;
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
  for (const auto& [labels, value] : series) series_of(*family, labels).value = value;
}

double MetricsRegistry::value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  if (s == it->second.series.end()) return 0;
  return it->second.type == Type::Histogram ? static_cast<double>(s->second.count) : s->second.value;
}

std::size_t MetricsRegistry::series_count(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  return it == families_.end() ? 0 : it->second.series.size();
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
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
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
  }
  return out;
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
  static constexpr AlarmState states[] = {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData,
                                          AlarmState::Drained};
  std::vector<std::pair<MetricLabels, double>> series;
  series.reserve(samples.size() * std::size(states));
  for (const auto& sample : samples) {
    MetricLabels labels{{"rule", sample.rule}, {"state", ""}};
    std::set<std::string> used{"rule", "state", "le"};
    for (const auto& d : sample.labels) {
      // A series label may not repeat a name already present (rule, state): prefix it until unique.
      auto name = MetricsRegistry::sanitize_label_name(d.name);
      if (name.rfind("__", 0) == 0) name.insert(0, "label");  // "__" names are reserved by Prometheus
      while (used.count(name) != 0) name.insert(0, "label_");
      used.insert(name);
      labels.emplace_back(std::move(name), d.value);
    }
    for (auto state : states) {
      labels[1].second = std::string(to_string(state));
      series.emplace_back(labels, state == sample.state ? 1.0 : 0.0);
    }
  }
  registry_.replace(kRuleState, series);
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
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& [name, age] : age_by_series) series.emplace_back(MetricLabels{{"series", name}}, age);
  registry_.replace(kDatapointAge, series);
}

void AgentMetrics::set_ready(bool ready) { registry_.set(kReady, {}, ready ? 1 : 0); }

}  // namespace bw::agent
