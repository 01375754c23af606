// `batchwatch backtest`: replays recorded datapoints through every rule with the daemon's own engine
// (only the MetricSource and the clock differ), one step per period, and prints each transition.
#include <fmt/format.h>

#include <cstdio>

#include "agent/cli/commands.hpp"
#include "agent/cli/transition_lines.hpp"
#include "agent/cycle/engine.hpp"
#include "agent/cycle/replay_source.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace bw::agent {

int cmd_backtest(const BacktestOptions& options, Logger& log) {
  auto loaded = config::load(options.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  const auto& cfg = *loaded.config;
  std::vector<std::string> errors;
  auto source = ReplaySource::load(options.input_path, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) return 2;
  if (source.size() == 0 && source.job_snapshots() == 0) {
    std::fprintf(stderr, "%s: no datapoints and no job snapshots\n", options.input_path.c_str());
    return 2;
  }
  // The step is the shortest period among the rules: every rule sees each of its periods once.
  Duration step{3600};
  for (const auto& r : cfg.rules)
    if (!std::holds_alternative<CompositeSpec>(r.spec) && !r.is_job_rule()) step = std::min(step, r.metric.period);
  // Job rules are judged each time the jobs are listed: as often as the daemon would list them.
  if (cfg.jobs.enabled) step = std::min(step, cfg.jobs.every);
  const Time from = options.from.value_or(period_floor(*source.first(), step) + step + cfg.poll.delay);
  const Time to = options.to.value_or(period_floor(*source.last(), step) + step + cfg.poll.delay);

  auto opened = SqliteStateStore::open(":memory:");  // nothing of a backtest outlives it
  if (!opened) {
    log.error(opened.error().describe());
    return 2;
  }
  auto store = std::move(opened).value();
  // Transitions are the output; the engine's per-change log lines would repeat them on stderr.
  Logger quiet(LogLevel::Warn);
  Time t = from;
  ReplayJobSource jobs(source, t);  // what Bedrock would have listed at the step being replayed
  Engine engine(cfg, source, log.enabled(LogLevel::Debug) ? log : quiet,
                cfg.aws.region.empty() ? "backtest" : cfg.aws.region, cfg.jobs.enabled ? &jobs : nullptr);
  std::size_t count = 0;
  for (; t <= to; t += step) {
    auto report = engine.run(t, *store, RunMode::Record);
    if (!report) {
      log.error("backtest failed at " + format_rfc3339(t) + ": " + report.error().describe());
      return 2;
    }
    for (const auto& tr : report->transitions) {
      ++count;
      print_transition({tr.at, tr.rule->name, tr.labels, std::string(to_string(tr.from)),
                        std::string(to_string(tr.to)), tr.value, tr.reason},
                       options.json);
    }
  }
  if (!options.json)
    std::printf("%zu transition(s) from %s to %s\n", count, format_rfc3339(from).c_str(), format_rfc3339(to).c_str());
  return 0;
}

}  // namespace bw::agent
