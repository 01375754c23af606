#pragma once
// Internal to bw_config: typed, mark-preserving reads from yaml-cpp nodes. Every problem becomes a
// Diagnostic and reading carries on, so one `check` run shows an operator everything to fix.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace bw::config::detail {

// Collects the diagnostics of one file. `env` resolves ${VAR} in scalar values.
struct Sink {
  std::string file;
  std::vector<Diagnostic>* out = nullptr;
  EnvLookup env = nullptr;

  void error(const YAML::Mark& mark, std::string message) const;
  void error_at_file(std::string message) const;  // no position: unreadable file and the like
};

// "a map", "a list", "a string", "nothing": for "must be X, not Y" messages.
std::string_view describe(const YAML::Node& node);

// Optimal-string-alignment distance (a transposition costs 1, so "trehsold" is close to "threshold").
int edit_distance(std::string_view a, std::string_view b);
// The candidate within distance 2 of `word`, nearest first; nullopt when none is close enough.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string_view>& candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

// Expands ${VAR} and ${VAR:-default}; "$${" yields a literal "${". On failure returns nullopt and
// sets `error` to a message naming the variable.
std::optional<std::string> interpolate(std::string_view text, EnvLookup env, std::string& error);

// A scalar after interpolation, with where it was written.
struct Scalar {
  std::string text;
  YAML::Mark mark;
};

// Reads one YAML map. Construction reports a non-map value; reads of absent keys return nullopt
// without a diagnostic (call require() for mandatory keys); reads of present but malformed values
// report and return nullopt, so callers only test the optional.
class MapReader {
 public:
  // `where` names the map for messages (e.g. `rule "cpu-high"`, `target "ops"`, `poll`);
  // `prefix` is prepended to key names in messages (e.g. "metric.").
  MapReader(const Sink& sink, const YAML::Node& node, const YAML::Mark& fallback, std::string where,
            std::string prefix = "");

  bool valid() const { return valid_; }
  void set_where(std::string where) { where_ = std::move(where); }  // once a rule's name is known
  const YAML::Mark& mark() const { return mark_; }
  const Sink& sink() const { return *sink_; }

  // Reports keys outside `allowed` (with a suggestion) and keys written twice.
  void check_keys(const std::vector<std::string_view>& allowed) const;
  // Reports `key` as missing (with `what_it_is` as the hint) and returns false when it is absent.
  bool require(std::string_view key, std::string_view what_it_is) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // The raw value (null node when absent); `value_mark` is where to point diagnostics about it.
  std::optional<YAML::Node> node(std::string_view key) const;
  YAML::Mark value_mark(std::string_view key) const;
  YAML::Mark key_mark(std::string_view key) const;

  std::optional<Scalar> scalar(std::string_view key) const;
  std::optional<std::string> string(std::string_view key) const;
  // `allow_zero` accepts "0"/"0s" for settings where zero means "off".
  std::optional<Duration> duration(std::string_view key, bool allow_zero = false) const;
  std::optional<double> number(std::string_view key) const;
  std::optional<long long> integer(std::string_view key) const;
  // A list of strings; a YAML null (`key:` with nothing after it) reads as an empty list.
  std::optional<std::vector<Scalar>> string_list(std::string_view key) const;
  // A nested map; absent or null yields an empty (valid) reader so sections may be left out.
  MapReader map(std::string_view key, std::string_view where) const;

  // Every entry in document order, for maps whose keys are user data (targets, dimensions).
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  const std::vector<Entry>& entries() const { return entries_; }

  // Helpers shared with callers that hold a bare node (list items).
  static std::optional<Scalar> to_scalar(const Sink& sink, const YAML::Node& node, const YAML::Mark& mark,
                                         std::string_view name);

 private:
  const Entry* find(std::string_view key) const;
  std::string name_of(std::string_view key) const { return prefix_ + std::string(key); }

  const Sink* sink_;
  YAML::Mark mark_;
  std::string where_;
  std::string prefix_;
  bool valid_ = false;
  std::vector<Entry> entries_;
};

// parse_duration with the operator-facing error; `allow_zero` accepts "0"/"0s" (zero meaning "off").
std::optional<Duration> to_duration(const Sink& sink, const Scalar& s, bool allow_zero = false);

// An http:// or https:// URL with something after the scheme (webhooks, endpoints).
bool is_http_url(std::string_view url);

// A usable mark for `node`: its own, or `fallback` when yaml-cpp gave none (null values point at
// the next token, which misleads; callers pass the key's mark as fallback).
YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback);

}  // namespace bw::config::detail
