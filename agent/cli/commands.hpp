#pragma once
// The subcommands of the batchwatch executable; each returns the process exit status.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/log.hpp"
#include "rules/time.hpp"

namespace bw::agent {

struct OnceOptions {
  std::string config_path;
  std::optional<Time> now;
  bool dry_run = false;
  bool json = false;
};

struct BacktestOptions {
  std::string config_path;
  std::string input_path;
  std::optional<Time> from, to;
  bool json = false;
};

struct SilenceOptions {
  std::string config_path;
  std::string action;  // add list expire
  std::string rule;
  std::vector<std::string> matchers;  // NAME=VALUE
  std::optional<Time> starts;
  Duration duration{3600};
  std::string comment;
  std::int64_t id = 0;
};

struct HistoryOptions {
  std::string config_path;
  std::optional<Time> since;  // transitions at or after this time (default: every one kept)
  std::string rule;           // only this rule ("" = every rule)
  bool json = false;
};

struct StatusOptions {
  std::string config_path;
  bool json = false;
};

struct JobsOptions {
  std::string config_path;
  bool json = false;
};

struct RunOptions {
  std::string config_path;
  std::optional<Time> simulate_from;  // run on a SimulatedClock starting here (no waiting between cycles)
  std::optional<int> cycles;          // after this many cycles, stop cycling and idle until SIGTERM/SIGINT
};

int cmd_check(const std::string& config_path, Logger& log);
int cmd_once(const OnceOptions& options, Logger& log);  // 0 all OK, 1 any ALARM, 2 error
int cmd_run(const RunOptions& options, Logger& log);
int cmd_backtest(const BacktestOptions& options, Logger& log);  // 0, or 2 on error
int cmd_history(const HistoryOptions& options, Logger& log);  // 0, or 2 on error
int cmd_status(const StatusOptions& options, Logger& log);
int cmd_jobs(const JobsOptions& options, Logger& log);  // 0, or 2 when Bedrock could not be asked    // 0, or 2 on error
int cmd_silence(const SilenceOptions& options, Logger& log);
int cmd_version();

}  // namespace bw::agent
