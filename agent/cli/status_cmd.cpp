// `batchwatch status`: the current states, the notifications owed and the silences in force, from the
// state file. It opens the file read-only with a busy timeout (WAL: readers never block the daemon's
// writes), so it runs beside the daemon, and never creates or upgrades a state file.
#include <cstdio>

#include "agent/cli/commands.hpp"
#include "agent/cli/status_report.hpp"
#include "agent/clock.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

int cmd_status(const StatusOptions& options, Logger& log) {
  auto loaded = config::load(options.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  auto opened = SqliteStateStore::open_read_only(loaded.config->state_path);
  if (!opened) {
    log.error(opened.error().describe());
    return 2;
  }
  const auto& store = *opened.value();
  StatusInputs in{store.all_states(), store.outbox("pending"), store.outbox_counts(), store.silences(),
                  loaded.config->silences, {}};
  for (const auto& [name, target] : loaded.config->targets) in.targets.push_back(name);
  const auto report = build_status_report(std::move(in), SystemClock().now());
  const auto text = options.json ? status_json(report) : status_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace bw::agent
