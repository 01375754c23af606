#!/usr/bin/env python3
"""CloudWatch API cost per month for 10 / 100 / 1,000 modelIds at 1-minute polling, in the STEADY STATE,
from the counters batchwatch itself exposes on /metrics.

Method. `batchwatch run --simulate-from T --cycles N` runs the real daemon (engine, series cache,
scheduler, HTTP, counters) on a simulated clock: each cycle follows the last without waiting, at the
simulated times the scheduler picks (every minute boundary here, the shortest rule period). Two runs
per size and rule set, each from an empty state database, same T: one stops after 1 cycle, one after 61.
The difference of their counters is exactly one simulated hour of steady-state cycles (cycles 2..61),
so every 1-minute series is fetched 60 times, 5-minute ones 12 times and 1-hour ones once in it:
  batchwatch_cloudwatch_metrics_requested_total, batchwatch_getmetricdata_calls_total  -> batchwatch
  batchwatch_rule_state (one series per (rule, series))                               -> the alternatives
The endpoint is a local CloudWatch stand-in (cloudwatch_standin.py: ListMetrics + GetMetricData,
answering at once; moto needs ~5 s per 500-query call at this size). What is counted does not depend
on it: batchwatch's counters count what batchwatch asks.

Alternatives, computed from the same (rule, series) counts and each rule's period:
  one GetMetricData per rule, every minute: every rule fetches its own series each cycle (no sharing)
  one GetMetricData per rule, at its period: the same, but each rule only once per own period
  GetMetricStatistics per (rule, series), at its period: one request (charged like one metric) each
Monthly: per-minute average x 43,200 one-minute cycles (30 d), $0.01 per 1,000 metrics requested.

Rule sets:
  sample+1m: samples/rules/bedrock-batch.yaml (1 h, 5 min, 5 min threshold rules) + one 1-minute
             threshold rule per AWS/Bedrock/Batch metric (the compare.py rules): 7 rules, no two on
             the same (metric, stat, period).
  warn+crit: what users write: a warning and a critical threshold on the same series, for each of the
             4 metrics at 1 minute and for the backlog maximum at 5 minutes: 10 rules, 5 series per model.

  BATCHWATCH_BIN=build/agent/batchwatch python3 bench/e2e/cost_model.py [--sizes 10,100,1000]
"""
import argparse
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from cloudwatch_standin import CloudWatchStandIn  # noqa: E402
from compare import RULES  # noqa: E402

NAMESPACE = "AWS/Bedrock/Batch"
CYCLES_PER_MONTH = 30 * 1440
PRICE_PER_METRIC = 0.01 / 1000
START = "2026-01-15T10:00:00Z"  # a simulated hour boundary
WINDOW = 60  # steady-state cycles measured: one simulated hour of 1-minute cycles
# Datapoint values that keep every rule below OK (nothing to notify, so no delivery traffic).
VALUES = {"NumberOfInputTokensProcessedPerMinute": 500000.0, "NumberOfOutputTokensProcessedPerMinute": 500000.0,
          "NumberOfRecordsPendingProcessing": 0.0, "NumberOfTokensPendingProcessing": 0.0}
PERIOD_MINUTES = {"1m": 1, "5m": 5, "1h": 60}


def threshold_rule(name, metric, stat, period, cmp, threshold, n=3, m=2):
    return {"name": name, "kind": "threshold",
            "metric": {"namespace": NAMESPACE, "name": metric, "dimensions": {"modelId": "*"}, "stat": stat,
                       "period": period},
            "comparison": cmp, "threshold": threshold, "evaluation_periods": n, "datapoints_to_alarm": m,
            "notify": ["ops"]}


def rule_sets():
    with open(os.path.join(ROOT, "samples", "rules", "bedrock-batch.yaml")) as f:
        sample = yaml.safe_load(f)["rules"]
    per_minute = [threshold_rule(f"per-minute-{k}", metric, stat, "1m", cmp, t)
                  for k, (metric, stat, cmp, t) in enumerate(RULES)]
    warn_crit = []
    for metric, stat, cmp, t in RULES:
        low = cmp == "<"
        warn_crit.append(threshold_rule(f"{metric}-warning", metric, stat, "1m", cmp, t))
        warn_crit.append(threshold_rule(f"{metric}-critical", metric, stat, "1m", cmp, t / 5 if low else t * 2))
    warn_crit.append(threshold_rule("backlog-warning", "NumberOfRecordsPendingProcessing", "Maximum", "5m", ">", 40000))
    warn_crit.append(threshold_rule("backlog-critical", "NumberOfRecordsPendingProcessing", "Maximum", "5m", ">", 80000))
    for r in sample:
        r["notify"] = ["ops"]
    return {"sample+1m": sample + per_minute, "warn+crit": warn_crit}


class SimulatedDaemon:
    """`batchwatch run --simulate-from START --cycles N`; waits until it idles after its last cycle."""

    def __init__(self, binary, workdir, endpoint, rules, cycles, timeout=600):
        os.makedirs(workdir)
        with open(os.path.join(workdir, "rules.yaml"), "w") as f:
            yaml.safe_dump({"rules": rules}, f, sort_keys=False)
        config = os.path.join(workdir, "agent.yaml")
        with open(config, "w") as f:
            f.write(f"""aws: {{region: us-east-1, endpoint_url: "{endpoint}"}}
poll: {{catch_up: 0s}}
state: {{path: state.db}}
server: {{listen: "127.0.0.1:0"}}
targets:
  ops: {{type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:unused"}}
rule_files: [rules.yaml]
""")
        self.log_path = os.path.join(workdir, "daemon.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen([binary, "run", "--config", config, "--simulate-from", START,
                                          "--cycles", str(cycles)], stdout=subprocess.DEVNULL, stderr=log, env=env,
                                         cwd=workdir)
        deadline = time.monotonic() + timeout
        while "cycle limit reached" not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"batchwatch run --cycles {cycles} did not finish: " + self.text()[-2000:])
            time.sleep(0.1)
        port = re.search(r"status server listening .*port=(\d+)", self.text()).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
            self.metrics = r.read().decode()

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def value(self, name):
        m = re.search(r"^" + re.escape(name) + r" ([0-9.e+]+)$", self.metrics, re.M)
        return float(m.group(1)) if m else 0.0

    def series_per_rule(self):
        per_rule = {}
        for m in re.finditer(r'^batchwatch_rule_state\{([^}]*)\} 1$', self.metrics, re.M):
            rule = re.search(r'rule="([^"]*)"', m.group(1)).group(1)
            per_rule[rule] = per_rule.get(rule, 0) + 1
        return per_rule

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def measure(binary, models, rules):
    workdir = tempfile.mkdtemp(prefix="bw-cost-")
    standin = CloudWatchStandIn(NAMESPACE, models, VALUES)
    try:
        runs = {}
        list_calls = {}
        for cycles in (1, 1 + WINDOW):
            before = standin.counts["ListMetrics"]
            d = SimulatedDaemon(binary, os.path.join(workdir, f"cycles-{cycles}"), standin.url, rules, cycles)
            try:
                if d.value("batchwatch_cycles_total") != cycles:
                    raise RuntimeError(f"expected {cycles} cycles, /metrics says {d.value('batchwatch_cycles_total')}")
                runs[cycles] = {"metrics": d.value("batchwatch_cloudwatch_metrics_requested_total"),
                                "calls": d.value("batchwatch_getmetricdata_calls_total"),
                                "per_rule": d.series_per_rule()}
            finally:
                d.stop()
            list_calls[cycles] = standin.counts["ListMetrics"] - before
        first, last = runs[1], runs[1 + WINDOW]
        return {"first_metrics": first["metrics"], "first_calls": first["calls"],
                "metrics": (last["metrics"] - first["metrics"]) / WINDOW, "calls": (last["calls"] - first["calls"]) / WINDOW,
                "per_rule": last["per_rule"], "list_metrics_hour": list_calls[1 + WINDOW] - list_calls[1]}
    finally:
        standin.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def month(metrics_per_minute):
    return metrics_per_minute * CYCLES_PER_MONTH * PRICE_PER_METRIC


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--sets", default="sample+1m,warn+crit")
    ap.add_argument("--bin", default=os.environ.get("BATCHWATCH_BIN", os.path.join(ROOT, "build", "agent", "batchwatch")))
    args = ap.parse_args()
    sets = rule_sets()
    print("Per minute = average over one simulated hour of steady-state cycles (cycles 2-61); $ per 30-day month.\n")
    print("| rule set | modelIds | batchwatch calls / metrics per minute | batchwatch $/month | (first cycle: calls / metrics) "
          "| per rule, every minute: calls / metrics | $/month | per rule, at its period: calls / metrics | $/month "
          "| GetMetricStatistics per (rule, series), at its period: requests | $/month |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for set_name in args.sets.split(","):
        rules = sets[set_name]
        period = {r["name"]: PERIOD_MINUTES[r["metric"]["period"]] for r in rules}
        for size in (int(s) for s in args.sizes.split(",")):
            t0 = time.monotonic()
            r = measure(args.bin, size, rules)
            per_rule = r["per_rule"]
            if set(per_rule) != set(period):
                raise RuntimeError(f"rules seen on /metrics {sorted(per_rule)} != configured {sorted(period)}")
            every_min = sum(per_rule.values())
            every_min_calls = sum(math.ceil(n / 500) for n in per_rule.values())
            at_period = sum(n / period[k] for k, n in per_rule.items())
            at_period_calls = sum(math.ceil(n / 500) / period[k] for k, n in per_rule.items())
            print(f"| {set_name} | {size} | {r['calls']:.2f} / {r['metrics']:.1f} | ${month(r['metrics']):,.2f} | "
                  f"({r['first_calls']:.0f} / {r['first_metrics']:.0f}) | {every_min_calls} / {every_min} | "
                  f"${month(every_min):,.2f} | {at_period_calls:.2f} / {at_period:.1f} | ${month(at_period):,.2f} | "
                  f"{at_period:.1f} | ${month(at_period):,.2f} |", flush=True)
            print(f"  [{set_name}, {size} models: {time.monotonic() - t0:.0f}s wall; ListMetrics calls in the "
                  f"steady-state hour: {r['list_metrics_hour']}]", file=sys.stderr, flush=True)
    print(f"\n{CYCLES_PER_MONTH} one-minute cycles a month, $0.01 per 1,000 metrics requested "
          "(GetMetricStatistics: $0.01 per 1,000 requests, one metric each). ListMetrics (discovery, every 15 min) "
          "is not in these figures.")


if __name__ == "__main__":
    main()
