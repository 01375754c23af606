#pragma once
// Snapshots for the status page's tests and its benchmark (bench/micro/status_page_bench.cpp).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "agent/status/status_server.hpp"

namespace bw::agent::testing {

inline Time page_time(std::string_view text) { return parse_rfc3339(text).value_or(Time{}); }

// `count` one-minute periods ending at `end`, values from `first` rising by `step`, the first
// `missing` periods absent.
inline std::vector<Datapoint> ramp(Time end, int count, double first, double step, int missing = 0) {
  std::vector<Datapoint> points;
  for (int i = missing; i < count; ++i) points.push_back({end - Duration{60 * (count - i)}, first + step * i});
  return points;
}

// Four (rule, series): a drained backlog, an OK and an ALARM threshold series, and a composite (no
// metric); two jobs, one target owing notifications, one silence. The page is drawn at 06:00.
inline StatusSnapshot small_snapshot() {
  const Time end = page_time("2026-11-22T06:00:00Z");
  StatusSnapshot s;
  s.ready = true;
  s.last_cycle = end;
  s.alerts.push_back({"drain", "drained", {{"modelId", "m1"}}, AlarmState::Drained, 0.0, "queue drained",
                      page_time("2026-11-22T05:00:00Z")});
  s.trails.add_instance(s.trails.add_series(ramp(end, 30, 300, -10), end, Duration{60}), {ReferenceKind::Zero, 0});
  s.alerts.push_back({"tokens-high", "threshold", {{"modelId", "m2"}}, AlarmState::Ok, 12.5, "below",
                      page_time("2026-11-22T04:00:00Z")});
  s.trails.add_instance(s.trails.add_series(ramp(end, 30, 10, 0.1), end, Duration{60}),
                        {ReferenceKind::Threshold, 1000000});
  s.alerts.push_back({"tokens-high", "threshold", {{"modelId", "m3"}}, AlarmState::Alarm, 1250000.0,
                      "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 05:57:00)] was greater "
                      "than the threshold (1000000.0).",
                      page_time("2026-11-22T03:00:00Z")});
  s.trails.add_instance(s.trails.add_series(ramp(end, 30, 900000, 12500, 2), end, Duration{60}),
                        {ReferenceKind::Threshold, 1000000});
  s.alerts.push_back({"both-bad", "composite", {{"modelId", "m3"}}, AlarmState::InsufficientData, std::nullopt,
                      "a child has no data", page_time("2026-11-22T05:30:00Z")});
  s.trails.add_instance(SeriesTrails::kNone, {});

  JobSnapshot running;
  running.arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc1";
  running.name = "night-1";
  running.model_id = "anthropic.claude-3-haiku";
  running.status = "InProgress";
  running.total = 5000;
  running.processed = 1200;
  running.errors = 3;
  running.output_s3_uri = "s3://out/night-1/";
  s.jobs.push_back({running, page_time("2026-11-22T08:30:00Z")});
  JobSnapshot done = running;
  done.name = "night-0";
  done.status = "Completed";
  done.processed = 5000;
  done.end_time = page_time("2026-11-22T04:00:00Z");
  s.jobs.push_back({done, std::nullopt});

  s.outbox["ops"] = {2, 1, page_time("2026-11-22T04:45:00Z")};
  s.silences.push_back({"*", "modelId=m9", page_time("2026-11-22T05:00:00Z"), page_time("2026-11-22T09:00:00Z"), "maintenance"});
  return s;
}

// `series` (rule, series) over ten rules, one in `firing_every` in ALARM with a CloudWatch-length
// reason, each with 30 periods; `jobs` running jobs. What the 500 KB test and the render benchmark draw.
inline StatusSnapshot large_snapshot(int series, int jobs, int firing_every) {
  const Time end = page_time("2026-11-22T06:00:00Z");
  StatusSnapshot s;
  s.ready = true;
  s.last_cycle = end;
  for (int i = 0; i < series; ++i) {
    const bool alarm = i % firing_every == 0;
    const auto rule = fmt::format("rule-{}", i % 10);
    const std::string reason =
        alarm ? fmt::format("Threshold Crossed: 3 out of the last 3 datapoints [{}.0 (22/11/26 05:57:00), {}.0 "
                            "(22/11/26 05:56:00), ...] were greater than the threshold (1000000.0).",
                            1000000 + i, 1000000 + 2 * i)
              : "Threshold Crossed: no datapoint was greater than the threshold (1000000.0).";
    s.alerts.add(rule, "threshold", {{"modelId", fmt::format("vendor.model-{}-v1:0", i / 10)}},
                 alarm ? AlarmState::Alarm : AlarmState::Ok, 900000.0 + i, reason, end - Duration{3600});
    s.trails.add_instance(s.trails.add_series(ramp(end, 30, 800000 + i, 7919.5), end, Duration{60}),
                          {ReferenceKind::Threshold, 1000000});
  }
  for (int i = 0; i < jobs; ++i) {
    JobSnapshot j;
    j.arn = fmt::format("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{:012}", i);
    j.name = fmt::format("nightly-batch-{:04}", i);
    j.model_id = "anthropic.claude-3-haiku-20240307-v1:0";
    j.status = "InProgress";
    j.total = 50000;
    j.processed = 250 * i;
    j.errors = i % 7;
    j.output_s3_uri = fmt::format("s3://batch-output-bucket/nightly/{:04}/", i);
    s.jobs.push_back({j, end + Duration{60 * i}});
  }
  s.outbox["ops-email"] = {3, 0, end - Duration{600}};
  return s;
}

}  // namespace bw::agent::testing
