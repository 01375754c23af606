#include "agent/cli/transition_lines.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace bw::agent {

void print_transition(const TransitionLine& t, bool json) {
  if (json) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& d : t.labels) labels[d.name] = d.value;
    nlohmann::json j{{"time", format_rfc3339(t.at)},
                     {"rule", t.rule},
                     {"labels", labels},
                     {"from", t.from},
                     {"to", t.to},
                     {"value", t.value ? nlohmann::json(*t.value) : nlohmann::json(nullptr)},
                     {"reason", t.reason}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  const auto series = labels_text(t.labels);
  std::printf("%s  %-24s %-36s %-17s -> %-17s %s\n", format_rfc3339(t.at).c_str(), t.rule.c_str(),
              series.empty() ? "-" : series.c_str(), t.from.c_str(), t.to.c_str(), t.reason.c_str());
}

std::vector<Dimension> labels_of(const std::string& series) {
  std::vector<Dimension> out;
  std::size_t from = 0;
  while (from < series.size()) {
    auto comma = series.find(',', from);
    if (comma == std::string::npos) comma = series.size();
    const auto part = series.substr(from, comma - from);
    const auto eq = part.find('=');
    if (eq == std::string::npos && !out.empty()) out.back().value += "," + part;
    else if (eq != std::string::npos) out.push_back({part.substr(0, eq), part.substr(eq + 1)});
    from = comma + 1;
  }
  return out;
}

}  // namespace bw::agent
