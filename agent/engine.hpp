#pragma once
// One cycle: discover series, plan, fetch, evaluate every (rule, series), and record new states with
// the notifications they owe in one transaction. Delivery is the Dispatcher's job.
#include <optional>
#include <string>
#include <vector>

#include "agent/log.hpp"
#include "agent/metric_source.hpp"
#include "agent/planner.hpp"
#include "agent/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct InstanceResult {
  const config::Rule* rule = nullptr;
  std::vector<Dimension> labels;
  AlarmState old_state = AlarmState::InsufficientData;
  Evaluation evaluation;
  bool transition = false;
  std::size_t notifications = 0;  // outbox rows queued by this evaluation
};

struct CycleReport {
  Time now{};
  std::vector<InstanceResult> results;
  std::size_t series = 0;        // unique series queried
  std::size_t query_groups = 0;  // time ranges queried
  std::size_t datapoints = 0;
  std::size_t notifications = 0;
};

// Whether a change to `state` owes a notification, given the last state one was owed for:
// ALARM and DRAINED always; OK only when it resolves an ALARM (no "OK" mail for every new series);
// INSUFFICIENT_DATA never (it is visible in status and logs).
bool owes_notification(AlarmState state, const std::string& last_notified);

class Engine {
 public:
  Engine(const config::Config& config, MetricSource& source, Logger& log, std::string region)
      : config_(config), source_(source), log_(log), region_(std::move(region)) {}

  // Evaluates as of `now`. With a store, previous states come from it and the results are
  // committed (unless `record` is false: a dry run reads state but writes nothing).
  Result<CycleReport> run(Time now, StateStore* store, bool record);

 private:
  const config::Config& config_;
  MetricSource& source_;
  Logger& log_;
  std::string region_;
};

}  // namespace bw::agent
