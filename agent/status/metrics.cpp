#include "agent/status/metrics.hpp"

#include <algorithm>
#include <iterator>

namespace bw::agent {

std::string_view to_string(NotificationOutcome outcome) {
  switch (outcome) {
    case NotificationOutcome::Delivered: return "delivered";
    case NotificationOutcome::Retried: return "retried";
    case NotificationOutcome::Dead: return "dead";
    case NotificationOutcome::Silenced: return "silenced";
  }
  return "unknown";
}

std::optional<NotificationOutcome> notification_outcome(std::string_view name) {
  for (auto o : {NotificationOutcome::Delivered, NotificationOutcome::Retried, NotificationOutcome::Dead,
                 NotificationOutcome::Silenced})
    if (to_string(o) == name) return o;
  return std::nullopt;
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
constexpr auto kJobs = "batchwatch_jobs";
constexpr auto kClaims = "batchwatch_claims_total";

MetricLabels service_labels(std::string_view service, std::string_view operation) {
  return {{"service", std::string(service)}, {"operation", std::string(operation)}};
}

// Error codes AWS uses for throttling (also "429" when no code could be parsed).
bool is_throttling_code(std::string_view code) {
  static constexpr std::string_view codes[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "429"};
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
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
  r.declare(kJobs, T::Gauge, "Bedrock batch inference jobs tracked, by status.");
  r.declare(kClaims, T::Counter,
            "HA claims of notifications in the shared table by outcome (won, peer_delivered, peer_held, failed, fenced).");
  // Unlabelled series exist from the start so they read 0 instead of being absent.
  r.add(kCycles, {}, 0);
  r.add(kGetMetricData, {}, 0);
  r.add(kMetricsRequested, {}, 0);
  r.add(kDatapoints, {}, 0);
  r.set(kReady, {}, 0);
  r.add(kReloads, {{"result", "success"}}, 0);
  r.add(kReloads, {{"result", "failure"}}, 0);
}

void AgentMetrics::on_response(std::string_view service, std::string_view operation, std::string_view code) {
  auto labels = service_labels(service, operation);
  if (is_throttling_code(code)) registry_.add(kThrottles, labels);
  labels.emplace_back("code", std::string(code));
  registry_.add(kAwsRequests, labels);
  // A throttled attempt was turned away, not served: it is a retry (counted above), not a call.
  if (operation == "GetMetricData" && !is_throttling_code(code)) registry_.add(kGetMetricData, {});
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

void AgentMetrics::count_claim(std::string_view outcome, std::uint64_t n) {
  registry_.add(kClaims, {{"outcome", std::string(outcome)}}, static_cast<double>(n));
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

void AgentMetrics::set_jobs_by_status(const std::map<std::string, std::size_t>& jobs_by_status) {
  std::vector<std::pair<MetricLabels, double>> series;
  for (const auto& [status, n] : jobs_by_status)
    series.emplace_back(MetricLabels{{"status", status}}, static_cast<double>(n));
  registry_.replace(kJobs, series);
}

void AgentMetrics::set_ready(bool ready) { registry_.set(kReady, {}, ready ? 1 : 0); }

}  // namespace bw::agent
