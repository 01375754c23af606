// `batchwatch run`: cycle, hand owed notifications to the delivery thread, sleep until the next
// period boundary + delay. SIGHUP reloads (a bad config is reported and the old one kept);
// SIGTERM/SIGINT finish the cycle, give deliveries a grace period, and exit 0.
#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "agent/cli/aws_setup.hpp"
#include "agent/clock.hpp"
#include "agent/cli/commands.hpp"
#include "agent/delivery/delivery_worker.hpp"
#include "agent/cycle/engine.hpp"
#include "agent/status/metrics.hpp"
#include "agent/cycle/scheduler.hpp"
#include "agent/status/status_server.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace bw::agent {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

// Signals are taken by one thread with sigwait, so no work happens in a signal handler.
class SignalThread {
 public:
  explicit SignalThread(Clock& clock) : clock_(clock) {
    sigemptyset(&set_);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set_, s);  // SIGUSR1 only ends this thread
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { loop(); });
  }
  ~SignalThread() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;

 private:
  void loop() {
    while (!done_) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      if (sig == SIGTERM || sig == SIGINT) g_stop = true;
      if (sig == SIGHUP) g_reload = true;
      clock_.wake();
    }
  }
  Clock& clock_;
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// What the status server shows until the next cycle: every (rule, series) compactly, and the outbox
// counted by SQLite (not every outbox row read back, delivered payloads included, each cycle).
StatusSnapshot snapshot_of(const CycleReport& report, StateStore& store) {
  StatusSnapshot snap;
  snap.ready = true;
  snap.not_ready_reason.clear();
  snap.last_cycle = report.now;
  snap.alerts.reserve(report.results.size());
  for (const auto& r : report.results)
    snap.alerts.add(r.rule->name, r.rule->kind(), r.labels, r.evaluation.state, r.evaluation.value, r.evaluation.reason,
                    r.since);
  for (const auto& c : store.outbox_counts()) snap.outbox[c.target] = {c.pending, c.dead};
  return snap;
}

// A cycle allocates a working set proportional to its (rule, series) instances (stored states,
// results, updates: ~2 KB an instance) and frees it before sleeping. glibc raises its mmap threshold
// to the largest block freed (up to 32 MB), after which such buffers come from the heap and are
// kept there. A fixed threshold keeps large buffers in mappings of their own, unmapped when freed,
// and trimming after each cycle returns the free heap pages around what the cycle keeps.
constexpr int kMmapThreshold = 128 * 1024;

// The cycle's results are exported and published by now: free them, then return free heap pages.
void release_cycle(CycleReport& report) {
  std::vector<InstanceResult>().swap(report.results);
  std::vector<Transition>().swap(report.transitions);
  decltype(report.newest_datapoint)().swap(report.newest_datapoint);
  malloc_trim(0);
}

void export_cycle(AgentMetrics& metrics, const CycleReport& report, StateStore& store, Time wall) {
  metrics.add_metrics_requested(report.series_fetched);
  metrics.add_datapoints(report.datapoints);
  RuleStateTable::Builder states;
  for (const auto& r : report.results) states.add(r.rule->name, r.labels, r.evaluation.state);
  metrics.set_rule_states(states.build());
  std::vector<std::pair<std::string, double>> ages;
  ages.reserve(report.newest_datapoint.size());
  for (const auto& [series, newest] : report.newest_datapoint)
    ages.emplace_back(series, static_cast<double>((wall - newest).count()));
  metrics.set_last_datapoint_ages(ages);
  std::map<std::string, std::size_t> pending;
  for (const auto& c : store.outbox_counts())
    if (c.pending > 0) pending[c.target] = c.pending;
  metrics.set_outbox_pending(pending);
}

}  // namespace

int cmd_run(const RunOptions& options, Logger& log) {
  SystemClock system_clock;
  std::optional<SimulatedClock> simulated;
  if (options.simulate_from) simulated.emplace(*options.simulate_from);
  Clock& clock = simulated ? static_cast<Clock&>(*simulated) : system_clock;
  SignalThread signals(system_clock);  // only real sleeps need waking
  auto loaded = config::load(options.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  auto cfg = std::make_unique<config::Config>(std::move(*loaded.config));
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);  // before the first cycle (see release_cycle)
  // One malloc arena: only the poll loop allocates much. The status server's pool threads, the
  // delivery and signal threads each got an arena of their own, ~150 kB resident apiece, created as
  // each pool thread served its first request (RssAnon rose over the first cycles' scrapes).
  mallopt(M_ARENA_MAX, 1);
  AgentMetrics metrics;
  std::string error;
  auto aws = make_aws_stack(cfg->aws, clock, &metrics, error, &log);
  if (!aws) {
    log.error(error);
    return 2;
  }
  // Two connections to one file: the delivery thread marks outbox rows while a cycle commits.
  std::unique_ptr<StateStore> store, delivery_store;
  for (auto* connection : {&store, &delivery_store}) {
    auto opened = SqliteStateStore::open(cfg->state_path);
    if (!opened) {
      log.error(opened.error().describe());
      return 2;
    }
    *connection = std::move(opened).value();
  }
  StatusServer status(metrics);
  if (!cfg->server_listen.empty()) {
    if (auto e = status.start(cfg->server_listen); !e.empty()) {
      log.error("status server: " + e);
      return 2;
    }
    log.info("status server listening", {{"address", cfg->server_listen}, {"port", std::to_string(status.port())}});
  }

  // The delivery thread builds its dispatcher from the current config and AWS clients.
  auto dispatcher_factory = [&](const config::Config& c, AwsStack& a) {
    return [&metrics, &log, &c, &a](StateStore& s) {
      auto d = std::make_unique<Dispatcher>(s, log);
      add_senders(*d, c, a, log);
      auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
      d->set_random([rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); });
      d->set_outcome_hook([&metrics](const std::string& target, const std::string& outcome) {
        metrics.count_notification(target, outcome == "delivered" ? NotificationOutcome::Delivered
                                           : outcome == "dead"    ? NotificationOutcome::Dead
                                                                  : NotificationOutcome::Retried);
      });
      return d;
    };
  };
  DeliveryWorker delivery(clock, log);
  delivery.start(std::move(delivery_store), dispatcher_factory(*cfg, *aws));  // undelivered rows go out first

  auto source = make_metric_source(*aws, cfg->aws);
  auto engine = std::make_unique<Engine>(*cfg, *source, log, aws->region);
  log.info("batchwatch started",
           {{"config", options.config_path}, {"rules", std::to_string(cfg->rules.size())}, {"region", aws->region}});

  if (simulated)
    log.info("simulated clock: cycles follow each other without waiting", {{"from", format_rfc3339(clock.now())}});

  std::vector<std::unique_ptr<AwsStack>> retired_aws;
  std::vector<std::unique_ptr<config::Config>> retired_cfg;
  int cycles_run = 0;
  while (!g_stop) {
    if (g_reload.exchange(false)) {
      auto fresh = config::load(options.config_path);
      std::unique_ptr<AwsStack> next_aws;
      if (fresh.config) next_aws = make_aws_stack(fresh.config->aws, clock, &metrics, error, &log);
      if (!fresh.config || !next_aws) {
        for (const auto& d : fresh.diagnostics) log.error("reload rejected: " + d.str());
        if (fresh.config) log.error("reload rejected: " + error);
        log.error("configuration reload failed; still running the previous configuration");
        metrics.count_config_reload(false);
      } else {
        auto next_cfg = std::make_unique<config::Config>(std::move(*fresh.config));
        delivery.replace(dispatcher_factory(*next_cfg, *next_aws));
        // The old config and clients stay alive until the worker has swapped (replace() is synchronous).
        auto next_source = make_metric_source(*next_aws, next_cfg->aws);
        engine = std::make_unique<Engine>(*next_cfg, *next_source, log, next_aws->region);
        source = std::move(next_source);
        // A delivery pass in progress may still use the old senders: keep what they point to alive.
        retired_aws.push_back(std::move(aws));
        retired_cfg.push_back(std::move(cfg));
        aws = std::move(next_aws);
        cfg = std::move(next_cfg);
        metrics.count_config_reload(true);
        log.info("configuration reloaded", {{"rules", std::to_string(cfg->rules.size())}});
      }
    }
    const Time now = clock.now();
    const auto started = std::chrono::steady_clock::now();
    auto report = engine->run(now, *store, RunMode::Record);
    metrics.record_cycle(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    Time wake;
    if (!report) {
      log.error("cycle failed: " + report.error().describe());
      wake = next_cycle_after_failure(*cfg, clock.now());
    } else {
      if (report->notifications > 0) delivery.wake();
      export_cycle(metrics, report.value(), *store, clock.now());
      metrics.set_ready(true);
      status.publish(snapshot_of(report.value(), *store));
      release_cycle(report.value());
      // Last, so that whoever waits for this line sees the cycle's metrics and snapshot in place.
      log.debug("cycle done", {{"series", std::to_string(report->series)},
                               {"fetched", std::to_string(report->series_fetched)},
                               {"datapoints", std::to_string(report->datapoints)},
                               {"notifications", std::to_string(report->notifications)}});
      wake = next_cycle(*cfg, clock.now());
    }
    if (options.cycles && ++cycles_run >= *options.cycles) {
      log.info("cycle limit reached: idling until stopped", {{"cycles", std::to_string(cycles_run)}});
      while (!g_stop) system_clock.sleep_for(std::chrono::seconds(1));
      break;
    }
    while (!g_stop && !g_reload && clock.now() < wake) clock.sleep_until(wake);
  }
  log.info("stopping: delivering what is due (grace period)");
  delivery.stop(Duration{10});
  status.stop();
  retired_aws.clear();
  log.info("batchwatch stopped");
  return 0;
}

}  // namespace bw::agent
