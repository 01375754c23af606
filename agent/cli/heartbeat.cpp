#include "agent/cli/heartbeat.hpp"

#include <unistd.h>

#include <climits>

namespace bw::agent {

std::string default_replica_name() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host) != 0 || host[0] == '\0') return "batchwatch-" + std::to_string(getpid());
  host[HOST_NAME_MAX] = '\0';
  return std::string(host) + "-" + std::to_string(getpid());
}

std::string replica_name(const config::HeartbeatConfig& heartbeat) {
  return heartbeat.replica.empty() ? default_replica_name() : heartbeat.replica;
}

std::string replica_name(const config::Config& config) {
  if (config.ha && !config.ha->replica.empty()) return config.ha->replica;
  if (config.heartbeat) return replica_name(*config.heartbeat);
  return default_replica_name();
}

std::vector<aws::MetricDatum> heartbeat_data(const std::string& replica) {
  return {aws::MetricDatum{kHeartbeatMetric, {{kReplicaDimension, replica}}, 1.0, "Count"},
          aws::MetricDatum{kHeartbeatMetric, {}, 1.0, "Count"}};
}

std::function<void()> make_heartbeat(const config::Config& config, aws::CloudWatchClient& cloudwatch, Logger& log) {
  if (!config.heartbeat) return nullptr;
  auto replica = replica_name(config);
  auto data = heartbeat_data(replica);
  return [&cloudwatch, &log, ns = config.heartbeat->ns, replica = std::move(replica), data = std::move(data)] {
    if (auto sent = cloudwatch.put_metric_data(ns, data); !sent)
      log.warn("heartbeat not sent (the cycle itself succeeded)",
               {{"namespace", ns}, {"replica", replica}, {"error", sent.error().describe()}});
  };
}

}  // namespace bw::agent
