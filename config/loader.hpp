#pragma once
// Internal to bw_config: pieces shared by the agent-file and rule-file readers.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.hpp"

namespace bw::config::detail {

// The file's text, or nullopt after a file-level diagnostic (missing, unreadable, a directory).
std::optional<std::string> read_text(const std::string& path, const Sink& sink);
// The document's root, or nullopt after one diagnostic at the parser's mark.
std::optional<YAML::Node> parse_yaml(const std::string& text, const Sink& sink);
// Orders diagnostics[from..] by position; each file's block stays in load order.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics, std::size_t from);

// Rule and target names: [A-Za-z0-9._-]+ keeps them safe in alarm names, labels and file names.
bool valid_name(std::string_view name);

// The prices of one pricing file, by modelId ("*" is the fallback).
using PriceTable = std::map<std::string, Price>;

// State shared across every file of one load.
struct RuleContext {
  struct Where {
    std::string file;
    int line = 0;
  };
  std::map<std::string, Where> names;  // first definition of each rule name
  // Target names the agent file declares (valid or not, so one bad target does not also make
  // every rule naming it fail). nullptr: notify is not checked (a rule file read on its own).
  const std::set<std::string>* targets = nullptr;

  // The rule names each composite lists, with where each name was written; checked by
  // finish_rules() once every file is loaded, since a composite may name a rule of a later file.
  struct CompositeRefs {
    std::string rule;
    std::string file;
    std::vector<Scalar> children;  // all_of then any_of, as written
  };
  std::vector<CompositeRefs> composites;
  // Pricing files already read, by resolved path; nullopt when the file had errors (reported once).
  std::map<std::string, std::optional<PriceTable>> pricing;
};

// Reads the value of a `rules:` key (a list of rule maps) into `out`; only error-free rules are kept.
void read_rule_list(const Sink& sink, const YAML::Node& list, const YAML::Mark& mark, RuleContext& ctx,
                    std::vector<Rule>& out);
// Reads a whole rule file's root (a map whose only key is `rules`).
void read_rule_file(const Sink& sink, const YAML::Node& root, RuleContext& ctx, std::vector<Rule>& out);
// The checks that need every rule file: each name a composite lists must exist (in any file), and
// composites must not form a cycle. Appends diagnostics (in the composites' files) and drops the
// composites they concern from `rules`. Call once, after the last read_rule_file().
void finish_rules(RuleContext& ctx, std::vector<Rule>& rules, std::vector<Diagnostic>& diagnostics, EnvLookup env);

// --- shared by the per-kind readers (rule_file.cpp, rule_kinds.cpp)

// Average Sum Minimum Maximum SampleCount, or a percentile pNN / pNN.NN; reports at `s` otherwise.
bool check_stat(const Sink& sink, const Scalar& s);
// A percentage "50%" or a plain fraction 0.5, as a fraction (0.5); reports at `s` when malformed.
std::optional<double> to_fraction(const Sink& sink, const Scalar& s, std::string_view name);
// true/false; reports and returns nullopt otherwise.
std::optional<bool> read_bool(const Sink& sink, const MapReader& map, std::string_view key);
// `dir_of` is a file path; relative `path` is taken relative to that file's directory.
std::string resolve_next_to(const std::string& dir_of, const std::string& path);

// notify_on: the states that owe a notification (default ALARM and OK; DRAINED for drained rules).
void read_notify_on(const Sink& sink, const MapReader& rule, std::string_view kind, Rule& out);

// Per-kind keys (beyond the common ones) and readers. Each reads `rule` into `out.spec`.
void read_baseline(const Sink& sink, const MapReader& rule, Rule& out);
void read_drained(const Sink& sink, const MapReader& rule, Rule& out);
void read_absent(const Sink& sink, const MapReader& rule, Rule& out);
void read_deadline(const Sink& sink, const MapReader& rule, Rule& out);
// false: drop the rule though nothing new was reported (its pricing file's problems were reported for
// an earlier rule).
bool read_cost(const Sink& sink, const MapReader& rule, RuleContext& ctx, Rule& out);
void read_composite(const Sink& sink, const MapReader& rule, RuleContext& ctx, Rule& out);

// --- job_rules.cpp: the job kinds (job_status ... job_concurrency) and the agent file's `jobs:` key.
bool is_job_kind(std::string_view kind);
void read_job_rule(const Sink& sink, const MapReader& rule, std::string_view kind, Rule& out);
void read_jobs_config(const MapReader& top, JobsConfig& jobs);
// The agent file's `ha:` block (agent_ha.cpp); cfg.ha stays unset without it.
void read_ha(const Sink& sink, const MapReader& top, Config& cfg);

// --- pricing.cpp: a pricing file (currency, batch_discount, models). Diagnostics name `path`.
std::optional<PriceTable> read_pricing_file(const std::string& path, std::vector<Diagnostic>& diagnostics,
                                            EnvLookup env);
std::optional<PriceTable> parse_pricing(const std::string& text, const Sink& sink);

// --- timezones.cpp: an IANA zone from $TZDIR (else /usr/share/zoneinfo) through TimeZone::from_tzif.
// On failure returns nullopt and sets `error` to a whole message, e.g. unknown time zone "America/Chicgo"
// (did you mean "America/Chicago"?).
std::optional<TimeZone> load_time_zone(std::string_view name, EnvLookup env, std::string& error);

}  // namespace bw::config::detail
