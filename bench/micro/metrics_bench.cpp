// Cost of one /metrics scrape: rendering the registry while 1,000 (rule, series) pairs are tracked.
// The registry lock is held while the small families are copied out, not while rule states render.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "agent/status/metrics.hpp"

namespace {

using bw::AlarmState;
using bw::agent::AgentMetrics;
using bw::agent::RuleStateSample;

void fill(AgentMetrics& m, int series) {
  std::vector<RuleStateSample> states;
  std::vector<std::pair<std::string, double>> ages;
  for (int i = 0; i < series; ++i) {
    const auto model = "model-" + std::to_string(i);
    states.push_back({"tokens-high", {{"modelId", model}}, i % 10 == 0 ? AlarmState::Alarm : AlarmState::Ok});
    ages.emplace_back("AWS/Bedrock/Batch NumberOfRecordsPendingProcessing modelId=" + model, 60.0 + i);
  }
  m.set_rule_states(states);
  m.set_last_datapoint_ages(ages);
  for (int i = 0; i < 100; ++i) {
    m.on_response("monitoring", "GetMetricData", "200");
    m.record_cycle(0.01 * i);
  }
}

void BM_RenderMetrics1000Series(benchmark::State& state) {
  AgentMetrics m;
  fill(m, static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto text = m.render();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderMetrics1000Series)->Arg(1000);

void BM_ObserverOnResponse(benchmark::State& state) {
  AgentMetrics m;
  for (auto _ : state) m.on_response("monitoring", "GetMetricData", "200");
}
BENCHMARK(BM_ObserverOnResponse);

}  // namespace
