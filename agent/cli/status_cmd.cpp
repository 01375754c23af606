// `batchwatch status`: the current states, the notifications owed and the silences in force, from the
// state file. It opens the file read-only with a busy timeout (WAL: readers never block the daemon's
// writes), so it runs beside the daemon, and never creates or upgrades a state file.
#include <cstdio>

#include "agent/cli/commands.hpp"
#include "agent/cli/read_only_state.hpp"
#include "agent/cli/status_report.hpp"
#include "agent/clock.hpp"

namespace bw::agent {

int cmd_status(const StatusOptions& options, Logger& log) {
  const auto state = open_state_read_only(options.config_path, log);
  if (!state) return 2;
  const auto& store = *state->store;
  StatusInputs in{store.all_states(), store.outbox("pending"), store.outbox_counts(), store.silences(),
                  state->config.silences, {}};
  for (const auto& [name, target] : state->config.targets) in.targets.push_back(name);
  const auto report = build_status_report(std::move(in), SystemClock().now());
  const auto text = options.json ? status_json(report) : status_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace bw::agent
