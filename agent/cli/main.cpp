// batchwatch: watches Amazon Bedrock batch inference through CloudWatch and notifies when needed.
// This file is the command line alone: each subcommand's options, checked once parsed and handed to
// its cmd_* (commands.hpp). A malformed option exits 2, as a parse error does.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <initializer_list>
#include <string>

#include "agent/cli/commands.hpp"

namespace bw::agent {
namespace {

// --log-level and --log-format, which every subcommand accepts.
struct LogFlags {
  std::string level = "info";
  std::string format = "text";

  void add_to(CLI::App* cmd) {
    cmd->add_option("--log-level", level, "debug|info|warn|error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    cmd->add_option("--log-format", format, "text|json")->check(CLI::IsMember({"text", "json"}));
  }
};

// --format of the commands that print results: a table, or one JSON object a line.
struct FormatFlag {
  std::string value = "text";

  void add_to(CLI::App* cmd) {
    cmd->add_option("--format", value, "text|json")->check(CLI::IsMember({"text", "json"}));
  }
  bool json() const { return value == "json"; }
};

constexpr const char* kTimeExample = " (e.g. 2026-11-22T06:00:00Z)";

// Reads `text`, when given, as an RFC 3339 time into `slot`; false (and the message on stderr) when it
// is not one. `example` is appended to the message.
bool read_time_option(const char* flag, const std::string& text, std::optional<Time>& slot,
                      const char* example = kTimeExample) {
  if (text.empty()) return true;
  slot = bw::parse_rfc3339(text);
  if (slot) return true;
  std::fprintf(stderr, "%s: not an RFC 3339 time: %s%s\n", flag, text.c_str(), example);
  return false;
}

// One subcommand: its options are declared on construction and bound to members, so an instance
// must stay where it was made until run().
class Subcommand {
 public:
  virtual ~Subcommand() = default;
  bool chosen() const { return static_cast<bool>(*cmd_); }
  // Turns the parsed text into the command's options and runs the command: its exit status.
  virtual int run(Logger& log) = 0;

 protected:
  CLI::App* cmd_ = nullptr;
};

class RunCommand final : public Subcommand {
 public:
  RunCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("run", "poll, evaluate and notify until SIGTERM/SIGINT (SIGHUP reloads)");
    cmd_->add_option("--config", options_.config_path, "agent file")->required();
    cmd_->add_option("--simulate-from", simulate_text_,
                     "run on a simulated clock from this RFC 3339 time: each cycle follows the last without waiting "
                     "(estimates against a local endpoint; requests are signed with the simulated time)");
    cmd_->add_option("--cycles", options_.cycles, "stop cycling after N cycles and idle until SIGTERM/SIGINT "
                                                  "(the status server keeps answering)")
        ->check(CLI::PositiveNumber);
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override {
    if (!read_time_option("--simulate-from", simulate_text_, options_.simulate_from)) return 2;
    return cmd_run(options_, log);
  }

 private:
  RunOptions options_;
  std::string simulate_text_;
};

class OnceCommand final : public Subcommand {
 public:
  OnceCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("once", "one full cycle: fetch, evaluate, record, deliver, print every state");
    cmd_->add_option("--config", options_.config_path, "agent file")->required();
    cmd_->add_option("--now", now_text_, "evaluate as of this RFC 3339 time (default: the clock)");
    cmd_->add_flag("--dry-run", options_.dry_run, "evaluate and print; record and send nothing");
    format_.add_to(cmd_);
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override {
    if (!read_time_option("--now", now_text_, options_.now)) return 2;
    options_.json = format_.json();
    return cmd_once(options_, log);
  }

 private:
  OnceOptions options_;
  std::string now_text_;
  FormatFlag format_;
};

class CheckCommand final : public Subcommand {
 public:
  CheckCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("check", "validate the agent file and every rule file");
    cmd_->add_option("--config", config_path_, "agent file")->required();
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override { return cmd_check(config_path_, log); }

 private:
  std::string config_path_;
};

class BacktestCommand final : public Subcommand {
 public:
  BacktestCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("backtest", "replay recorded datapoints through the rules; print transitions");
    cmd_->add_option("--config", options_.config_path, "agent file")->required();
    cmd_->add_option("--input", options_.input_path, "JSON Lines of datapoints")->required();
    cmd_->add_option("--from", from_text_, "first evaluation time (RFC 3339; default: the data's start)");
    cmd_->add_option("--to", to_text_, "last evaluation time (RFC 3339; default: the data's end)");
    format_.add_to(cmd_);
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override {
    if (!read_time_option("--from", from_text_, options_.from) || !read_time_option("--to", to_text_, options_.to))
      return 2;
    options_.json = format_.json();
    return cmd_backtest(options_, log);
  }

 private:
  BacktestOptions options_;
  std::string from_text_, to_text_;
  FormatFlag format_;
};

class SilenceCommand final : public Subcommand {
 public:
  SilenceCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("silence", "add, list or expire silences kept in the state database");
    cmd_->require_subcommand(1);
    add_ = cmd_->add_subcommand("add", "record matching notifications as silenced instead of sending them");
    add_->add_option("--config", options_.config_path, "agent file")->required();
    add_->add_option("--rule", options_.rule, "rule name (default: every rule)");
    add_->add_option("--label", options_.matchers, "NAME=VALUE label matcher (VALUE * matches any); repeatable");
    add_->add_option("--starts", starts_text_, "RFC 3339 start (default: now)");
    add_->add_option("--duration", duration_text_, "how long, e.g. 2h (default 1h)");
    add_->add_option("--comment", options_.comment, "why");
    auto* list = cmd_->add_subcommand("list", "list silences");
    list->add_option("--config", options_.config_path, "agent file")->required();
    expire_ = cmd_->add_subcommand("expire", "end a silence now");
    expire_->add_option("--config", options_.config_path, "agent file")->required();
    expire_->add_option("id", options_.id, "silence id (from list)")->required();
    for (auto* c : {cmd_, add_, list, expire_}) log_flags.add_to(c);
  }
  int run(Logger& log) override {
    options_.action = *add_ ? "add" : *expire_ ? "expire" : "list";
    if (!read_time_option("--starts", starts_text_, options_.starts, "")) return 2;
    const auto duration = bw::parse_duration(duration_text_);
    if (!duration) {
      std::fprintf(stderr, "--duration: invalid duration %s (use e.g. 90s, 5m, 6h, 7d)\n", duration_text_.c_str());
      return 2;
    }
    options_.duration = *duration;
    return cmd_silence(options_, log);
  }

 private:
  SilenceOptions options_;
  CLI::App* add_ = nullptr;
  CLI::App* expire_ = nullptr;
  std::string starts_text_, duration_text_ = "1h";
};

class HistoryCommand final : public Subcommand {
 public:
  HistoryCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("history", "print the recorded transitions (works while the daemon runs)");
    cmd_->add_option("--config", options_.config_path, "agent file")->required();
    cmd_->add_option("--since", since_text_, "only transitions at or after this RFC 3339 time");
    cmd_->add_option("--rule", options_.rule, "only this rule");
    format_.add_to(cmd_);
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override {
    if (!read_time_option("--since", since_text_, options_.since)) return 2;
    options_.json = format_.json();
    return cmd_history(options_, log);
  }

 private:
  HistoryOptions options_;
  std::string since_text_;
  FormatFlag format_;
};

// A command that reads the agent file and prints a report as a table or JSON: `status`, `jobs`.
template <typename Options, int (*Command)(const Options&, Logger&)>
class ReportCommand final : public Subcommand {
 public:
  ReportCommand(CLI::App& app, LogFlags& log_flags, const char* name, const char* help) {
    cmd_ = app.add_subcommand(name, help);
    cmd_->add_option("--config", options_.config_path, "agent file")->required();
    format_.add_to(cmd_);
    log_flags.add_to(cmd_);
  }
  int run(Logger& log) override {
    options_.json = format_.json();
    return Command(options_, log);
  }

 private:
  Options options_;
  FormatFlag format_;
};

class VersionCommand final : public Subcommand {
 public:
  VersionCommand(CLI::App& app, LogFlags& log_flags) {
    cmd_ = app.add_subcommand("version", "print the version and library versions");
    log_flags.add_to(cmd_);
  }
  int run(Logger&) override { return cmd_version(); }
};

}  // namespace
}  // namespace bw::agent

int main(int argc, char** argv) {
  using namespace bw::agent;
  CLI::App app{"batchwatch: CloudWatch alarms for Amazon Bedrock batch inference, as a small agent"};
  app.require_subcommand(1);
  LogFlags log_flags;
  // Declared in the order --help lists them.
  RunCommand run(app, log_flags);
  OnceCommand once(app, log_flags);
  CheckCommand check(app, log_flags);
  BacktestCommand backtest(app, log_flags);
  SilenceCommand silence(app, log_flags);
  HistoryCommand history(app, log_flags);
  ReportCommand<StatusOptions, cmd_status> status(
      app, log_flags, "status",
      "print the current states, owed notifications and silences (works while the daemon runs)");
  ReportCommand<JobsOptions, cmd_jobs> jobs(
      app, log_flags, "jobs", "ask Bedrock now for the batch jobs within jobs.lookback, with progress and ETA");
  VersionCommand version(app, log_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  LogLevel log_level = LogLevel::Info;
  Logger::parse_level(log_flags.level, log_level);
  Logger log(log_level, log_flags.format == "json");
  try {
    for (Subcommand* command : std::initializer_list<Subcommand*>{&version, &check, &run, &silence, &history, &status,
                                                                   &jobs, &backtest, &once})
      if (command->chosen()) return command->run(log);
  } catch (const std::exception& e) {
    log.error(std::string("fatal: ") + e.what());
    return 2;
  }
  return 2;
}
