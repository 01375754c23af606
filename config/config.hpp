#pragma once
// The typed, immutable configuration: the agent file plus every rule file it names.
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

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

struct AwsConfig {
  std::string region;        // "" = from the environment
  std::string profile;       // "" = the default chain
  std::string endpoint_url;  // one endpoint for every service (moto, LocalStack)
  std::map<std::string, std::string> endpoints;  // per-service override: monitoring, sns, sts, ...
};

struct PollConfig {
  Duration delay{120};       // newest period trusted only this long after it ends
  Duration catch_up{3 * 3600};
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

struct Target {
  std::string name;
  std::variant<SnsTarget, ExecTarget, WebhookTarget> spec;
  std::string type() const;  // "sns" "exec" "webhook"
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

struct Rule {
  std::string name;
  std::string description;
  std::string file;  // where it was defined, for messages
  int line = 0;
  MetricSpec metric;
  std::vector<std::string> notify;  // target names
  std::variant<ThresholdSpec> spec;
  std::string kind() const;  // "threshold"
};

struct Config {
  std::string path;  // the agent file
  AwsConfig aws;
  PollConfig poll;
  std::string state_path = "./batchwatch.db";  // resolved relative to the agent file
  std::string server_listen = "127.0.0.1:9917";
  std::map<std::string, Target> targets;
  std::vector<std::string> rule_files;  // resolved paths, in load order
  std::vector<Rule> rules;
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

// Loads one rule file's text on its own (unit tests, `check` of a single file).
std::vector<Rule> parse_rules(const std::string& text, const std::string& file_name,
                              std::vector<Diagnostic>& diagnostics, EnvLookup env = process_env);

}  // namespace bw::config
