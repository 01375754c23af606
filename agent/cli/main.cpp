// batchwatch: watches Amazon Bedrock batch inference through CloudWatch and notifies when needed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <tuple>

#include "agent/cli/commands.hpp"

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
  std::string simulate_text;
  std::optional<int> run_cycles;
  run->add_option("--simulate-from", simulate_text,
                  "run on a simulated clock from this RFC 3339 time: each cycle follows the last without waiting "
                  "(estimates against a local endpoint; requests are signed with the simulated time)");
  run->add_option("--cycles", run_cycles, "stop cycling after N cycles and idle until SIGTERM/SIGINT "
                                          "(the status server keeps answering)")
      ->check(CLI::PositiveNumber);
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

  BacktestOptions bt_opts;
  std::string from_text, to_text, bt_format = "text";
  auto* backtest = app.add_subcommand("backtest", "replay recorded datapoints through the rules; print transitions");
  backtest->add_option("--config", bt_opts.config_path, "agent file")->required();
  backtest->add_option("--input", bt_opts.input_path, "JSON Lines of datapoints")->required();
  backtest->add_option("--from", from_text, "first evaluation time (RFC 3339; default: the data's start)");
  backtest->add_option("--to", to_text, "last evaluation time (RFC 3339; default: the data's end)");
  backtest->add_option("--format", bt_format, "text|json")->check(CLI::IsMember({"text", "json"}));
  add_common(backtest);

  SilenceOptions sil;
  std::string sil_starts, sil_duration = "1h";
  auto* silence = app.add_subcommand("silence", "add, list or expire silences kept in the state database");
  silence->require_subcommand(1);
  auto* sil_add = silence->add_subcommand("add", "record matching notifications as silenced instead of sending them");
  sil_add->add_option("--config", sil.config_path, "agent file")->required();
  sil_add->add_option("--rule", sil.rule, "rule name (default: every rule)");
  sil_add->add_option("--label", sil.matchers, "NAME=VALUE label matcher (VALUE * matches any); repeatable");
  sil_add->add_option("--starts", sil_starts, "RFC 3339 start (default: now)");
  sil_add->add_option("--duration", sil_duration, "how long, e.g. 2h (default 1h)");
  sil_add->add_option("--comment", sil.comment, "why");
  auto* sil_list = silence->add_subcommand("list", "list silences");
  sil_list->add_option("--config", sil.config_path, "agent file")->required();
  auto* sil_expire = silence->add_subcommand("expire", "end a silence now");
  sil_expire->add_option("--config", sil.config_path, "agent file")->required();
  sil_expire->add_option("id", sil.id, "silence id (from list)")->required();
  for (auto* c : {silence, sil_add, sil_list, sil_expire}) add_common(c);

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
    if (*run) {
      RunOptions run_opts{config_path, std::nullopt, run_cycles};
      if (!simulate_text.empty() && !(run_opts.simulate_from = bw::parse_rfc3339(simulate_text))) {
        std::fprintf(stderr, "--simulate-from: not an RFC 3339 time: %s (e.g. 2026-11-22T06:00:00Z)\n",
                     simulate_text.c_str());
        return 2;
      }
      return cmd_run(run_opts, log);
    }
    if (*silence) {
      sil.action = *sil_add ? "add" : *sil_expire ? "expire" : "list";
      if (!sil_starts.empty() && !(sil.starts = bw::parse_rfc3339(sil_starts))) {
        std::fprintf(stderr, "--starts: not an RFC 3339 time: %s\n", sil_starts.c_str());
        return 2;
      }
      auto d = bw::parse_duration(sil_duration);
      if (!d) {
        std::fprintf(stderr, "--duration: invalid duration %s (use e.g. 90s, 5m, 6h, 7d)\n", sil_duration.c_str());
        return 2;
      }
      sil.duration = *d;
      return cmd_silence(sil, log);
    }
    if (*backtest) {
      for (auto [text, slot, flag] : {std::tuple{&from_text, &bt_opts.from, "--from"}, std::tuple{&to_text, &bt_opts.to, "--to"}}) {
        if (text->empty()) continue;
        *slot = bw::parse_rfc3339(*text);
        if (!*slot) {
          std::fprintf(stderr, "%s: not an RFC 3339 time: %s (e.g. 2026-11-22T06:00:00Z)\n", flag, text->c_str());
          return 2;
        }
      }
      bt_opts.json = bt_format == "json";
      return cmd_backtest(bt_opts, log);
    }
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
