#!/usr/bin/env python3
"""The peer: what a careful user writes by hand instead of batchwatch (one cycle per invocation, run
from cron). Same work as `batchwatch once` over the same rules:

  1. discover the series: ListMetrics per rule metric (modelId dimension), paginated;
  2. GetMetricData in batches of 500 queries, one query per unique (metric, modelId, stat, period);
  3. threshold check, M out of the last N periods (missing datapoints are not breaching);
  4. SNS Publish for every (rule, series) whose state changed since the previous run (state in a JSON file).

Rules file (JSON): [{"name", "metric", "stat", "period", "comparison", "threshold", "n", "m"}].
Prints one JSON line: requests made, metrics requested, publishes, and the in-process CPU of the cycle
(after `import boto3`), so a long-running variant of the peer can be judged too.
"""
import argparse
import datetime
import json
import operator
import os
import time

T0_CPU = time.process_time()
import boto3  # noqa: E402  (import cost is part of a cron-style cycle, reported separately)
import botocore.config  # noqa: E402

CMP = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
NAMESPACE = "AWS/Bedrock/Batch"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--rules", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--topic-arn", required=True)
    ap.add_argument("--now", type=int, default=None, help="epoch seconds (default: the clock)")
    ap.add_argument("--delay", type=int, default=0, help="seconds a period must have ended before it is trusted")
    args = ap.parse_args()
    import_cpu = time.process_time() - T0_CPU
    cycle_cpu0 = time.process_time()

    cfg = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"})
    session = boto3.session.Session(region_name=args.region)
    cw = session.client("cloudwatch", endpoint_url=args.endpoint, config=cfg)
    sns = session.client("sns", endpoint_url=args.endpoint, config=cfg)
    requests = {"n": 0}
    for client in (cw, sns):
        client.meta.events.register("before-send", lambda **kw: requests.__setitem__("n", requests["n"] + 1))

    rules = json.load(open(args.rules))
    now = args.now if args.now is not None else int(time.time())

    # 1. discovery
    models_by_metric = {}
    for metric in sorted({r["metric"] for r in rules}):
        models = set()
        for page in cw.get_paginator("list_metrics").paginate(Namespace=NAMESPACE, MetricName=metric,
                                                              Dimensions=[{"Name": "modelId"}]):
            for m in page["Metrics"]:
                for d in m["Dimensions"]:
                    if d["Name"] == "modelId":
                        models.add(d["Value"])
        models_by_metric[metric] = sorted(models)

    # 2. one query per unique series; every rule here has the same period, so one time range
    series = {}  # (metric, model, stat, period) -> query id
    for r in rules:
        for model in models_by_metric[r["metric"]]:
            series.setdefault((r["metric"], model, r["stat"], r["period"]), f"q{len(series)}")
    period = max(r["period"] for r in rules)
    slots = max(r["n"] + 2 for r in rules)
    end = (now - args.delay) // period * period
    start = end - period * slots
    queries = [{"Id": qid, "ReturnData": True,
                "MetricStat": {"Metric": {"Namespace": NAMESPACE, "MetricName": metric,
                                          "Dimensions": [{"Name": "modelId", "Value": model}]},
                               "Period": per, "Stat": stat}}
               for (metric, model, stat, per), qid in series.items()]
    points = {}  # query id -> {period start epoch: value}
    for i in range(0, len(queries), 500):
        for page in cw.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries[i:i + 500], ScanBy="TimestampAscending",
                StartTime=datetime.datetime.fromtimestamp(start, tz=datetime.timezone.utc),
                EndTime=datetime.datetime.fromtimestamp(end, tz=datetime.timezone.utc)):
            for res in page["MetricDataResults"]:
                got = points.setdefault(res["Id"], {})
                for t, v in zip(res["Timestamps"], res["Values"]):
                    got[int(t.timestamp())] = v

    # 3. threshold check: M of the last N periods
    state = json.load(open(args.state)) if os.path.exists(args.state) else {}
    changes = []
    for r in rules:
        for model in models_by_metric[r["metric"]]:
            got = points.get(series[(r["metric"], model, r["stat"], r["period"])], {})
            last = [got.get(end - r["period"] * k) for k in range(1, r["n"] + 1)]
            real = [v for v in last if v is not None]
            if not real:
                new = "INSUFFICIENT_DATA"
            else:
                breaching = sum(1 for v in real if CMP[r["comparison"]](v, r["threshold"]))
                new = "ALARM" if breaching >= r["m"] else "OK"
            key = f'{r["name"]}/modelId={model}'
            if state.get(key) != new:
                changes.append((r, model, state.get(key, "INSUFFICIENT_DATA"), new, real[0] if real else None))
                state[key] = new

    # 4. notify on change, then remember
    for r, model, old, new, value in changes:
        # As batchwatch: OK only as a recovery (a new series that starts OK sends nothing).
        if new == "INSUFFICIENT_DATA" or (new == "OK" and old == "INSUFFICIENT_DATA"):
            continue
        sns.publish(TopicArn=args.topic_arn, Subject=f'{new}: "{r["name"]}/modelId={model}" in {args.region}'[:100],
                    Message=json.dumps({"AlarmName": f'{r["name"]}/modelId={model}', "OldStateValue": old,
                                        "NewStateValue": new, "Value": value, "Threshold": r["threshold"]}))
    tmp = args.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, args.state)
    print(json.dumps({"requests": requests["n"], "metrics_requested": len(queries),
                      "calls": -(-len(queries) // 500), "changes": len(changes),
                      "import_cpu_s": round(import_cpu, 4),
                      "cycle_cpu_s": round(time.process_time() - cycle_cpu0, 4)}))


if __name__ == "__main__":
    main()
