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
};

// Reads the value of a `rules:` key (a list of rule maps) into `out`; only error-free rules are kept.
void read_rule_list(const Sink& sink, const YAML::Node& list, const YAML::Mark& mark, RuleContext& ctx,
                    std::vector<Rule>& out);
// Reads a whole rule file's root (a map whose only key is `rules`).
void read_rule_file(const Sink& sink, const YAML::Node& root, RuleContext& ctx, std::vector<Rule>& out);

}  // namespace bw::config::detail
