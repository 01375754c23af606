#pragma once
// The daemon from start to stop: the poll loop and what it feeds (metrics, the status server, the
// delivery thread), SIGHUP reloads and the systemd notifications. `cmd_run` (daemon.cpp) builds it
// with the real clock and AWS clients; unit tests drive the same loop with a FakeClock and in-memory
// sources and senders.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/cli/commands.hpp"
#include "agent/clock.hpp"
#include "agent/cycle/engine.hpp"
#include "agent/delivery/delivery_worker.hpp"
#include "agent/status/metrics.hpp"
#include "agent/status/sd_notify.hpp"
#include "agent/status/status_server.hpp"

namespace bw::agent {

// Stop and reload requests: made by the signal thread (or a test), read by the loop between cycles.
// Each wakes the loop's sleep, and only that sleep (a retry backoff in a cycle is not cut short).
struct RunControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
  Clock::Waiter waiter;  // the poll loop's
  void request_stop() {
    stop = true;
    waiter.wake();
  }
  void request_reload() {
    reload = true;
    waiter.wake();
  }
};

// What one configuration runs with. A reload builds a new one and drops the old: the loop's part
// goes at once, the delivery thread's (its senders, and through them `cfg` and `clients`) when the
// pass using it ends.
struct Generation {
  std::shared_ptr<const config::Config> cfg;
  std::shared_ptr<void> clients;                 // what the source and the senders call (the AWS stack)
  std::unique_ptr<MetricSource> source;          // the poll loop's; refers to `clients`
  std::unique_ptr<JobSource> jobs;               // the job step's (null: jobs are not watched); refers to `clients`
  std::string region;
  std::function<void(Dispatcher&)> add_senders;  // the configured targets; may refer to `cfg`, `clients`
  std::function<void()> heartbeat;               // after each successful cycle; empty without `heartbeat:`
};
// Builds a Generation for `cfg`, counting its AWS calls on `metrics`; nullopt with `error` when its
// clients cannot be had.
using GenerationFactory = std::function<std::optional<Generation>(std::shared_ptr<const config::Config> cfg,
                                                                  AgentMetrics& metrics, std::string& error)>;

struct DaemonDeps {
  Clock& clock;       // times the cycles
  Clock& idle_clock;  // idling after --cycles: the real clock (a simulated one never waits)
  GenerationFactory build;
  std::function<config::LoadResult()> load_config;  // what a reload reads
};

class Daemon {
 public:
  Daemon(const RunOptions& options, DaemonDeps deps, RunControl& control, Logger& log);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the clients, the state store, the status server and the delivery thread for `cfg`; false
  // (logged) when one of them cannot be had.
  bool start(std::unique_ptr<config::Config> cfg);
  // Cycles until stopped: a reload when asked, one cycle, then sleep until the next is due.
  void run();
  // Gives deliveries a grace period and stops the threads.
  void stop();
  const AgentMetrics& metrics() const { return metrics_; }

 private:
  DeliveryWorker::DispatcherFactory dispatcher_factory(const Generation& gen);
  bool start_status_server();
  std::unique_ptr<Engine> make_engine(const Generation& gen) const;
  void reload();
  void flush_states();  // the evaluations the engine has not written yet (before it is dropped)
  Time run_cycle();  // returns when the next cycle is due
  // Sleeps until `wake` (or a stop or reload), sending systemd's watchdog keep-alive on the way.
  void sleep_until(Time wake);
  void idle_until_stopped();
  // systemd (Type=notify): READY=1 after the first successful cycle, STATUS= after each, WATCHDOG=1
  // from the loop, RELOADING=1 ... READY=1 around a reload, STOPPING=1. Without NOTIFY_SOCKET, nothing.
  void tell_systemd(const std::string& error) {
    if (!error.empty()) log_.warn("sd_notify: " + error);
  }
  void tell_cycle_done(const CycleReport& report);

  const RunOptions& options_;
  DaemonDeps deps_;
  Clock& clock_;
  RunControl& control_;
  Logger& log_;
  AgentMetrics metrics_;
  std::unique_ptr<StateStore> store_;
  StatusServer status_;
  DeliveryWorker delivery_;
  std::optional<Generation> gen_;
  std::unique_ptr<Engine> engine_;  // refers to gen_'s config and source
  int cycles_run_ = 0;
  const SdNotifier systemd_ = SdNotifier::from_env();
  bool told_ready_ = false;
};

}  // namespace bw::agent
