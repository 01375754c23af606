// The one-shot subcommands: check (validate the configuration), once (one cycle, printed as a table
// or JSON lines) and version. `run` is in daemon.cpp, backtest and silence in files of their own.
#include "agent/cli/commands.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "agent/cli/aws_setup.hpp"
#include "agent/cli/ha_setup.hpp"
#include "agent/cli/heartbeat.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/clock.hpp"
#include "agent/cycle/engine.hpp"
#include "agent/delivery/dispatcher.hpp"
#include "agent/delivery/notification.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "config/config.hpp"
#include "rules/human.hpp"

// The build passes the project's version; a build outside CMake still compiles.
#ifndef BATCHWATCH_VERSION
#define BATCHWATCH_VERSION "0.0.0"
#endif

namespace bw::agent {
namespace {

constexpr int kKeepFreedMemory = 32 << 20;  // glibc's largest mmap threshold (32 MB on 64-bit)
constexpr std::size_t kOneCycleHeap = 8u << 20;
constexpr std::uintptr_t kHugePage = 2u << 20;

// `once` runs one cycle and exits, so its heap is shaped for that:
// - a buffer freed mid-cycle is kept for the next allocation rather than handed back to the kernel
//   (trimmed or unmapped) and faulted in again, page by page;
// - the heap is grown once by kOneCycleHeap, and that range is advised to transparent huge pages
//   (used where THP is "always" or "madvise", ignored under "never"): one fault per 2 MB touched
//   instead of one per 4 kB page. Pages never touched cost nothing.
// A first cycle over 800 series: 1,578 page faults and 71.8 ms of CPU before, 1,059 and 60.5 ms after
// (BENCHMARKS.md, section 5).
void shape_heap_for_one_cycle() {
  mallopt(M_TRIM_THRESHOLD, kKeepFreedMemory);
  mallopt(M_MMAP_THRESHOLD, kKeepFreedMemory);
  const auto low = reinterpret_cast<std::uintptr_t>(sbrk(0));
  void* volatile block = std::malloc(kOneCycleHeap);  // volatile: the compiler may not drop the pair
  std::free(block);  // below the mmap threshold: it came from the heap, and it stays there
  const auto high = reinterpret_cast<std::uintptr_t>(sbrk(0));  // == low if the heap could not grow
  const auto from = (low + kHugePage - 1) & ~(kHugePage - 1);
  const auto to = high & ~(kHugePage - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);  // advice: failure is harmless
}

std::optional<config::Config> load_config(const std::string& path, Logger& log) {
  auto loaded = config::load(path);
  if (!loaded.diagnostics.empty()) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    log.error("invalid configuration", {{"file", path}, {"problems", std::to_string(loaded.diagnostics.size())}});
    return std::nullopt;
  }
  return std::move(loaded.config);
}

// For the table only (JSON keeps full precision): as people read it (rules/human.hpp).
std::string value_text(const std::optional<double>& v) { return v ? format_count(*v) : "-"; }

void print_results(const CycleReport& report, bool json) {
  for (const auto& r : report.results) {
    if (json) {
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& d : *r.labels) labels[d.name] = d.value;
      nlohmann::json j{{"rule", r.rule->name},
                       {"kind", r.rule->kind()},
                       {"labels", labels},
                       {"state", to_string(r.evaluation.state)},
                       {"value", r.evaluation.value ? nlohmann::json(*r.evaluation.value) : nlohmann::json(nullptr)},
                       {"reason", std::string(r.reason)}};
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      const std::string series = labels_text(*r.labels);
      std::printf("%-17s %-28s %-40s %14s  %s\n", std::string(to_string(r.evaluation.state)).c_str(),
                  r.rule->name.c_str(), series.empty() ? "-" : series.c_str(), value_text(r.evaluation.value).c_str(),
                  std::string(r.reason).c_str());
    }
  }
  std::fflush(stdout);
}

}  // namespace

int cmd_check(const std::string& config_path, Logger& log) {
  auto cfg = load_config(config_path, log);
  if (!cfg) return 2;
  std::printf("%s: OK (%zu rules from %zu rule files, %zu targets)\n", config_path.c_str(), cfg->rules.size(),
              cfg->rule_files.size(), cfg->targets.size());
  return 0;
}

int cmd_once(const OnceOptions& options, Logger& log) {
  shape_heap_for_one_cycle();
  auto cfg = load_config(options.config_path, log);
  if (!cfg) return 2;
  SystemClock clock;
  std::string error;
  auto aws = make_aws_stack(cfg->aws, clock, nullptr, error, &log);
  if (!aws) {
    log.error(error);
    return 2;
  }
  auto opened = SqliteStateStore::open(cfg->state_path);
  if (!opened) {
    log.error(opened.error().describe());
    return 2;
  }
  auto store = std::move(opened).value();
  if (!options.dry_run)  // a dry run delivers nothing, so it claims nothing
    if (auto ha = start_ha(*cfg, *aws, clock, log); !ha.empty()) {
      log.error(ha);
      return 2;
    }
  auto source = make_metric_source(*aws, cfg->aws);
  auto jobs = cfg->jobs.enabled ? make_job_source(*aws, cfg->aws) : nullptr;
  Engine engine(*cfg, *source, log, aws->region, jobs.get());
  engine.explain_results(true);  // the table and JSON lines show why each series is in its state now
  engine.draw_trails(false);  // no status page to draw them on
  engine.list_transitions(false);
  engine.checkpoint_every(Duration{0});  // one cycle, then the process ends: write every evaluated row
  const Time now = options.now.value_or(clock.now());
  auto report = engine.run(now, *store, options.dry_run ? RunMode::DryRun : RunMode::Record, clock.now());
  if (!report) {
    log.error("cycle failed: " + report.error().describe());
    return 2;
  }
  if (!options.dry_run)
    if (auto heartbeat = make_heartbeat(*cfg, *aws->cloudwatch, log)) heartbeat();
  print_results(report.value(), options.json);
  int status = 0;
  for (const auto& r : report->results)
    if (r.evaluation.state == AlarmState::Alarm) status = 1;
  if (!options.dry_run) {
    Dispatcher dispatcher(*store, log);
    add_senders(dispatcher, *cfg, *aws, log);
    use_claims(dispatcher, *cfg, *aws);
    dispatcher.set_clock(clock);
    const auto d = dispatcher.deliver_due(clock.now());
    if (d.claims.total() > 0)
      log.info("ha claims", {{"won", std::to_string(d.claims.won)},
                             {"peer_delivered", std::to_string(d.claims.peer_delivered)},
                             {"peer_held", std::to_string(d.claims.peer_held)},
                             {"failed", std::to_string(d.claims.failed)},
                             {"fenced", std::to_string(d.claims.fenced)}});
    if (d.retrying > 0 || d.dead > 0) {
      log.error(fmt::format("{} notification(s) not delivered (kept in the outbox for the next run): {}",
                            d.retrying + d.dead, d.last_error));
      return 2;
    }
  }
  return status;
}

int cmd_version() {
  const auto* curl = curl_version_info(CURLVERSION_NOW);
  std::printf("batchwatch %s\n", BATCHWATCH_VERSION);
  std::printf("  libcurl %s\n  %s\n  sqlite %s\n  fmt %d.%d.%d\n  nlohmann-json %d.%d.%d\n", curl->version,
              OpenSSL_version(OPENSSL_VERSION), sqlite3_libversion(), FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
              FMT_VERSION % 100, NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH);
  return 0;
}

}  // namespace bw::agent
