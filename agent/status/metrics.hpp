#pragma once
// What the agent counts, rendered for /metrics in the Prometheus text exposition format 0.0.4.
// AgentMetrics gives the agent typed methods for exactly the names of INTERFACE.md (plus a few
// operational extras) over a MetricsRegistry, and counts AWS traffic as an aws::RequestObserver.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/status/metrics_registry.hpp"
#include "agent/status/series_tables.hpp"
#include "aws/service.hpp"

namespace bw::agent {

enum class NotificationOutcome { Delivered, Retried, Dead, Silenced };
std::string_view to_string(NotificationOutcome outcome);  // delivered retried dead silenced
// The outcome a name stands for (to_string's inverse); nullopt for any other name.
std::optional<NotificationOutcome> notification_outcome(std::string_view name);

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
  // batchwatch_claims_total{outcome}: with `ha:`, how this replica's claims went (won, peer_delivered,
  // peer_held, failed, fenced: to_string(ClaimOutcome)).
  void count_claim(std::string_view outcome, std::uint64_t n = 1);
  // batchwatch_outbox_pending{target}: the whole family is replaced.
  void set_outbox_pending(const std::map<std::string, std::size_t>& pending_by_target);
  // batchwatch_config_reloads_total{result="success"|"failure"}.
  void count_config_reload(bool success);
  // batchwatch_last_datapoint_age_seconds{series}: the whole family is replaced.
  void set_last_datapoint_ages(const std::vector<std::pair<std::string, double>>& age_by_series);
  void set_ready(bool ready);  // batchwatch_ready 0/1
  // batchwatch_jobs{status}: the Bedrock jobs tracked, per status (Bedrock's spelling); the family is replaced.
  void set_jobs_by_status(const std::map<std::string, std::size_t>& jobs_by_status);

  std::string render() const { return registry_.render(); }
  bool render(const MetricsWriter& write) const { return registry_.render(write); }
  const MetricsRegistry& registry() const { return registry_; }

 private:
  MetricsRegistry registry_;
};

}  // namespace bw::agent
