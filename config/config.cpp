#include "config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "config/loader.hpp"

namespace bw::config {

std::string Diagnostic::str() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

std::string Target::type() const {
  static constexpr const char* names[] = {"sns", "exec", "webhook", "eventbridge", "stepfunctions"};
  static_assert(std::size(names) == std::variant_size_v<decltype(spec)>);
  return names[spec.index()];
}

std::string Rule::kind() const {
  static constexpr const char* names[] = {"threshold",  "baseline",  "drained",    "absent",     "deadline",
                                          "cost",       "composite", "job_status", "job_stuck",  "job_errors",
                                          "job_expiry", "job_concurrency"};
  static_assert(std::size(names) == std::variant_size_v<decltype(spec)>);
  return names[spec.index()];
}

bool Rule::is_job_rule() const {
  return std::visit([](const auto& s) { return is_job_spec_v<std::decay_t<decltype(s)>>; }, spec);
}

bool MetricSpec::has_wildcard() const {
  return std::any_of(dimensions.begin(), dimensions.end(), [](const Dimension& d) { return d.value == "*"; });
}

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

namespace detail {

std::optional<std::string> read_text(const std::string& path, const Sink& sink) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    sink.error_at_file("is a directory, not a YAML file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    sink.error_at_file(fmt::format("cannot read file: {}", std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    sink.error_at_file(fmt::format("cannot read file: {}", std::strerror(errno)));
    return std::nullopt;
  }
  return text.str();
}

std::optional<YAML::Node> parse_yaml(const std::string& text, const Sink& sink) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::string hint;
    // The likeliest ways to hit these in batchwatch files: `comparison: >=` and `modelId: *` unquoted.
    if (e.msg.find("block scalar") != std::string::npos)
      hint = " (a value starting with \">\" or \"|\" must be quoted, e.g. comparison: \">=\")";
    else if (e.msg.find("alias") != std::string::npos || e.msg.find("anchor") != std::string::npos)
      hint = " (a value starting with \"*\" must be quoted, e.g. modelId: \"*\")";
    sink.error(e.mark, fmt::format("YAML syntax error: {}{}", e.msg, hint));
    return std::nullopt;
  }
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics, std::size_t from) {
  // Files keep the order in which they first reported (a rule file, then the pricing file it
  // names); within a file, by position.
  std::map<std::string, std::size_t> file_order;
  for (auto i = from; i < diagnostics.size(); ++i) file_order.emplace(diagnostics[i].file, file_order.size());
  std::stable_sort(diagnostics.begin() + static_cast<std::ptrdiff_t>(from), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     return std::tuple(file_order[a.file], a.line, a.column) <
                            std::tuple(file_order[b.file], b.line, b.column);
                   });
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace detail
}  // namespace bw::config
