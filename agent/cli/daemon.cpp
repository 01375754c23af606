// `batchwatch run`: the daemon loop (daemon_loop.hpp) on the real clock (or a simulated one) and
// real AWS clients. SIGHUP reloads (a bad config is reported and the old one kept); SIGTERM/SIGINT
// finish the cycle, give deliveries a grace period, and exit 0.
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "agent/cli/aws_setup.hpp"
#include "agent/cli/commands.hpp"
#include "agent/cli/daemon_loop.hpp"
#include "agent/cli/ha_setup.hpp"
#include "agent/cli/heartbeat.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/clock.hpp"

namespace bw::agent {
namespace {

// Signals are taken by one thread with sigwait, so no work happens in a signal handler.
class SignalThread {
 public:
  explicit SignalThread(RunControl& control) : control_(control) {
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
      if (sig == SIGTERM || sig == SIGINT) control_.request_stop();
      if (sig == SIGHUP) control_.request_reload();
    }
  }
  RunControl& control_;
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// A cycle allocates a working set proportional to its (rule, series) instances (stored states,
// results, updates: ~2 KB an instance) and frees it before sleeping. glibc raises its mmap threshold
// to the largest block freed (up to 32 MB), after which such buffers come from the heap and are
// kept there. A fixed threshold keeps large buffers in mappings of their own, unmapped when freed,
// and trimming after each cycle (daemon_loop.cpp) returns the free heap pages around what it keeps.
constexpr int kMmapThreshold = 128 * 1024;

// What a configuration runs with in production: its AWS clients (timed by `clock`), CloudWatch or
// several accounts as the metric source, and the configured targets' senders.
GenerationFactory aws_generations(Clock& clock, Logger& log) {
  return [&clock, &log](std::shared_ptr<const config::Config> cfg, AgentMetrics& metrics,
                        std::string& error) -> std::optional<Generation> {
    std::shared_ptr<AwsStack> aws = make_aws_stack(cfg->aws, clock, &metrics, error, &log);
    if (!aws) return std::nullopt;
    if (error = start_ha(*cfg, *aws, clock, log); !error.empty()) return std::nullopt;  // start: exit 2; reload: kept
    Generation gen;
    gen.source = make_metric_source(*aws, cfg->aws);
    if (cfg->jobs.enabled) gen.jobs = make_job_source(*aws, cfg->aws);
    gen.region = aws->region;
    gen.add_senders = [&log, c = cfg.get(), a = aws.get()](Dispatcher& d) {
      add_senders(d, *c, *a, log);
      use_claims(d, *c, *a);
    };
    gen.heartbeat = make_heartbeat(*cfg, *aws->cloudwatch, log);
    gen.cfg = std::move(cfg);
    gen.clients = std::move(aws);
    return gen;
  };
}

}  // namespace

int cmd_run(const RunOptions& options, Logger& log) {
  SystemClock system_clock;
  std::optional<SimulatedClock> simulated;
  if (options.simulate_from) simulated.emplace(*options.simulate_from);
  Clock& clock = simulated ? static_cast<Clock&>(*simulated) : system_clock;
  RunControl control;
  SignalThread signals(control);
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
  const std::string path = options.config_path;
  Daemon daemon(options, DaemonDeps{clock, system_clock, aws_generations(clock, log), [path] { return config::load(path); }},
                control, log);
  if (!daemon.start(std::move(cfg))) return 2;
  if (simulated)
    log.info("simulated clock: cycles follow each other without waiting, each once its notifications are out",
             {{"from", format_rfc3339(clock.now())}});
  daemon.run();
  daemon.stop();
  return 0;
}

}  // namespace bw::agent
