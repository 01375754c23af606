#pragma once
// The heartbeat (`heartbeat:` in the agent file): after each successful cycle of `run` and `once`, one
// PutMetricData with `Heartbeat` = 1 twice, with the dimension `Replica` and without any. CloudWatch
// alarms see only the exact dimension set they name, and cannot SEARCH, so "no replica is alive" needs a
// series every replica feeds: the dimensionless one (samples/heartbeat-alarm.json watches it). The
// per-replica series tells which replica went quiet. A failed heartbeat is a warning, never a failed
// cycle; the request counters on /metrics count it like every AWS call.
#include <functional>
#include <string>
#include <vector>

#include "agent/log.hpp"
#include "aws/cloudwatch.hpp"
#include "config/config.hpp"

namespace bw::agent {

inline constexpr const char* kHeartbeatMetric = "Heartbeat";
inline constexpr const char* kReplicaDimension = "Replica";

// HOSTNAME-PID: unique among replicas on one host and across hosts, without configuration.
std::string default_replica_name();
// `heartbeat.replica`, else default_replica_name().
std::string replica_name(const config::HeartbeatConfig& heartbeat);
// This replica's one name, for its heartbeat and its HA claims: `ha.replica`, else `heartbeat.replica`, else
// default_replica_name().
std::string replica_name(const config::Config& config);
// The data of one heartbeat from `replica` (pure).
std::vector<aws::MetricDatum> heartbeat_data(const std::string& replica);

// Sends one heartbeat each time it is called; nullptr when the config has no `heartbeat:`. The
// function refers to `cloudwatch` and `log`: keep them alive as long as it.
std::function<void()> make_heartbeat(const config::Config& config, aws::CloudWatchClient& cloudwatch, Logger& log);

}  // namespace bw::agent
