#pragma once
// The subcommands of the batchwatch executable; each returns the process exit status.
#include <optional>
#include <string>

#include "agent/log.hpp"
#include "rules/time.hpp"

namespace bw::agent {

struct OnceOptions {
  std::string config_path;
  std::optional<Time> now;
  bool dry_run = false;
  bool json = false;
};

struct RunOptions {
  std::string config_path;
};

int cmd_check(const std::string& config_path, Logger& log);
int cmd_once(const OnceOptions& options, Logger& log);  // 0 all OK, 1 any ALARM, 2 error
int cmd_run(const RunOptions& options, Logger& log);
int cmd_version();

}  // namespace bw::agent
