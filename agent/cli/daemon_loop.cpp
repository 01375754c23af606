// The daemon loop (daemon_loop.hpp): cycles, reloads, and what each cycle hands to metrics, the
// status page and the delivery thread.
#include "agent/cli/daemon_loop.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <vector>

#include "agent/cycle/scheduler.hpp"
#include "agent/state/retention.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace bw::agent {
namespace {

// The tracked jobs as the status page and /api/v1/jobs show them, newest submitted first, each with
// its projected finish at the rate the agent observed. Moved out of the report, whose jobs are
// released after the snapshot anyway (like its trails).
std::vector<JobView> job_views(CycleReport& report) {
  std::vector<JobView> out;
  out.reserve(report.jobs.size());
  for (auto& stored : report.jobs) {
    const auto eta = project_job_finish(stored.job, stored.history, report.now);
    out.push_back({std::move(stored.job), eta});
  }
  std::stable_sort(out.begin(), out.end(), [](const JobView& a, const JobView& b) {
    return a.job.submit_time.value_or(Time{}) > b.job.submit_time.value_or(Time{});
  });
  return out;
}

// The silences of the agent file and of `batchwatch silence add` that have not ended by `now`.
std::vector<SilenceView> silences_at(const config::Config& cfg, const StateStore& store, Time now) {
  std::vector<SilenceView> out;
  for (const auto& s : cfg.silences) {
    if (s.ends <= now) continue;
    std::string labels;
    for (const auto& [name, value] : s.labels) labels += (labels.empty() ? "" : ",") + name + "=" + value;
    out.push_back({s.rule, labels, s.starts, s.ends, s.comment});
  }
  for (const auto& s : store.silences()) {
    if (s.ends <= now) continue;
    std::string labels;
    const auto j = nlohmann::json::parse(s.labels_json, nullptr, false);
    if (j.is_object())
      for (const auto& [name, value] : j.items())
        labels += (labels.empty() ? "" : ",") + name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    out.push_back({s.rule, labels, s.starts, s.ends, s.comment});
  }
  return out;
}

// What the status server shows until the next cycle: every (rule, series) compactly with its recent
// curve, and the outbox counted by SQLite (not every outbox row read back, delivered payloads
// included, each cycle).
StatusSnapshot snapshot_of(CycleReport& report, StateStore& store, const config::Config& cfg) {
  StatusSnapshot snap;
  snap.ready = true;
  snap.not_ready_reason.clear();
  snap.last_cycle = report.now;
  snap.alerts.reserve(report.results.size());
  snap.alerts.hold(report.texts);  // every result's reason lies in one of these two
  snap.alerts.hold(report.other_texts);
  for (const auto& r : report.results)
    snap.alerts.add(r.rule->name, r.rule->kind(), *r.labels, r.evaluation.state, r.evaluation.value, r.reason, r.since,
                    true);
  for (const auto& c : store.outbox_counts()) snap.outbox[c.target] = {c.pending, c.dead, c.oldest_pending};
  snap.trails = std::move(report.trails);
  snap.silences = silences_at(cfg, store, report.now);
  snap.jobs = job_views(report);
  return snap;
}

// The cycle's results are exported and published by now: free them, then return free heap pages
// (cmd_run fixes malloc's mmap threshold, so the cycle's large buffers were mappings of their own).
void release_cycle(CycleReport& report) {
  std::vector<InstanceResult>().swap(report.results);
  std::vector<Transition>().swap(report.transitions);
  decltype(report.newest_datapoint)().swap(report.newest_datapoint);
  std::vector<StoredJob>().swap(report.jobs);
  malloc_trim(0);
}

void export_cycle(AgentMetrics& metrics, const CycleReport& report, StateStore& store, Time wall, bool watches_jobs) {
  metrics.add_metrics_requested(report.series_fetched);
  for (const auto& [target, n] : report.silenced) metrics.count_notification(target, NotificationOutcome::Silenced, n);
  metrics.add_datapoints(report.datapoints);
  RuleStateTable::Builder states;
  for (const auto& r : report.results) states.add(r.rule->name, *r.labels, r.evaluation.state);
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
  if (watches_jobs) {
    std::map<std::string, std::size_t> by_status;
    for (const auto& stored : report.jobs) ++by_status[stored.job.status];
    metrics.set_jobs_by_status(by_status);
  }
}

}  // namespace

Daemon::Daemon(const RunOptions& options, DaemonDeps deps, RunControl& control, Logger& log)
    : options_(options), deps_(std::move(deps)), clock_(deps_.clock), control_(control), log_(log),
      status_(metrics_), delivery_(deps_.clock, log) {}

// The dispatcher owns the generation's config and clients, so they outlive the delivery pass that
// uses them even after a reload has dropped the loop's references.
DeliveryWorker::DispatcherFactory Daemon::dispatcher_factory(const Generation& gen) {
  return [&metrics = metrics_, &log = log_, &clock = clock_, cfg = gen.cfg, clients = gen.clients,
          add_senders = gen.add_senders](StateStore& s) {
    struct Owning {
      Owning(std::shared_ptr<const config::Config> c, std::shared_ptr<void> k, StateStore& s, Logger& l)
          : cfg(std::move(c)), clients(std::move(k)), dispatcher(s, l) {}
      std::shared_ptr<const config::Config> cfg;
      std::shared_ptr<void> clients;
      Dispatcher dispatcher;  // destroyed first: its senders refer to the two above
    };
    auto owning = std::make_shared<Owning>(cfg, clients, s, log);
    Dispatcher& d = owning->dispatcher;
    add_senders(d);
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    d.set_random([rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); });
    d.set_outcome_hook([&metrics](const std::string& target, const std::string& outcome) {
      if (auto known = notification_outcome(outcome)) metrics.count_notification(target, *known);
    });
    d.set_clock(clock);  // `ha:` leases are timed on the daemon's clock (simulated with --simulate-from)
    d.set_claim_hook([&metrics](ClaimOutcome outcome) { metrics.count_claim(to_string(outcome)); });
    return std::shared_ptr<Dispatcher>(owning, &d);
  };
}

bool Daemon::start_status_server() {
  const auto& listen = gen_->cfg->server_listen;
  if (listen.empty()) return true;
  status_.require_token(gen_->cfg->server_auth_token);
  if (auto e = status_.start(listen); !e.empty()) {
    log_.error("status server: " + e);
    return false;
  }
  log_.info("status server listening", {{"address", listen}, {"port", std::to_string(status_.port())}});
  return true;
}

std::unique_ptr<Engine> Daemon::make_engine(const Generation& gen) const {
  auto engine = std::make_unique<Engine>(*gen.cfg, *gen.source, log_, gen.region, gen.jobs.get());
  engine->draw_trails(!gen.cfg->server_listen.empty());  // the status page draws them
  engine->list_transitions(false);                        // the log and the results tell them
  return engine;
}

bool Daemon::start(std::unique_ptr<config::Config> cfg) {
  std::string error;
  gen_ = deps_.build(std::shared_ptr<const config::Config>(std::move(cfg)), metrics_, error);
  if (!gen_) {
    log_.error(error);
    return false;
  }
  const config::Config& c = *gen_->cfg;
  // Two connections to one file: the delivery thread marks outbox rows while a cycle commits.
  std::unique_ptr<StateStore> delivery_store;
  for (auto* connection : {&store_, &delivery_store}) {
    auto opened = SqliteStateStore::open(c.state_path);
    if (!opened) {
      log_.error(opened.error().describe());
      return false;
    }
    *connection = std::move(opened).value();
  }
  if (!start_status_server()) return false;
  delivery_.start(std::move(delivery_store), dispatcher_factory(*gen_));  // undelivered rows go out first
  engine_ = make_engine(*gen_);
  log_.info("batchwatch started",
            {{"config", options_.config_path}, {"rules", std::to_string(c.rules.size())}, {"region", gen_->region}});
  return true;
}

// A config that does not load, or whose clients cannot be built, is reported and the running one
// kept. Otherwise the old generation is dropped here; the delivery thread lets go of its part when
// its pass ends (see dispatcher_factory), so nothing accumulates over reloads.
void Daemon::reload() {
  auto fresh = deps_.load_config();
  std::string error;
  std::optional<Generation> next;
  if (fresh.config) next = deps_.build(std::make_shared<const config::Config>(std::move(*fresh.config)), metrics_, error);
  if (!next) {
    for (const auto& d : fresh.diagnostics) log_.error("reload rejected: " + d.str());
    if (fresh.diagnostics.empty()) log_.error("reload rejected: " + error);
    log_.error("configuration reload failed; still running the previous configuration");
    metrics_.count_config_reload(false);
    return;
  }
  delivery_.replace(dispatcher_factory(*next));
  flush_states();
  const auto last_job_list = engine_->last_job_list();
  engine_ = make_engine(*next);
  engine_->resume_job_listing_after(last_job_list);  // a SIGHUP is no reason to list every account at once
  gen_ = std::move(next);
  metrics_.count_config_reload(true);
  log_.info("configuration reloaded", {{"rules", std::to_string(gen_->cfg->rules.size())}});
}

Time Daemon::run_cycle() {
  const Time now = clock_.now();
  const auto started = std::chrono::steady_clock::now();
  auto report = engine_->run(now, *store_, RunMode::Record);
  metrics_.record_cycle(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!report) {
    log_.error("cycle failed: " + report.error().describe());
    tell_systemd(systemd_.status("cycle failed: " + report.error().describe()));
    return next_cycle_after_failure(*gen_->cfg, clock_.now());
  }
  if (report->notifications > 0) {
    // A simulated clock runs cycles back to back: without this, deliveries would trail by simulated
    // hours and die of a target's max_age. Time stands still while they go out.
    if (options_.simulate_from) {
      if (!delivery_.settle(gen_->cfg->shutdown_grace))
        log_.warn("simulated clock: deliveries still running; the next cycle goes on without them");
    } else {
      delivery_.wake();
    }
  }
  prune_expired(*store_, now, gen_->cfg->state_retention, log_);
  if (gen_->heartbeat) gen_->heartbeat();
  export_cycle(metrics_, report.value(), *store_, clock_.now(), gen_->cfg->jobs.enabled);
  metrics_.set_ready(true);
  status_.publish(snapshot_of(report.value(), *store_, *gen_->cfg));
  tell_cycle_done(report.value());
  release_cycle(report.value());
  // Last, so that whoever waits for this line sees the cycle's metrics and snapshot in place.
  log_.debug("cycle done", {{"series", std::to_string(report->series)},
                            {"fetched", std::to_string(report->series_fetched)},
                            {"datapoints", std::to_string(report->datapoints)},
                            {"notifications", std::to_string(report->notifications)}});
  return next_cycle(*gen_->cfg, clock_.now());
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
    clock_.sleep_until(ping ? std::min(wake, clock_.now() + step) : wake, control_.waiter);
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
      idle_until_stopped();
      break;
    }
    sleep_until(wake);
  }
}

void Daemon::idle_until_stopped() {
  log_.info("cycle limit reached: idling until stopped", {{"cycles", std::to_string(cycles_run_)}});
  while (!control_.stop) {
    deps_.idle_clock.sleep_until(deps_.idle_clock.now() + Duration{1}, control_.waiter);
    tell_systemd(systemd_.watchdog());
  }
}

// The engine writes a state row only when something durable changed or it lags kStateCheckpoint; what
// it evaluated since is written here, before it is dropped, so the next engine resumes after it.
void Daemon::flush_states() {
  if (!engine_ || !store_) return;
  if (auto flushed = engine_->flush(*store_); !flushed)
    log_.warn("could not write the newest evaluations (the next start re-evaluates them): " +
              flushed.error().describe());
}

void Daemon::stop() {
  tell_systemd(systemd_.stopping());
  flush_states();
  const Duration grace = gen_ ? gen_->cfg->shutdown_grace : Duration{10};
  log_.info("stopping: delivering what is due (grace period)", {{"grace", format_duration(grace)}});
  delivery_.stop(grace);
  status_.stop();
  log_.info("batchwatch stopped");
}

}  // namespace bw::agent
