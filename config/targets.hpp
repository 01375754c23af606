#pragma once
// Internal to bw_config: the `targets:` and `silences:` sections of the agent file.
#include <set>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace bw::config::detail {

// Reads `targets:` into cfg.targets (only error-free targets are kept); every name written there,
// valid or not, goes into `declared` so rules naming a broken target are not reported twice.
void read_targets(const Sink& sink, const MapReader& top, Config& cfg, std::set<std::string>& declared);

// A silence naming one rule: checked once every rule file is read.
struct SilenceRuleRef {
  std::string rule;
  YAML::Mark mark;
  int index = 0;  // 1-based, for messages
};

// Reads `silences:` into cfg.silences (only error-free silences are kept).
void read_silences(const Sink& sink, const MapReader& top, Config& cfg, std::vector<SilenceRuleRef>& rule_refs);

// Reports silences naming a rule no file defines (a typo there would silently silence nothing).
void check_silence_rules(const Sink& sink, const std::vector<SilenceRuleRef>& refs, const RuleContext& ctx);

}  // namespace bw::config::detail
