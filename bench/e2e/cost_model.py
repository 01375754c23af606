#!/usr/bin/env python3
"""CloudWatch API cost per month for 10 / 100 / 1,000 modelIds at 1-minute polling, from the counters
batchwatch itself exposes.

For each size: seed one datapoint per (metric, modelId) in moto (so ListMetrics discovers the
series), start `batchwatch run` with the rule set below (poll.delay 0s, catch_up 0s), wait for its
first cycle, and read /metrics:
  batchwatch_cloudwatch_metrics_requested_total, batchwatch_getmetricdata_calls_total  -> batchwatch
  batchwatch_rule_state (one series per (rule, series) and state)                      -> the alternatives
    one GetMetricData per rule:        every rule fetches its own series (no sharing across rules)
    GetMetricStatistics per metric:    one call per (rule, series), each charged like one metric
Scaled to a month of 1-minute cycles (30 d x 1,440 = 43,200), at $0.01 per 1,000 metrics requested.

Rule set: samples/rules/bedrock-batch.yaml (3 threshold rules) plus one 1-minute threshold rule on
each of the 4 AWS/Bedrock/Batch metrics (the compare.py rules): 7 rules, 4 metrics per model.

  BATCHWATCH_BIN=build/agent/batchwatch python3 bench/e2e/cost_model.py
"""
import argparse
import datetime
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

from compare import RULES  # noqa: E402
from footprint import Daemon  # noqa: E402
from moto_fixture import REGION, Moto  # noqa: E402

CYCLES_PER_MONTH = 30 * 1440
PRICE_PER_METRIC = 0.01 / 1000


def measure(binary, models):
    workdir = tempfile.mkdtemp(prefix="bw-cost-")
    moto = Moto()
    daemon = None
    try:
        now = int(time.time()) // 60 * 60
        cw = moto.client("cloudwatch")
        data = [{"MetricName": m, "Dimensions": [{"Name": "modelId", "Value": f"model-{i:04}"}],
                 "Timestamp": datetime.datetime.fromtimestamp(now - 120, tz=datetime.timezone.utc), "Value": 1.0}
                for m, _, _, _ in RULES for i in range(models)]
        for i in range(0, len(data), 1000):
            cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=data[i:i + 1000])
        os.makedirs(os.path.join(workdir, "rules"))
        shutil.copy(os.path.join(ROOT, "samples", "rules", "bedrock-batch.yaml"), os.path.join(workdir, "rules"))
        with open(os.path.join(workdir, "rules", "per-metric.yaml"), "w") as f:
            f.write("rules:\n")
            for k, (metric, stat, cmp, threshold) in enumerate(RULES):
                f.write(f"""  - name: per-minute-{k}
    kind: threshold
    metric: {{namespace: AWS/Bedrock/Batch, name: {metric}, dimensions: {{modelId: "*"}}, stat: {stat}, period: 1m}}
    comparison: "{cmp}"
    threshold: {threshold}
    evaluation_periods: 3
    datapoints_to_alarm: 2
    notify: [ops-email]
""")
        config = os.path.join(workdir, "agent.yaml")
        with open(config, "w") as f:
            f.write(f"""aws: {{region: {REGION}, endpoint_url: "{moto.endpoint}"}}
poll: {{delay: 0s, catch_up: 0s}}
state: {{path: state.db}}
server: {{listen: "127.0.0.1:0"}}
targets:
  ops-email: {{type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:unused"}}
rule_files: [rules/*.yaml]
""")
        daemon = Daemon(binary, config, moto)
        deadline = time.monotonic() + 120
        while daemon.metric("batchwatch_cycles_total") < 1:
            if time.monotonic() > deadline or daemon.proc.poll() is not None:
                raise RuntimeError("no first cycle: " + daemon.text()[-2000:])
            time.sleep(0.1)
        import urllib.request
        body = urllib.request.urlopen(daemon.base + "/metrics", timeout=5).read().decode()
        metrics = daemon.metric("batchwatch_cloudwatch_metrics_requested_total")
        calls = daemon.metric("batchwatch_getmetricdata_calls_total")
        # one (rule, series) per batchwatch_rule_state line whose value is 1 (each is in exactly one state)
        per_rule = {}
        for m in re.finditer(r'^batchwatch_rule_state\{([^}]*)\} 1$', body, re.M):
            rule = re.search(r'rule="([^"]*)"', m.group(1)).group(1)
            per_rule[rule] = per_rule.get(rule, 0) + 1
        return {"metrics": metrics, "calls": calls, "per_rule": per_rule}
    finally:
        if daemon:
            daemon.stop()
        moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--bin", default=os.environ.get("BATCHWATCH_BIN", os.path.join(ROOT, "build", "agent", "batchwatch")))
    args = ap.parse_args()
    print("| modelIds | batchwatch: calls / metrics per cycle | batchwatch $/month | one GetMetricData per rule: "
          "calls / metrics per cycle | $/month | GetMetricStatistics per metric: calls per cycle | $/month |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure(args.bin, size)
        per_rule_metrics = sum(r["per_rule"].values())
        per_rule_calls = sum(-(-n // 500) for n in r["per_rule"].values())
        month = lambda metrics: metrics * CYCLES_PER_MONTH * PRICE_PER_METRIC  # noqa: E731
        print(f"| {size} | {r['calls']:.0f} / {r['metrics']:.0f} | ${month(r['metrics']):,.2f} | "
              f"{per_rule_calls} / {per_rule_metrics} | ${month(per_rule_metrics):,.2f} | "
              f"{per_rule_metrics} | ${month(per_rule_metrics):,.2f} |", flush=True)
    print(f"\n{CYCLES_PER_MONTH} one-minute cycles a month, $0.01 per 1,000 metrics requested "
          "(GetMetricStatistics: $0.01 per 1,000 requests, one metric each).")


if __name__ == "__main__":
    main()
