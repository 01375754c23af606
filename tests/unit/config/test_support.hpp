#pragma once
// Helpers for config tests: a private temp directory per test and a fake environment.
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

}  // namespace bw::config::testing
