#pragma once
// What the commands that read the state file beside a running daemon (`history`, `status`) open first.
#include <memory>
#include <optional>
#include <string>

#include "agent/log.hpp"
#include "agent/state/state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct ReadOnlyState {
  config::Config config;
  std::unique_ptr<StateStore> store;  // read-only: creates nothing, upgrades nothing (WAL: never blocks the writer)
};

// The agent file and its state file; nullopt once the agent file's problems (file:line:col) or the
// state file's error (naming its path) have been printed.
std::optional<ReadOnlyState> open_state_read_only(const std::string& config_path, Logger& log);

}  // namespace bw::agent
