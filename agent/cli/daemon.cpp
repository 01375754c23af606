// `batchwatch run`: cycle, hand owed notifications to the delivery thread, sleep until the next
// period boundary + delay. SIGHUP reloads (a bad config is reported and the old one kept);
// SIGTERM/SIGINT finish the cycle, give deliveries a grace period, and exit 0.
#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "agent/cli/aws_setup.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/clock.hpp"
#include "agent/cycle/engine.hpp"
#include "agent/cycle/scheduler.hpp"
#include "agent/state/retention.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "agent/delivery/delivery_worker.hpp"
#include "agent/status/metrics.hpp"
#include "agent/status/sd_notify.hpp"
#include "agent/status/status_server.hpp"

namespace bw::agent {
namespace {

// Stop and reload requests: set by the signal thread, read by the loop between cycles and sleeps.
struct RunControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
};

// Signals are taken by one thread with sigwait, so no work happens in a signal handler.
class SignalThread {
 public:
  SignalThread(Clock& clock, RunControl& control) : clock_(clock), control_(control) {
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
      if (sig == SIGTERM || sig == SIGINT) control_.stop = true;
      if (sig == SIGHUP) control_.reload = true;
      clock_.wake();
    }
  }
  Clock& clock_;
  RunControl& control_;
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

// The daemon from start to stop: the poll loop and what it feeds (metrics, the status server, the
// delivery thread). Cycles are timed by `clock`; idling after --cycles sleeps on `idle_clock`, the
// real clock the signal thread wakes (a simulated clock never waits).
class Daemon {
 public:
  Daemon(const RunOptions& options, Clock& clock, Clock& idle_clock, RunControl& control, Logger& log)
      : options_(options), clock_(clock), idle_clock_(idle_clock), control_(control), log_(log), status_(metrics_),
        delivery_(clock, log) {}
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the AWS clients, the state store, the status server and the delivery thread for `cfg`;
  // false (logged) when one of them cannot be had.
  bool start(std::unique_ptr<config::Config> cfg);
  // Cycles until stopped: a reload when asked, one cycle, then sleep until the next is due.
  void run();
  // Gives deliveries a grace period and stops the threads.
  void stop();

 private:
  using DispatcherFactory = std::function<std::unique_ptr<Dispatcher>(StateStore&)>;
  // How the delivery thread builds its dispatcher from a config and its AWS clients.
  DispatcherFactory dispatcher_factory(const config::Config& cfg, AwsStack& aws);
  bool start_status_server();
  void reload();
  Time run_cycle();  // returns when the next cycle is due
  // Sleeps until `wake` (or a stop or reload), sending systemd's watchdog keep-alive on the way.
  void sleep_until(Time wake);
  // systemd (Type=notify): READY=1 after the first successful cycle, STATUS= after each, WATCHDOG=1
  // from the loop, RELOADING=1 ... READY=1 around a reload, STOPPING=1. Without NOTIFY_SOCKET, nothing.
  void tell_systemd(const std::string& error) {
    if (!error.empty()) log_.warn("sd_notify: " + error);
  }
  void tell_cycle_done(const CycleReport& report);

  const RunOptions& options_;
  Clock& clock_;
  Clock& idle_clock_;
  RunControl& control_;
  Logger& log_;
  AgentMetrics metrics_;
  std::unique_ptr<config::Config> cfg_;
  std::unique_ptr<AwsStack> aws_;
  std::unique_ptr<StateStore> store_;
  StatusServer status_;
  DeliveryWorker delivery_;
  std::unique_ptr<MetricSource> source_;
  std::unique_ptr<Engine> engine_;
  // Replaced by reloads but kept: a delivery pass in progress may still use the old senders.
  std::vector<std::unique_ptr<AwsStack>> retired_aws_;
  std::vector<std::unique_ptr<config::Config>> retired_cfg_;
  int cycles_run_ = 0;
  const SdNotifier systemd_ = SdNotifier::from_env();
  bool told_ready_ = false;
};

Daemon::DispatcherFactory Daemon::dispatcher_factory(const config::Config& cfg, AwsStack& aws) {
  return [&metrics = metrics_, &log = log_, &cfg, &aws](StateStore& s) {
    auto d = std::make_unique<Dispatcher>(s, log);
    add_senders(*d, cfg, aws, log);
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    d->set_random([rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); });
    d->set_outcome_hook([&metrics](const std::string& target, const std::string& outcome) {
      metrics.count_notification(target, outcome == "delivered" ? NotificationOutcome::Delivered
                                         : outcome == "dead"    ? NotificationOutcome::Dead
                                                                : NotificationOutcome::Retried);
    });
    return d;
  };
}

bool Daemon::start_status_server() {
  if (cfg_->server_listen.empty()) return true;
  if (auto e = status_.start(cfg_->server_listen); !e.empty()) {
    log_.error("status server: " + e);
    return false;
  }
  log_.info("status server listening", {{"address", cfg_->server_listen}, {"port", std::to_string(status_.port())}});
  return true;
}

bool Daemon::start(std::unique_ptr<config::Config> cfg) {
  cfg_ = std::move(cfg);
  std::string error;
  aws_ = make_aws_stack(cfg_->aws, clock_, &metrics_, error, &log_);
  if (!aws_) {
    log_.error(error);
    return false;
  }
  // Two connections to one file: the delivery thread marks outbox rows while a cycle commits.
  std::unique_ptr<StateStore> delivery_store;
  for (auto* connection : {&store_, &delivery_store}) {
    auto opened = SqliteStateStore::open(cfg_->state_path);
    if (!opened) {
      log_.error(opened.error().describe());
      return false;
    }
    *connection = std::move(opened).value();
  }
  if (!start_status_server()) return false;
  delivery_.start(std::move(delivery_store), dispatcher_factory(*cfg_, *aws_));  // undelivered rows go out first
  source_ = make_metric_source(*aws_, cfg_->aws);
  engine_ = std::make_unique<Engine>(*cfg_, *source_, log_, aws_->region);
  log_.info("batchwatch started",
            {{"config", options_.config_path}, {"rules", std::to_string(cfg_->rules.size())}, {"region", aws_->region}});
  return true;
}

// A config that does not load, or whose AWS clients cannot be built, is reported and the running one kept.
void Daemon::reload() {
  auto fresh = config::load(options_.config_path);
  std::string error;
  std::unique_ptr<AwsStack> next_aws;
  if (fresh.config) next_aws = make_aws_stack(fresh.config->aws, clock_, &metrics_, error, &log_);
  if (!fresh.config || !next_aws) {
    for (const auto& d : fresh.diagnostics) log_.error("reload rejected: " + d.str());
    if (fresh.config) log_.error("reload rejected: " + error);
    log_.error("configuration reload failed; still running the previous configuration");
    metrics_.count_config_reload(false);
    return;
  }
  auto next_cfg = std::make_unique<config::Config>(std::move(*fresh.config));
  delivery_.replace(dispatcher_factory(*next_cfg, *next_aws));
  // The old config and clients stay alive until the worker has swapped (replace() is synchronous).
  auto next_source = make_metric_source(*next_aws, next_cfg->aws);
  engine_ = std::make_unique<Engine>(*next_cfg, *next_source, log_, next_aws->region);
  source_ = std::move(next_source);
  retired_aws_.push_back(std::move(aws_));
  retired_cfg_.push_back(std::move(cfg_));
  aws_ = std::move(next_aws);
  cfg_ = std::move(next_cfg);
  metrics_.count_config_reload(true);
  log_.info("configuration reloaded", {{"rules", std::to_string(cfg_->rules.size())}});
}

Time Daemon::run_cycle() {
  const Time now = clock_.now();
  const auto started = std::chrono::steady_clock::now();
  auto report = engine_->run(now, *store_, RunMode::Record);
  metrics_.record_cycle(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!report) {
    log_.error("cycle failed: " + report.error().describe());
    tell_systemd(systemd_.status("cycle failed: " + report.error().describe()));
    return next_cycle_after_failure(*cfg_, clock_.now());
  }
  if (report->notifications > 0) delivery_.wake();
  prune_expired(*store_, now, cfg_->state_retention, log_);
  export_cycle(metrics_, report.value(), *store_, clock_.now());
  metrics_.set_ready(true);
  status_.publish(snapshot_of(report.value(), *store_));
  tell_cycle_done(report.value());
  release_cycle(report.value());
  // Last, so that whoever waits for this line sees the cycle's metrics and snapshot in place.
  log_.debug("cycle done", {{"series", std::to_string(report->series)},
                            {"fetched", std::to_string(report->series_fetched)},
                            {"datapoints", std::to_string(report->datapoints)},
                            {"notifications", std::to_string(report->notifications)}});
  return next_cycle(*cfg_, clock_.now());
}

void Daemon::tell_cycle_done(const CycleReport& report) {
  const auto alarms = std::count_if(report.results.begin(), report.results.end(),
                                    [](const InstanceResult& r) { return r.evaluation.state == AlarmState::Alarm; });
  const auto summary = fmt::format("cycle at {}: {} series, {} in ALARM, {} fetched, {} notifications",
                                   format_rfc3339(report.now), report.results.size(), alarms, report.series_fetched,
                                   report.notifications);
  tell_systemd(told_ready_ ? systemd_.status(summary) : systemd_.ready(summary));
  told_ready_ = true;
}

void Daemon::sleep_until(Time wake) {
  const auto ping = systemd_.watchdog_interval();
  // Time counts whole seconds: a keep-alive at most once a second (WatchdogSec= of 2 s or more).
  const Duration step = ping ? std::max(Duration{1}, std::chrono::floor<Duration>(*ping)) : Duration::max();
  while (!control_.stop && !control_.reload && clock_.now() < wake) {
    clock_.sleep_until(ping ? std::min(wake, clock_.now() + step) : wake);
    tell_systemd(systemd_.watchdog());
  }
}

void Daemon::run() {
  while (!control_.stop) {
    if (control_.reload.exchange(false)) {
      if (told_ready_) tell_systemd(systemd_.reloading());
      reload();
      if (told_ready_) tell_systemd(systemd_.ready());
    }
    const Time wake = run_cycle();
    tell_systemd(systemd_.watchdog());
    if (options_.cycles && ++cycles_run_ >= *options_.cycles) {
      log_.info("cycle limit reached: idling until stopped", {{"cycles", std::to_string(cycles_run_)}});
      while (!control_.stop) {
        idle_clock_.sleep_for(std::chrono::seconds(1));
        tell_systemd(systemd_.watchdog());
      }
      break;
    }
    sleep_until(wake);
  }
}

void Daemon::stop() {
  tell_systemd(systemd_.stopping());
  log_.info("stopping: delivering what is due (grace period)");
  delivery_.stop(Duration{10});
  status_.stop();
  retired_aws_.clear();
  log_.info("batchwatch stopped");
}

}  // namespace

int cmd_run(const RunOptions& options, Logger& log) {
  SystemClock system_clock;
  std::optional<SimulatedClock> simulated;
  if (options.simulate_from) simulated.emplace(*options.simulate_from);
  Clock& clock = simulated ? static_cast<Clock&>(*simulated) : system_clock;
  RunControl control;
  SignalThread signals(system_clock, control);  // only real sleeps need waking
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
  Daemon daemon(options, clock, system_clock, control, log);
  if (!daemon.start(std::move(cfg))) return 2;
  if (simulated)
    log.info("simulated clock: cycles follow each other without waiting", {{"from", format_rfc3339(clock.now())}});
  daemon.run();
  daemon.stop();
  return 0;
}

}  // namespace bw::agent
