#pragma once
// Structured logs to stderr: "text" for people, "json" (one object per line) for collectors.
// Fields are key/value pairs; callers never pass secrets (credentials, webhook secrets) as fields.
#include <fmt/format.h>

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace bw::agent {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string>;

  explicit Logger(LogLevel level = LogLevel::Info, bool json = false, std::FILE* out = stderr)
      : level_(level), json_(json), out_(out) {}
  static bool parse_level(std::string_view s, LogLevel& out);

  void log(LogLevel level, std::string_view message, std::initializer_list<Field> fields = {});
  void debug(std::string_view m, std::initializer_list<Field> f = {}) { log(LogLevel::Debug, m, f); }
  void info(std::string_view m, std::initializer_list<Field> f = {}) { log(LogLevel::Info, m, f); }
  void warn(std::string_view m, std::initializer_list<Field> f = {}) { log(LogLevel::Warn, m, f); }
  void error(std::string_view m, std::initializer_list<Field> f = {}) { log(LogLevel::Error, m, f); }
  bool enabled(LogLevel level) const { return level >= level_; }

 private:
  LogLevel level_;
  bool json_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace bw::agent
