#pragma once
// Helpers for config tests: a private temp directory per test that writes agent and rule files, the
// rule YAML that many tests share, parse() for one rule file, and a fake environment. A test file
// says `using namespace testing;` and then shows only what it varies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace bw::config::testing {

// The matchers every config test uses, brought in with the helpers.
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A fresh directory under the system temp dir, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = std::string("bw_config_") + info->test_suite_name() + "_" + info->name() + "_" +
                             std::to_string(::getpid());
    root_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to root/relative (creating directories) and returns the full path.
  std::string write(const std::string& relative, const std::string& text) const {
    const auto p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  // Writes the agent file, root/agent.yaml, and returns its path.
  std::string agent(const std::string& text) const { return write("agent.yaml", text); }
  std::string path(const std::string& relative = "") const {
    return relative.empty() ? root_.string() : (root_ / relative).string();
  }

 private:
  std::filesystem::path root_;
};

// The only environment unit tests see.
inline std::optional<std::string> fake_env(const char* name) {
  static const std::map<std::string, std::string> vars = {
      {"WEBHOOK_SECRET", "s3cret"}, {"REGION", "eu-west-1"}, {"EMPTY", ""}, {"TOPIC", "bedrock-batch-ops"}};
  const auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

inline std::vector<std::string> strings(const std::vector<Diagnostic>& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.str());
  return out;
}

// What parse_rules() made of one rule file, with its diagnostics as text.
struct Parsed {
  std::vector<Rule> rules;
  std::vector<std::string> diags;
};

// Parses `text` as the rule file `file` (only named in diagnostics unless a rule reads a file next to it).
inline Parsed parse(const std::string& text, const std::string& file = "rules.yaml") {
  std::vector<Diagnostic> diags;
  auto rules = parse_rules(text, file, diags, fake_env);
  return {std::move(rules), strings(diags)};
}

// A minimal valid threshold rule as one flow-style list item (one line under "rules:"), notifying
// `targets` (the inside of a flow list, e.g. "a, b"). The name starts at column 12.
inline std::string threshold_rule(const std::string& name, const std::string& targets = "") {
  return "  - {name: " + name + ", kind: threshold, metric: {namespace: NS, name: M}, comparison: \">\", " +
         "threshold: 1, notify: [" + targets + "]}\n";
}

// The threshold rule of INTERFACE.md as a whole rule file; the rule starts on line 2.
inline const char* const kInterfaceThresholdRule = R"(rules:
  - name: input-tokens-high          # unique across all files; [A-Za-z0-9._-]+
    kind: threshold
    description: Token throughput above plan
    metric:
      namespace: AWS/Bedrock/Batch
      name: NumberOfInputTokensProcessedPerMinute
      dimensions: {modelId: "*"}     # "*": one series per value found by ListMetrics
      stat: Average                  # Average Sum Minimum Maximum SampleCount pNN
      period: 6h
    comparison: ">"                  # > >= < <=
    threshold: 1000000
    evaluation_periods: 1            # N
    datapoints_to_alarm: 1           # M (default N)
    treat_missing_data: missing      # missing ignore breaching notBreaching
    notify: [ops-email]              # targets, on every state change
)";

}  // namespace bw::config::testing
