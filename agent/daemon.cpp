// `batchwatch run`: cycle, deliver, sleep until the next period boundary + delay; SIGHUP reloads,
// SIGTERM/SIGINT stop after the current cycle.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "agent/aws_setup.hpp"
#include "agent/clock.hpp"
#include "agent/commands.hpp"
#include "agent/dispatcher.hpp"
#include "agent/engine.hpp"

namespace bw::agent {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

// Signals are taken by one thread with sigwait, so no work happens in a signal handler.
class SignalThread {
 public:
  explicit SignalThread(Clock& clock) : clock_(clock) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGHUP);
    sigaddset(&set_, SIGUSR1);  // used only to end this thread
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

// The next time a cycle has new whole periods to evaluate: the earliest period boundary + delay.
Time next_cycle(const config::Config& cfg, Time now) {
  std::optional<Time> next;
  for (const auto& rule : cfg.rules) {
    const auto p = rule.metric.period;
    Time t = period_floor(now - cfg.poll.delay, p) + p + cfg.poll.delay;
    if (!next || t < *next) next = t;
  }
  return next.value_or(now + Duration{60});
}

}  // namespace

int cmd_run(const RunOptions& options, Logger& log) {
  SystemClock clock;
  SignalThread signals(clock);
  auto loaded = config::load(options.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  auto cfg = std::make_unique<config::Config>(std::move(*loaded.config));
  std::string error;
  auto aws = make_aws_stack(cfg->aws, clock, nullptr, error);
  if (!aws) {
    log.error(error);
    return 2;
  }
  auto store = StateStore::open(cfg->state_path, error);
  if (!store) {
    log.error(error);
    return 2;
  }
  auto make_dispatcher = [&] {
    auto d = std::make_unique<Dispatcher>(*store, log);
    for (const auto& [name, target] : cfg->targets)
      if (const auto* sns = std::get_if<config::SnsTarget>(&target.spec))
        d->add_sender(name, std::make_unique<SnsSender>(*aws->sns_client, sns->topic_arn));
    return d;
  };
  auto dispatcher = make_dispatcher();
  log.info("batchwatch started", {{"config", options.config_path},
                                  {"rules", std::to_string(cfg->rules.size())},
                                  {"region", aws->region}});

  // Undelivered notifications from an earlier run go out first.
  dispatcher->deliver_due(clock.now());
  while (!g_stop) {
    if (g_reload.exchange(false)) {
      auto fresh = config::load(options.config_path);
      if (!fresh.config) {
        for (const auto& d : fresh.diagnostics) log.error("reload rejected: " + d.str());
        log.error("configuration reload failed; still running the previous configuration");
      } else {
        auto next_aws = make_aws_stack(fresh.config->aws, clock, nullptr, error);
        if (!next_aws) {
          log.error("reload rejected: " + error);
        } else {
          dispatcher.reset();
          aws = std::move(next_aws);
          cfg = std::make_unique<config::Config>(std::move(*fresh.config));
          dispatcher = make_dispatcher();
          log.info("configuration reloaded", {{"rules", std::to_string(cfg->rules.size())}});
        }
      }
    }
    const Time now = clock.now();
    CloudWatchSource source(*aws->cloudwatch);
    Engine engine(*cfg, source, log, aws->region);
    auto report = engine.run(now, store.get(), true);
    if (!report) {
      log.error("cycle failed: " + report.error().describe());
    } else {
      log.debug("cycle done", {{"series", std::to_string(report->series)},
                               {"datapoints", std::to_string(report->datapoints)},
                               {"notifications", std::to_string(report->notifications)}});
    }
    dispatcher->deliver_due(clock.now());
    if (g_stop) break;
    // Wake for the next cycle, or sooner to retry owed notifications.
    Time wake = next_cycle(*cfg, clock.now());
    if (!store->due(wake).empty()) wake = std::min(wake, clock.now() + Duration{30});
    while (!g_stop && !g_reload && clock.now() < wake) {
      clock.sleep_until(wake);
      if (!store->due(clock.now()).empty()) dispatcher->deliver_due(clock.now());
    }
  }
  log.info("batchwatch stopped");
  return 0;
}

}  // namespace bw::agent
