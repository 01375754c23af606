// batchwatch: watches Amazon Bedrock batch inference through CloudWatch and notifies when needed.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "agent/commands.hpp"

int main(int argc, char** argv) {
  using namespace bw::agent;
  CLI::App app{"batchwatch: CloudWatch alarms for Amazon Bedrock batch inference, as a small agent"};
  app.require_subcommand(1);
  std::string level = "info", format = "text";
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--log-level", level, "debug|info|warn|error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    cmd->add_option("--log-format", format, "text|json")->check(CLI::IsMember({"text", "json"}));
  };

  std::string config_path;
  auto* run = app.add_subcommand("run", "poll, evaluate and notify until SIGTERM/SIGINT (SIGHUP reloads)");
  run->add_option("--config", config_path, "agent file")->required();
  add_common(run);

  OnceOptions once_opts;
  std::string now_text, out_format = "text";
  auto* once = app.add_subcommand("once", "one full cycle: fetch, evaluate, record, deliver, print every state");
  once->add_option("--config", once_opts.config_path, "agent file")->required();
  once->add_option("--now", now_text, "evaluate as of this RFC 3339 time (default: the clock)");
  once->add_flag("--dry-run", once_opts.dry_run, "evaluate and print; record and send nothing");
  once->add_option("--format", out_format, "text|json")->check(CLI::IsMember({"text", "json"}));
  add_common(once);

  auto* check = app.add_subcommand("check", "validate the agent file and every rule file");
  check->add_option("--config", config_path, "agent file")->required();
  add_common(check);

  auto* version = app.add_subcommand("version", "print the version and library versions");
  add_common(version);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  LogLevel log_level = LogLevel::Info;
  Logger::parse_level(level, log_level);
  Logger log(log_level, format == "json");
  try {
    if (*version) return cmd_version();
    if (*check) return cmd_check(config_path, log);
    if (*run) return cmd_run(RunOptions{config_path}, log);
    if (*once) {
      if (!now_text.empty()) {
        once_opts.now = bw::parse_rfc3339(now_text);
        if (!once_opts.now) {
          std::fprintf(stderr, "--now: not an RFC 3339 time: %s (e.g. 2026-11-22T06:00:00Z)\n", now_text.c_str());
          return 2;
        }
      }
      once_opts.json = out_format == "json";
      return cmd_once(once_opts, log);
    }
  } catch (const std::exception& e) {
    log.error(std::string("fatal: ") + e.what());
    return 2;
  }
  return 2;
}
