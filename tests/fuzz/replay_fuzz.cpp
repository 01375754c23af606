// Replay data (JSON Lines, for the demo and `batchwatch backtest`): read by ReplaySource::load as the program
// reads the file, then asked what a cycle asks: the wildcard dimensions of a metric (discover) and the
// datapoints of its series aggregated per period and statistic (fetch).
#include <cstdint>
#include <string>
#include <vector>

#include "agent/cycle/replay_source.hpp"
#include "config/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bw::fuzz::ScratchFile replay_file("replay.jsonl");
  std::vector<std::string> errors;
  auto source = bw::agent::ReplaySource::load(replay_file.write(data, size), errors);
  if (!source.first() || !source.last()) return 0;

  bw::config::MetricSpec metric;
  metric.ns = "AWS/Bedrock/Batch";
  metric.name = "NumberOfRecordsPendingProcessing";
  metric.dimensions = {{"modelId", "*"}};
  const auto found = source.discover(metric);
  if (!found) return 0;
  std::vector<bw::SeriesKey> keys;
  for (const auto& dimensions : found.value())
    for (const char* stat : {"Average", "Sum", "Maximum", "SampleCount", "p90", "p99.9"})
      for (const auto period : {bw::Duration{60}, bw::Duration{300}})
        keys.push_back(bw::SeriesKey{bw::MetricId{metric.ns, metric.name, dimensions}, stat, period});
  (void)source.fetch(keys, *source.first(), *source.last() + bw::Duration{1});
  return 0;
}
