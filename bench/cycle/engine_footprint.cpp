// One Engine cycle after another in this process, as the daemon runs them but without moto, HTTP or the
// status server: CPU and peak heap of each cycle at N (rule, series) instances, to see what the state
// reads and writes and the engine's per-instance memory cost apart from the fetch.
//
//   bw_engine_footprint [INSTANCES=25000] [CYCLES=8] [STATE_FILE=/tmp/bw-engine-footprint.db]
//
// The shape is bench/e2e/footprint.py's: up to 25,000 instances, 100 threshold rules over INSTANCES/100
// models (4 metrics, each read by 25 rules); above, INSTANCES/250 rules over 250 models. Period 10 s,
// no delay, no catch-up; every series has one steady value, so from cycle 2 on nothing changes.
// Peak heap: the largest number of bytes held through operator new during the cycle, above what was
// held when it began (SQLite's own allocations are not counted: its page cache is bounded).
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <malloc.h>
#include <new>
#include <string>

#include "agent/cycle/engine.hpp"
#include "agent/state/sqlite_state_store.hpp"

namespace {

std::atomic<std::size_t> g_held{0};
std::atomic<std::size_t> g_peak{0};

void note_alloc(std::size_t n) {
  const auto held = g_held.fetch_add(n) + n;
  auto peak = g_peak.load();
  while (held > peak && !g_peak.compare_exchange_weak(peak, held)) {
  }
}

}  // namespace

// Counted allocations: each block carries its size in front (16 bytes keep the alignment).
void* operator new(std::size_t n) {
  auto* p = static_cast<std::size_t*>(std::malloc(n + 16));
  if (!p) throw std::bad_alloc();
  *p = n;
  note_alloc(n);
  return reinterpret_cast<char*>(p) + 16;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  auto* base = reinterpret_cast<std::size_t*>(static_cast<char*>(p) - 16);
  g_held.fetch_sub(*base);
  std::free(base);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

const char* const kMetrics[] = {"NumberOfRecordsPendingProcessing", "NumberOfTokensPendingProcessing",
                                "NumberOfInputTokensProcessedPerMinute", "NumberOfOutputTokensProcessedPerMinute"};
constexpr bw::Duration kPeriod{10};

// Every series has one datapoint per period, its value fixed by its model (as footprint.py --steady).
class SteadySource final : public bw::agent::MetricSource {
 public:
  explicit SteadySource(int models) : models_(models) {}
  bw::aws::Result<std::vector<std::vector<bw::Datapoint>>> fetch(const std::vector<bw::SeriesKey>& keys, bw::Time start,
                                                               bw::Time end) override {
    std::vector<std::vector<bw::Datapoint>> out(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto& model = keys[i].metric.dimensions.at(0).value;
      const double value = 10.0 * std::stoi(model.substr(model.find('-') + 1));
      for (auto t = start; t < end; t += kPeriod) out[i].push_back({t, value});
    }
    return out;
  }
  bw::aws::Result<std::vector<std::vector<bw::Dimension>>> discover(const bw::config::MetricSpec&) override {
    std::vector<std::vector<bw::Dimension>> out;
    char name[32];
    for (int m = 0; m < models_; ++m) {
      std::snprintf(name, sizeof name, "model-%04d", m);
      out.push_back({{"modelId", name}});
    }
    return out;
  }

 private:
  int models_;
};

bw::config::Config make_config(int rules) {
  bw::config::Config c;
  c.aws.region = "us-east-1";
  c.poll.delay = bw::Duration{0};
  c.poll.catch_up = bw::Duration{0};
  for (int r = 0; r < rules; ++r) {
    bw::config::Rule rule;
    rule.name = "rule-" + std::to_string(1000 + r).substr(1);
    rule.metric.ns = "AWS/Bedrock/Batch";
    rule.metric.name = kMetrics[r % 4];
    rule.metric.dimensions = {{"modelId", "*"}};
    rule.metric.stat = "Maximum";
    rule.metric.period = kPeriod;
    bw::ThresholdSpec spec;
    spec.threshold = 100.0 * (r / 4);
    spec.evaluation_periods = 3;
    spec.datapoints_to_alarm = 2;
    rule.spec = spec;
    c.rules.push_back(std::move(rule));
  }
  return c;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const int instances = argc > 1 ? std::atoi(argv[1]) : 25000;
  const int cycles = argc > 2 ? std::atoi(argv[2]) : 8;
  const std::string path = argc > 3 ? argv[3] : "/tmp/bw-engine-footprint.db";
  const int rules = instances <= 25000 ? 100 : instances / 250;
  const int models = instances <= 25000 ? instances / 100 : 250;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto opened = bw::agent::SqliteStateStore::open(path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().describe().c_str());
    return 2;
  }
  auto store = std::move(opened).value();
  const auto config = make_config(rules);
  SteadySource source(models);
  bw::agent::Logger log(bw::agent::LogLevel::Warn);
  bw::agent::Engine engine(config, source, log, "us-east-1");
  const auto start = bw::from_epoch(1795000000 / 10 * 10);
  std::printf("%d rules x %d models = %d instances, %d cycles\n", rules, models, rules * models, cycles);
  std::printf("cycle  cpu_s  peak_heap_MB  above_start_MB  held_after_MB  results\n");
  for (int c = 0; c < cycles; ++c) {
    malloc_trim(0);
    const auto held_before = g_held.load();
    g_peak = held_before;
    const double cpu0 = cpu_seconds();
    std::size_t results = 0;
    {
      auto report = engine.run(start + kPeriod * c, *store, bw::agent::RunMode::Record);
      if (!report) {
        std::fprintf(stderr, "cycle failed: %s\n", report.error().describe().c_str());
        return 2;
      }
      results = report->results.size();
    }
    const double cpu = cpu_seconds() - cpu0;
    std::printf("%5d  %.3f  %12.1f  %14.1f  %13.1f  %zu\n", c + 1, cpu, g_peak.load() / 1048576.0,
                (g_peak.load() - held_before) / 1048576.0, g_held.load() / 1048576.0, results);
  }
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
