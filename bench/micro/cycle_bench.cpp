// The per-cycle costs of the daemon beyond signing: parsing a full GetMetricData page, planning the
// calls, evaluating every (rule, series), and the SQLite write of transitions and their outbox rows.
// Targets (issue 6): parse 100,500 datapoints <= 30 ms; evaluate 1,000 rules x 100 series <= 50 ms.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cycle/planner.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "aws/cloudwatch.hpp"
#include "aws/cloudwatch_scan.hpp"
#include "config/config.hpp"
#include "rules/series.hpp"
#include "rules/threshold.hpp"
#include "tests/support/cloudwatch_reference.hpp"

namespace {

constexpr std::int64_t kStart = 1764000000;  // a whole minute

// A GetMetricData response body as CloudWatch sends it: `results` results of `points` datapoints each,
// timestamps as epoch seconds (JSON 1.0), values with fractions.
std::string get_metric_data_response(int results, int points) {
  std::string out = R"({"MetricDataResults":[)";
  char buf[64];
  for (int r = 0; r < results; ++r) {
    if (r) out += ',';
    out += R"({"Id":"q)" + std::to_string(r) + R"(","Label":"NumberOfRecordsPendingProcessing modelId=model-)" +
           std::to_string(r) + R"(","StatusCode":"Complete","Timestamps":[)";
    for (int i = 0; i < points; ++i) {
      if (i) out += ',';
      out += std::to_string(kStart + 60 * static_cast<std::int64_t>(points - 1 - i)) + ".0";
    }
    out += R"(],"Values":[)";
    for (int i = 0; i < points; ++i) {
      if (i) out += ',';
      std::snprintf(buf, sizeof buf, "%.6f", 12345.678 + r * 7.25 + i * 0.125);
      out += buf;
    }
    out += "]}";
  }
  out += R"(],"Messages":[]})";
  return out;
}

// What one GetMetricData page costs the daemon after the HTTP body arrived: JSON parse + extraction.
void BM_ParseGetMetricData(benchmark::State& state) {
  const int results = static_cast<int>(state.range(0)), points = static_cast<int>(state.range(1));
  const std::string body = get_metric_data_response(results, points);
  std::size_t datapoints = 0;
  for (auto _ : state) {
    std::vector<bw::aws::MetricDataResult> into;
    into.reserve(static_cast<std::size_t>(results));
    for (int r = 0; r < results; ++r) into.push_back({"q" + std::to_string(r), "", {}, {}});
    auto json = nlohmann::json::parse(body);
    auto next = bw::aws::reference::parse_get_metric_data_response(json, into);
    if (!next) state.SkipWithError("parse failed");
    datapoints = 0;
    for (const auto& r : into) datapoints += r.values.size();
    benchmark::DoNotOptimize(into.data());
  }
  state.counters["datapoints"] = static_cast<double>(datapoints);
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_ParseGetMetricData)->Args({500, 201})->Unit(benchmark::kMillisecond);

// The same page through the path CloudWatchClient::get_metric_data takes, parse_get_metric_data_body:
// the dedicated scanner straight into the result vectors. Checked bit-equal to the DOM path first.
// With `bom` the body starts with a UTF-8 byte-order mark, which the scanner leaves to the SAX handler:
// that measures the general path any body the scanner declines takes (what every page took before).
void parse_body_bench(benchmark::State& state, bool bom) {
  const int results = static_cast<int>(state.range(0)), points = static_cast<int>(state.range(1));
  const std::string body = (bom ? "\xEF\xBB\xBF" : "") + get_metric_data_response(results, points);
  auto fresh = [&] {
    std::vector<bw::aws::MetricDataResult> into;
    into.reserve(static_cast<std::size_t>(results));
    for (int r = 0; r < results; ++r) into.push_back({"q" + std::to_string(r), "", {}, {}});
    return into;
  };
  {
    auto dom = fresh(), sax = fresh();
    auto a = bw::aws::reference::parse_get_metric_data_response(nlohmann::json::parse(body), dom);
    auto b = bw::aws::parse_get_metric_data_body(body, sax);
    auto scanned = fresh();
    if (std::string token; bom == bw::aws::scan_get_metric_data_body(body, scanned, token)) {
      state.SkipWithError(bom ? "the scanner took the body with a BOM" : "the scanner declined the page");
      return;
    }
    bool same = a && b && dom.size() == sax.size();
    for (std::size_t i = 0; same && i < dom.size(); ++i)
      same = dom[i].id == sax[i].id && dom[i].status_code == sax[i].status_code &&
             dom[i].timestamps == sax[i].timestamps &&
             std::memcmp(dom[i].values.data(), sax[i].values.data(), dom[i].values.size() * sizeof(double)) == 0;
    if (!same) {
      state.SkipWithError("body and DOM parses differ");
      return;
    }
  }
  std::size_t datapoints = 0;
  for (auto _ : state) {
    auto into = fresh();
    auto next = bw::aws::parse_get_metric_data_body(body, into);
    if (!next) state.SkipWithError("parse failed");
    datapoints = 0;
    for (const auto& r : into) datapoints += r.values.size();
    benchmark::DoNotOptimize(into.data());
  }
  state.counters["datapoints"] = static_cast<double>(datapoints);
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
}
void BM_ParseGetMetricDataBody(benchmark::State& state) { parse_body_bench(state, false); }
BENCHMARK(BM_ParseGetMetricDataBody)->Args({500, 201})->Unit(benchmark::kMillisecond);
void BM_ParseGetMetricDataBodySaxFallback(benchmark::State& state) { parse_body_bench(state, true); }
BENCHMARK(BM_ParseGetMetricDataBodySaxFallback)->Args({500, 201})->Unit(benchmark::kMillisecond);

// 10 threshold rules with a modelId wildcard over 1,000 models = 10,000 (rule, series) instances; the
// rules read 5 distinct metrics so the plan has 5,000 unique series (ceil(5,000 / 500) = 10 calls).
void BM_Plan10000Series(benchmark::State& state) {
  const int rules_n = 10, models = 1000;
  const char* metrics[] = {"NumberOfRecordsPendingProcessing", "NumberOfInputTokensProcessedPerMinute",
                           "NumberOfOutputTokensProcessedPerMinute", "NumberOfTokensPendingProcessing",
                           "NumberOfRecordsProcessedPerMinute"};
  std::vector<bw::config::Rule> rules;
  for (int r = 0; r < rules_n; ++r) {
    bw::config::Rule rule;
    rule.name = "rule-" + std::to_string(r);
    rule.metric.ns = "AWS/Bedrock/Batch";
    rule.metric.name = metrics[r % 5];
    rule.metric.dimensions = {{"modelId", "*"}};
    rule.metric.stat = "Maximum";
    rule.metric.period = bw::Duration{60};
    bw::ThresholdSpec spec;
    spec.threshold = 1000.0 * r;
    spec.evaluation_periods = 3;
    rule.spec = spec;
    rules.push_back(std::move(rule));
  }
  std::vector<std::vector<bw::Dimension>> models_dims;
  for (int m = 0; m < models; ++m) models_dims.push_back({{"modelId", "model-" + std::to_string(m)}});
  const std::vector<std::vector<std::vector<bw::Dimension>>> expansions(rules.size(), models_dims);
  const auto now = bw::from_epoch(kStart + 3 * 3600);
  std::size_t series = 0, instances = 0;
  for (auto _ : state) {
    auto plan = bw::agent::make_plan(rules, expansions, now, bw::Duration{120});
    series = plan.series.size();
    instances = plan.instances.size();
    benchmark::DoNotOptimize(plan.groups.data());
  }
  state.counters["instances"] = static_cast<double>(instances);
  state.counters["unique_series"] = static_cast<double>(series);
}
BENCHMARK(BM_Plan10000Series)->Unit(benchmark::kMillisecond);

// 1,000 threshold rules x 100 series: each (rule, series) cuts its 60-slot window out of 3 h of 1-minute
// datapoints (with a few gaps) and evaluates it, as the engine does every cycle: into a reused window
// buffer, deciding the state only (Explain::No). The engine writes a reason only when a state changes,
// a reminder is owed or `once` prints it; Arg 1 times the same loop with a reason on every evaluation.
void BM_Evaluate1000RulesX100Series(benchmark::State& state) {
  const int rules_n = static_cast<int>(state.range(0)), series_n = static_cast<int>(state.range(1));
  const auto explain = state.range(2) ? bw::Explain::Yes : bw::Explain::No;
  const int slots = 60;
  const bw::Duration period{60};
  const auto end = bw::from_epoch(kStart + 180 * 60);
  std::vector<std::vector<bw::Datapoint>> series(static_cast<std::size_t>(series_n));
  for (int s = 0; s < series_n; ++s)
    for (int i = 0; i < 180; ++i) {
      if ((i + s) % 17 == 0) continue;  // missing datapoints
      series[static_cast<std::size_t>(s)].push_back({bw::from_epoch(kStart + 60 * i), 1000.0 * ((i * 7 + s) % 50)});
    }
  const bw::Comparison cmps[] = {bw::Comparison::Greater, bw::Comparison::Less, bw::Comparison::GreaterOrEqual,
                                 bw::Comparison::LessOrEqual};
  const bw::TreatMissing treats[] = {bw::TreatMissing::Missing, bw::TreatMissing::Ignore,
                                     bw::TreatMissing::Breaching, bw::TreatMissing::NotBreaching};
  std::vector<bw::ThresholdSpec> specs;
  for (int r = 0; r < rules_n; ++r) {
    bw::ThresholdSpec spec;
    spec.comparison = cmps[r % 4];
    spec.threshold = 500.0 * (r % 100);
    spec.evaluation_periods = 1 + r % 10;
    spec.datapoints_to_alarm = 1 + (r % 10) / 2;
    spec.evaluation_range = slots;
    spec.treat_missing = treats[(r / 4) % 4];
    specs.push_back(spec);
  }
  std::vector<bw::Slot> window;
  std::size_t alarms = 0;
  for (auto _ : state) {
    alarms = 0;
    for (const auto& spec : specs)
      for (const auto& points : series) {
        bw::make_window(points, end, period, slots, window);
        const auto e = bw::evaluate_threshold(spec, window, bw::AlarmState::Ok, explain);
        alarms += e.state == bw::AlarmState::Alarm ? 1 : 0;
      }
    benchmark::DoNotOptimize(alarms);
  }
  state.counters["evaluations"] = static_cast<double>(rules_n) * series_n;
  state.counters["alarms"] = static_cast<double>(alarms);
}
BENCHMARK(BM_Evaluate1000RulesX100Series)
    ->ArgNames({"rules", "series", "explain"})
    ->Args({1000, 100, 0})
    ->Args({1000, 100, 1})
    ->Unit(benchmark::kMillisecond);

// One cycle's durable write: `n` state updates, each a transition with one outbox row, in one
// transaction (WAL, in a temporary file). Every iteration uses fresh idempotency keys.
void BM_StateStoreCommit(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  char path[] = "/tmp/bw-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    state.SkipWithError("mkstemp failed");
    return;
  }
  close(fd);
  std::remove(path);
  auto opened = bw::agent::SqliteStateStore::open(path);
  if (!opened) {
    state.SkipWithError(opened.error().describe().c_str());
    return;
  }
  auto store = std::move(opened).value();
  std::int64_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<bw::agent::StateUpdate> updates;
    updates.reserve(static_cast<std::size_t>(n));
    const auto at = bw::from_epoch(kStart + 60 * round);
    const bool alarm = round % 2 == 0;
    for (int i = 0; i < n; ++i) {
      bw::agent::StateUpdate u;
      u.state.rule = "backlog-high";
      u.state.series = "modelId=model-" + std::to_string(i);
      u.state.state = alarm ? bw::AlarmState::Alarm : bw::AlarmState::Ok;
      u.state.value = 40000.0 + i;
      u.state.reason = "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (40000.0)";
      u.state.changed_at = at;
      u.state.evaluated_at = at;
      u.state.notified_state = std::string(bw::to_string(u.state.state));
      u.state.notified_at = at;
      u.state.window_end = at;
      u.transition = true;
      u.old_state = alarm ? bw::AlarmState::Ok : bw::AlarmState::Alarm;
      bw::agent::OutboxRow row;
      row.idempotency_key = "backlog-high|" + u.state.series + "|" + std::to_string(round);
      row.target = "ops";
      row.subject = "ALARM: \"backlog-high/" + u.state.series + "\" in us-east-1";
      row.payload = std::string(600, 'x');
      row.rule = u.state.rule;
      row.series = u.state.series;
      row.state = u.state.notified_state;
      row.created_at = at;
      row.next_attempt_at = at;
      u.outbox.push_back(std::move(row));
      updates.push_back(std::move(u));
    }
    ++round;
    state.ResumeTiming();
    if (auto committed = store->commit(updates); !committed)
      state.SkipWithError(committed.error().describe().c_str());
  }
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((std::string(path) + suffix).c_str());
  state.counters["updates"] = n;
}
BENCHMARK(BM_StateStoreCommit)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
