// `batchwatch history`: the transitions recorded in the state file, oldest first. It opens the file
// read-only, so it runs beside the daemon (WAL: readers never block the writer) and never upgrades
// or creates a state file.
#include <cstdio>

#include "agent/cli/commands.hpp"
#include "agent/cli/read_only_state.hpp"
#include "agent/cli/transition_lines.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace bw::agent {

std::optional<ReadOnlyState> open_state_read_only(const std::string& config_path, Logger& log) {
  auto loaded = config::load(config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return std::nullopt;
  }
  auto opened = SqliteStateStore::open_read_only(loaded.config->state_path);
  if (!opened) {
    log.error(opened.error().describe());
    return std::nullopt;
  }
  return ReadOnlyState{std::move(*loaded.config), std::move(opened).value()};
}

int cmd_history(const HistoryOptions& options, Logger& log) {
  const auto state = open_state_read_only(options.config_path, log);
  if (!state) return 2;
  std::size_t count = 0;
  for (const auto& h : state->store->history()) {
    if ((options.since && h.at < *options.since) || (!options.rule.empty() && h.rule != options.rule)) continue;
    ++count;
    print_transition({h.at, h.rule, labels_of(h.series), h.from, h.to, h.value, h.reason}, options.json);
  }
  if (!options.json) std::printf("%zu transition(s)\n", count);
  return 0;
}

}  // namespace bw::agent
