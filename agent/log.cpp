#include "agent/log.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "rules/time.hpp"

namespace bw::agent {

bool Logger::parse_level(std::string_view s, LogLevel& out) {
  if (s == "debug") out = LogLevel::Debug;
  else if (s == "info") out = LogLevel::Info;
  else if (s == "warn" || s == "warning") out = LogLevel::Warn;
  else if (s == "error") out = LogLevel::Error;
  else return false;
  return true;
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  static constexpr std::string_view names[] = {"debug", "info", "warn", "error"};
  const auto name = names[static_cast<int>(level)];
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string line;
  if (json_) {
    nlohmann::json j{{"time", format_rfc3339(now)}, {"level", name}, {"msg", message}};
    for (const auto& [k, v] : fields) j[std::string(k)] = v;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = fmt::format("{} {:5} {}", format_rfc3339(now), name, message);
    for (const auto& [k, v] : fields) {
      // Control characters too: a raw newline in a value would split the entry into two lines.
      const bool quote = v.empty() || std::any_of(v.begin(), v.end(), [](unsigned char c) {
                           return c <= ' ' || c == 0x7f || c == '"' || c == '=';
                         });
      line += quote ? fmt::format(" {}={:?}", k, v) : fmt::format(" {}={}", k, v);
    }
  }
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace bw::agent
