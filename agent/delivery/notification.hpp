#pragma once
// The notification a state change owes: a CloudWatch-alarm-shaped JSON message (so existing
// consumers of alarm mail and Lambda parsers work unchanged) plus batchwatch's own fields.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "rules/alarm.hpp"
#include "rules/jobs.hpp"

namespace bw::agent {

struct StateChange {
  const config::Rule* rule = nullptr;
  std::vector<Dimension> labels;
  AlarmState old_state = AlarmState::InsufficientData;
  Evaluation evaluation;  // the new state, value, reason
  Time at{};              // StateChangeTime
  std::string region;
  const JobSnapshot* job = nullptr;  // a job rule's job: `batchwatch.job`, and the Trigger names it
  std::vector<JobSnapshot> jobs;     // a drained rule's finished jobs: `batchwatch.jobs` (always there)
  // What the idempotency key's time is: the event, not the wall clock of the cycle that saw it, so every
  // replica evaluating the same data keys the same transition alike (CycleRecorder::record says which).
  Time key_at{};
};

// A job in Bedrock's field names (ModelInvocationJobSummary, outputDataConfig flattened to
// outputS3Uri); a field Bedrock did not send is null.
nlohmann::json job_json(const JobSnapshot& job);

// "rule/modelId=m1" (or just "rule" when the series has no dimensions).
std::string alarm_name(const std::string& rule, const std::vector<Dimension>& labels);
// Stable for one notification: the same change always yields the same key, so receivers can drop
// duplicates of an at-least-once delivery, and replicas (`ha:`) claim the same notification by it.
// `at` is StateChange::key_at: the event's time, never the wall clock of the cycle.
std::string idempotency_key(const std::string& rule, const std::vector<Dimension>& labels, AlarmState state, Time at);
// `ALARM: "rule/modelId=m1" in us-east-1`: ASCII only, at most 100 characters (SNS's limit).
std::string subject(const StateChange& change);
nlohmann::json message(const StateChange& change);

}  // namespace bw::agent
