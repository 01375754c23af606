#include "agent/delivery/notification.hpp"

#include <fmt/format.h>

#include "aws/crypto.hpp"

namespace bw::agent {
namespace {

std::string upper_statistic(const std::string& stat) {
  // CloudWatch's alarm notifications spell simple statistics in capitals; percentiles are extended.
  if (stat == "Average") return "AVERAGE";
  if (stat == "Sum") return "SUM";
  if (stat == "Minimum") return "MINIMUM";
  if (stat == "Maximum") return "MAXIMUM";
  if (stat == "SampleCount") return "SAMPLE_COUNT";
  return stat;
}

std::string ascii_only(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

nlohmann::json time_or_null(const std::optional<Time>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json count_or_null(const std::optional<std::int64_t>& n) {
  return n ? nlohmann::json(*n) : nlohmann::json(nullptr);
}

bool is_job_kind(const std::string& kind) { return kind.starts_with("job_"); }

// A job rule's Trigger: no CloudWatch metric behind it, so the job field the kind judges stands in
// for MetricName, Bedrock's control plane for the namespace, and the labels for the dimensions.
nlohmann::json job_trigger(const std::string& kind, const nlohmann::json& dims) {
  const char* judged = kind == "job_status"     ? "status"
                       : kind == "job_stuck"    ? "lastModifiedTime"
                       : kind == "job_errors"   ? "errorRecordCount"
                       : kind == "job_expiry"   ? "jobExpirationTime"
                                                : "ActiveJobs";
  return nlohmann::json{{"MetricName", judged}, {"Namespace", "AWS/Bedrock"}, {"StatisticType", "Statistic"},
                        {"Statistic", nullptr}, {"Unit", nullptr},          {"Dimensions", dims},
                        {"Period", nullptr},    {"EvaluationPeriods", 1}};
}

// A metric rule's Trigger, as CloudWatch writes it for a metric alarm.
nlohmann::json metric_trigger(const config::Rule& rule, const nlohmann::json& dims) {
  nlohmann::json trigger{{"MetricName", rule.metric.name},
                         {"Namespace", rule.metric.ns},
                         {"StatisticType", rule.metric.stat.starts_with('p') ? "ExtendedStatistic" : "Statistic"},
                         {"Statistic", upper_statistic(rule.metric.stat)},
                         {"Unit", nullptr},
                         {"Dimensions", dims},
                         {"Period", rule.metric.period.count()}};
  if (const auto* t = std::get_if<ThresholdSpec>(&rule.spec)) {
    trigger["EvaluationPeriods"] = t->evaluation_periods;
    trigger["DatapointsToAlarm"] = t->datapoints_to_alarm;
    trigger["ComparisonOperator"] = cloudwatch_name(t->comparison);
    trigger["Threshold"] = t->threshold;
    trigger["TreatMissingData"] = to_string(t->treat_missing);
    trigger["EvaluateLowSampleCountPercentile"] = "";
  }
  return trigger;
}

}  // namespace

nlohmann::json job_json(const JobSnapshot& job) {
  return nlohmann::json{{"jobArn", job.arn},
                        {"jobName", job.name},
                        {"modelId", job.model_id},
                        {"status", job.status},
                        {"message", job.message},
                        {"submitTime", time_or_null(job.submit_time)},
                        {"lastModifiedTime", time_or_null(job.last_modified_time)},
                        {"endTime", time_or_null(job.end_time)},
                        {"jobExpirationTime", time_or_null(job.expiration_time)},
                        {"totalRecordCount", count_or_null(job.total)},
                        {"processedRecordCount", count_or_null(job.processed)},
                        {"successRecordCount", count_or_null(job.success)},
                        {"errorRecordCount", count_or_null(job.errors)},
                        {"outputS3Uri", job.output_s3_uri}};
}

std::string alarm_name(const std::string& rule, const std::vector<Dimension>& labels) {
  return labels.empty() ? rule : rule + "/" + labels_text(labels);
}

namespace {

// A job rule's alarm is "RULE/jobName=NAME" (INTERFACE.md): the job's modelId is in the payload's
// labels and job, not in the name. account/region stay when several accounts are watched.
std::string notification_name(const config::Rule& rule, const std::vector<Dimension>& labels) {
  if (!rule.is_job_rule()) return alarm_name(rule.name, labels);
  std::vector<Dimension> named;
  for (const auto& d : labels)
    if (d.name != "modelId") named.push_back(d);
  return alarm_name(rule.name, named);
}

}  // namespace

std::string idempotency_key(const std::string& rule, const std::vector<Dimension>& labels, AlarmState state, Time at) {
  const std::string material = fmt::format("{}\n{}\n{}\n{}", rule, labels_text(labels), to_string(state), epoch(at));
  const auto digest = aws::crypto::sha256(material);
  return aws::crypto::hex(digest.data(), 16);  // the first half: keys already stored and sent are 32 hex digits
}

std::string subject(const StateChange& change) {
  constexpr std::size_t kMax = 99;  // SNS: "must be less than 100 characters"; 100 is refused
  const std::string state(to_string(change.evaluation.state));
  const std::string tail = fmt::format("\" in {}", change.region);
  std::string name = ascii_only(notification_name(*change.rule, change.labels));
  const std::size_t fixed = state.size() + 3 + tail.size();  // `STATE: "` + name + tail
  if (fixed + name.size() > kMax) {
    const std::size_t room = kMax > fixed + 3 ? kMax - fixed - 3 : 0;
    name = name.substr(0, room) + "...";
  }
  auto out = fmt::format("{}: \"{}{}", state, name, tail);
  if (out.size() > kMax) out.resize(kMax);
  return out;
}

nlohmann::json message(const StateChange& change) {
  const auto& rule = *change.rule;
  const auto& eval = change.evaluation;
  auto dims = nlohmann::json::array();
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& d : change.labels) {
    dims.push_back({{"name", d.name}, {"value", d.value}});
    labels[d.name] = d.value;
  }
  const auto kind = rule.kind();
  nlohmann::json trigger = is_job_kind(kind) ? job_trigger(kind, dims) : metric_trigger(rule, dims);
  nlohmann::json bw{{"rule", rule.name},
                    {"kind", kind},
                    {"labels", labels},
                    {"value", eval.value ? nlohmann::json(*eval.value) : nlohmann::json(nullptr)},
                    {"idempotency_key", idempotency_key(rule.name, change.labels, eval.state, change.key_at)}};
  if (!rule.severity.empty()) bw["severity"] = rule.severity;
  if (change.job) bw["job"] = job_json(*change.job);
  if (std::holds_alternative<DrainedSpec>(rule.spec)) {
    bw["jobs"] = nlohmann::json::array();
    for (const auto& job : change.jobs) bw["jobs"].push_back(job_json(job));
  }
  return nlohmann::json{{"AlarmName", notification_name(rule, change.labels)},
                        {"AlarmDescription", rule.description.empty() ? nlohmann::json(nullptr)
                                                                      : nlohmann::json(rule.description)},
                        {"NewStateValue", to_string(eval.state)},
                        {"OldStateValue", to_string(change.old_state)},
                        {"NewStateReason", eval.reason},
                        {"StateChangeTime", format_cloudwatch_change_time(change.at)},
                        {"Region", change.region},
                        {"Trigger", std::move(trigger)},
                        {"batchwatch", std::move(bw)}};
}

}  // namespace bw::agent
