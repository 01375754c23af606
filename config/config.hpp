#pragma once
// The typed, immutable configuration: the agent file plus every rule file it names.
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "rules/jobs.hpp"
#include "rules/kinds.hpp"
#include "rules/series.hpp"
#include "rules/threshold.hpp"

namespace bw::config {

// A problem found while loading, reported as FILE:LINE:COL: message (line and column from 1).
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string str() const;
};

// One AWS account the rules also run in (aws.accounts): its metrics are read with credentials from STS
// AssumeRole of `role_arn` on top of the base chain.
struct Account {
  std::string name;         // [A-Za-z0-9._-]+, unique; the value of the `account` label
  std::string role_arn;     // arn:aws[-partition]:iam::ACCOUNT:role/NAME
  std::string external_id;  // "" = none
  std::vector<std::string> regions;  // empty = the agent's region
};

struct AwsConfig {
  std::string region;        // "" = from the environment
  std::string profile;       // "" = the default chain
  std::string endpoint_url;  // one endpoint for every service (moto, LocalStack)
  std::map<std::string, std::string> endpoints;  // per-service override: monitoring, sns, sts, ...
  std::string ca_bundle;     // PEM file of CAs to trust; "" = AWS_CA_BUNDLE, the profile's, or the system's
  bool use_fips = false;     // FIPS endpoints (also AWS_USE_FIPS_ENDPOINT / the profile's use_fips_endpoint)
  std::vector<Account> accounts;  // empty: only the base credentials' account, in `region`
};

struct PollConfig {
  Duration delay{120};       // newest period trusted only this long after it ends
  Duration catch_up{3 * 3600};
  Duration discovery_ttl{900};  // ListMetrics results are reused this long
};

// `jobs:` of the agent file: the Bedrock job watch (ListModelInvocationJobs).
struct JobsConfig {
  bool enabled = false;             // the `jobs:` key is present or any job rule exists
  Duration every{60};               // list the jobs at most this often
  Duration lookback{3 * 86400};     // jobs submitted within this window (submitTimeAfter)
};

struct SnsTarget {
  std::string topic_arn;
};
struct ExecTarget {
  std::vector<std::string> command;
  Duration timeout{60};
};
struct WebhookTarget {
  std::string url;
  std::string secret;  // never logged
  Duration timeout{10};
};
struct EventBridgeTarget {
  std::string event_bus = "default";  // name or ARN
  std::string source = "batchwatch";
  std::string detail_type = "Batchwatch Alarm State Change";
};
struct StepFunctionsTarget {
  std::string state_machine_arn;
};

struct Target {
  std::string name;
  std::variant<SnsTarget, ExecTarget, WebhookTarget, EventBridgeTarget, StepFunctionsTarget> spec;
  Duration max_age{24 * 3600};  // an undelivered notification older than this is marked dead
  std::string type() const;     // "sns" "exec" "webhook" "eventbridge" "stepfunctions"
};

// A silence: matching notifications are recorded as silenced instead of sent.
struct Silence {
  std::string rule = "*";                     // rule name, or "*" for every rule
  std::map<std::string, std::string> labels;  // every listed label must match ("*" matches any value)
  Time starts{};
  Time ends{};
  std::string comment;
};

// The metric a rule reads. A dimension whose value is "*" expands to one series per value found.
struct MetricSpec {
  std::string ns;
  std::string name;
  std::vector<Dimension> dimensions;  // sorted by name
  std::string stat = "Average";
  Duration period{300};

  bool has_wildcard() const;
};

// Another metric of the rule's namespace and labels (deadline's rate, cost's output tokens).
struct MetricRef {
  std::string name;
  std::string stat = "Average";
};

struct DeadlineRule {
  DeadlineSpec spec;  // the rule's metric is the backlog
  MetricRef rate;     // e.g. NumberOfInputTokensProcessedPerMinute
};

struct CostRule {
  CostSpec budget;                      // the rule's metric is input tokens per minute
  MetricRef output;                     // output tokens per minute
  std::map<std::string, Price> prices;  // by modelId; "*" is the fallback
  std::string pricing_file;             // resolved path, for messages
};

// The job kinds' specs: rules judged from the Bedrock job list (the job watch), not from a metric.
template <class S>
inline constexpr bool is_job_spec_v = std::is_same_v<S, JobStatusSpec> || std::is_same_v<S, JobStuckSpec> ||
                                      std::is_same_v<S, JobErrorsSpec> || std::is_same_v<S, JobExpirySpec> ||
                                      std::is_same_v<S, JobConcurrencySpec>;

struct Rule {
  std::string name;
  std::string description;
  std::string file;  // where it was defined, for messages
  int line = 0;
  MetricSpec metric;  // unused by composite and job rules
  std::vector<std::string> notify;  // target names
  std::vector<AlarmState> notify_on;  // states that owe a notification (default: ALARM, OK; drained: DRAINED)
  std::optional<Duration> repeat;     // re-notify this often while in ALARM
  std::string severity;               // free text passed to targets (SNS message attribute)
  std::variant<ThresholdSpec, BaselineSpec, DrainedSpec, AbsentSpec, DeadlineRule, CostRule, CompositeSpec,
               JobStatusSpec, JobStuckSpec, JobErrorsSpec, JobExpirySpec, JobConcurrencySpec>
      spec;
  JobFilter jobs;  // job rules: `jobs: {model, name}` globs (default "*")
  // "threshold" "baseline" "drained" "absent" "deadline" "cost" "composite", and the job kinds
  // "job_status" "job_stuck" "job_errors" "job_expiry" "job_concurrency"
  std::string kind() const;
  bool is_job_rule() const;  // one of the job kinds: judged from the Bedrock job list, no metric
};

// heartbeat: after each successful cycle, PutMetricData `Heartbeat` = 1 in `ns`, once with the dimension
// `Replica` and once without (the series the sample alarm watches: one that every replica feeds).
struct HeartbeatConfig {
  std::string ns = "Batchwatch";
  std::string replica;  // "" = HOSTNAME-PID at run time (ha.replica, once HA exists, takes precedence)
};

// ha: replicas share one DynamoDB table of notification claims (agent/delivery/claims.hpp): every
// replica evaluates, one delivers each notification, and a drain hook runs once in total.
struct HaConfig {
  std::string dynamodb_table;  // required; names the table in every error
  bool create_table = false;   // true: create it (on-demand billing) when missing
  std::string replica;         // "" = HOSTNAME-PID at run time
  Duration lease{30};          // a claim's lease: another replica takes an undelivered claim over after it
};

struct Config {
  std::string path;  // the agent file
  AwsConfig aws;
  PollConfig poll;
  JobsConfig jobs;
  std::string state_path = "./batchwatch.db";  // resolved relative to the agent file
  Duration state_retention{30 * 86400};        // history and finished outbox rows older than this are pruned
  std::string server_listen = "127.0.0.1:9917";
  std::string server_auth_token;  // "" = none; required when server_listen is not loopback. Never logged.
  // SIGTERM/SIGINT: deliveries may finish within this; then hooks still running are stopped (their
  // process group gets SIGTERM, then SIGKILL) and their notifications stay owed for the next start.
  Duration shutdown_grace{10};
  std::map<std::string, Target> targets;
  std::vector<Silence> silences;
  std::vector<std::string> rule_files;  // resolved paths, in load order
  std::vector<Rule> rules;
  std::optional<HeartbeatConfig> heartbeat;  // set when the agent file has `heartbeat:`
  std::optional<HaConfig> ha;                // set when the agent file has `ha:`
};

struct LoadResult {
  std::optional<Config> config;  // set iff diagnostics is empty
  std::vector<Diagnostic> diagnostics;
};

// Reads ${VAR}; injected so tests never depend on the real environment.
using EnvLookup = std::optional<std::string> (*)(const char* name);
std::optional<std::string> process_env(const char* name);

// Loads and validates the agent file and every rule file; collects every problem, not just the first.
LoadResult load(const std::string& agent_file, EnvLookup env = process_env);

// With aws.accounts: appends the wildcard dimensions `account: "*"` and `region: "*"` to the metric of every
// non-composite rule (re-sorted), so each rule expands per (account, region) and its labels carry both.
// load() calls it when accounts are configured; returns a diagnostic for each rule whose metric already
// has a dimension of either name.
inline constexpr const char* kAccountDimension = "account";
inline constexpr const char* kRegionDimension = "region";
std::vector<Diagnostic> add_account_dimensions(Config& config);

// Loads one rule file's text on its own (unit tests, `check` of a single file).
std::vector<Rule> parse_rules(const std::string& text, const std::string& file_name,
                              std::vector<Diagnostic>& diagnostics, EnvLookup env = process_env);

}  // namespace bw::config
