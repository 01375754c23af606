// The YAML configuration: the input as an agent file, loaded by config::load as `batchwatch check` loads it
// (from a file, so relative rule_files globs resolve against its private directory), and as a rule file
// through config::parse_rules. Checked: load() gives a Config exactly when it reports no diagnostic.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

// No ${VAR} is set: interpolation reports the unset variable instead of reading the fuzzing machine's environment.
std::optional<std::string> empty_environment(const char*) { return std::nullopt; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bw::fuzz::ScratchFile agent_file("agent.yaml");
  const auto& path = agent_file.write(data, size);
  const auto loaded = bw::config::load(path, empty_environment);
  if (loaded.config.has_value() == !loaded.diagnostics.empty())
    bw::fuzz::property_failed("load() must give a Config exactly when there is no diagnostic");

  std::vector<bw::config::Diagnostic> diagnostics;
  (void)bw::config::parse_rules(std::string(bw::fuzz::as_text(data, size)), "rules.yaml", diagnostics,
                                empty_environment);
  return 0;
}
