// `batchwatch jobs`: asks Bedrock now for every job submitted within jobs.lookback (every page, every
// account and region) and prints them with progress and ETA. The ETA uses the progress the daemon
// observed (the state file's job view) when there is one, else the single observation made now.
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "agent/cli/aws_setup.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/jobs_report.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace bw::agent {
namespace {

using HistoryKey = std::tuple<std::string, std::string, std::string>;  // account, region, job ARN

// The daemon's observations of each job, if a state file is there (read-only; a missing or unreadable
// file only costs the ETA its history).
std::map<HistoryKey, JobHistory> observed_histories(const config::Config& cfg, Logger& log) {
  std::map<HistoryKey, JobHistory> out;
  std::error_code ec;
  if (!std::filesystem::exists(cfg.state_path, ec)) return out;
  auto opened = SqliteStateStore::open_read_only(cfg.state_path);
  if (!opened) {
    log.warn("state file not read; ETAs from this observation alone: " + opened.error().describe());
    return out;
  }
  for (auto& stored : opened.value()->jobs())
    out.emplace(HistoryKey{stored.account, stored.region, stored.job.arn}, std::move(stored.history));
  return out;
}

}  // namespace

int cmd_jobs(const JobsOptions& options, Logger& log) {
  auto loaded = config::load(options.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  const config::Config& cfg = *loaded.config;
  SystemClock clock;
  std::string error;
  auto stack = make_aws_stack(cfg.aws, clock, nullptr, error, &log);
  if (!stack) {
    log.error(error);
    return 2;
  }
  auto source = make_job_source(*stack, cfg.aws);
  const Time now = clock.now();
  const auto histories = observed_histories(cfg, log);
  bool failed = false;
  std::vector<JobRow> rows;
  for (auto& listing : source->list_jobs(now - cfg.jobs.lookback)) {
    if (!listing.jobs) {
      const auto& e = listing.jobs.error();
      const auto action = aws::denied_action(e);
      log.error(e.describe() + (action.empty() ? "" : "; missing permission: " + action),
                {{"account", listing.scope.account}, {"region", listing.scope.region}});
      failed = true;
      continue;
    }
    for (auto& job : listing.jobs.value()) {
      const auto h = histories.find(HistoryKey{listing.scope.account, listing.scope.region, job.arn});
      const JobHistory history = h != histories.end() ? h->second : JobHistory{now, {}, false};
      const auto eta = project_job_finish(job, history, now);
      rows.push_back({listing.scope, std::move(job), eta});
    }
  }
  sort_job_rows(rows);
  if (options.json) {
    for (const auto& r : rows) std::printf("%s\n", job_json_line(r).c_str());
  } else {
    std::fputs(jobs_table(rows, now).c_str(), stdout);
  }
  return failed ? 2 : 0;
}

}  // namespace bw::agent
