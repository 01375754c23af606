#!/usr/bin/env python3
"""batchwatch vs the boto3 peer, side by side against one moto_server on loopback.

Seeds 200 modelIds x 4 AWS/Bedrock/Batch metrics x 3 h of 1-minute datapoints, creates the SNS topic,
then runs `batchwatch once` and bench/peer/boto3_poller.py alternately --runs times each, over the same
4 threshold rules (one per metric, 1-minute period, 2 of 3, wildcard modelId: 800 unique series).

State: each client keeps its own state across runs (batchwatch's SQLite db, the peer's JSON file),
after one unmeasured warm-up run each that records the initial states and publishes the initial ALARMs.
The measured runs are therefore the steady-state cycle (fetch, evaluate, nothing to publish), which is
what a poller does almost every minute. Both evaluate as of the same fixed time (--now).

Per run, for the CLIENT process only: CPU user+sys (os.wait4 rusage; the client runs under
/usr/bin/time, whose own ~1 ms is included), peak RSS (GNU time's %M: ru_maxrss seen from this
Python process would carry its own high-water mark over exec), wall time. HTTP requests and metrics requested are counted by a counting reverse proxy,
one per client, in front of moto (metrics requested = MetricDataQueries in the GetMetricData bodies:
JSON for batchwatch, CBOR for boto3, which botocore 1.43 speaks to CloudWatch by default).
moto's own CPU is not counted. Prints a markdown table of medians and batchwatch/peer ratios.

--first-cycle measures the other end: every run starts from nothing (batchwatch's state file and the peer's
state file deleted before it), and exactly --alarms of the series breach, so each run records every state and
publishes --alarms notifications (batchwatch: PublishBatch, 10 a call; the peer: one Publish each). That is a
new installation's first cycle, or an alarm storm.

  BATCHWATCH_BIN=build/agent/batchwatch python3 bench/e2e/compare.py [--runs 5] [--models 200]
  BATCHWATCH_BIN=build/agent/batchwatch python3 bench/e2e/compare.py --first-cycle [--alarms 50]
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from fault_proxy import FaultProxy  # noqa: E402
from moto_fixture import REGION, Moto  # noqa: E402

NAMESPACE = "AWS/Bedrock/Batch"
# (metric, stat, comparison, threshold): one threshold rule each, 2 of 3 one-minute periods.
RULES = [
    ("NumberOfRecordsPendingProcessing", "Maximum", ">", 8500),
    ("NumberOfTokensPendingProcessing", "Maximum", ">", 8500),
    ("NumberOfInputTokensProcessedPerMinute", "Average", "<", 500),
    ("NumberOfOutputTokensProcessedPerMinute", "Average", "<", 500),
]


def steady_value(k, i, j):
    """~10% of the series breach: the value of metric k, model i, minute j."""
    return float((i % 10) * 1000 + (j % 5) * 100)


def first_alarms(count, models):
    """The first `count` series (metric-major) breach their rule; the others sit well inside it."""
    def value(k, i, j):
        breach = k * models + i < count
        if RULES[k][2] == ">":  # above 8500 breaches
            return float((9000 if breach else 5000) + j % 5)
        return float((100 if breach else 5000) + j % 5)  # below 500 breaches
    return value


def seed(moto, models, minutes, end, value=steady_value):
    """`models` x len(RULES) series of one datapoint a minute ending at `end`, each `value(k, i, j)`."""
    cw = moto.client("cloudwatch")  # request compression disabled (moto cannot read gzip bodies)
    batch = []
    sent = 0

    def flush():
        nonlocal batch, sent
        if batch:
            cw.put_metric_data(Namespace=NAMESPACE, MetricData=batch)
            sent += len(batch)
            batch = []

    for k, (metric, _, _, _) in enumerate(RULES):
        for i in range(models):
            model = f"model-{i:04}"
            for j in range(minutes):
                stamp = datetime.datetime.fromtimestamp(end - (minutes - j) * 60, tz=datetime.timezone.utc)
                batch.append({"MetricName": metric, "Dimensions": [{"Name": "modelId", "Value": model}],
                              "Timestamp": stamp, "Value": value(k, i, j), "Unit": "Count"})
                if len(batch) == 1000:
                    flush()
    flush()
    return sent


def write_configs(workdir, endpoint, topic_arn):
    rules_dir = os.path.join(workdir, "rules")
    os.makedirs(rules_dir, exist_ok=True)
    with open(os.path.join(rules_dir, "bench.yaml"), "w") as f:
        f.write("rules:\n")
        for k, (metric, stat, cmp, threshold) in enumerate(RULES):
            f.write(f"""  - name: rule-{k}
    kind: threshold
    metric: {{namespace: {NAMESPACE}, name: {metric}, dimensions: {{modelId: "*"}}, stat: {stat}, period: 1m}}
    comparison: "{cmp}"
    threshold: {threshold}
    evaluation_periods: 3
    datapoints_to_alarm: 2
    treat_missing_data: notBreaching
    notify: [ops]
""")
    agent = os.path.join(workdir, "agent.yaml")
    with open(agent, "w") as f:
        f.write(f"""aws: {{region: {REGION}, endpoint_url: "{endpoint}"}}
poll: {{delay: 0s}}
state: {{path: state.db}}
server: {{listen: "127.0.0.1:0"}}
targets:
  ops: {{type: sns, topic_arn: "{topic_arn}"}}
rule_files: [rules/*.yaml]
""")
    peer_rules = os.path.join(workdir, "peer-rules.json")
    with open(peer_rules, "w") as f:
        json.dump([{"name": f"rule-{k}", "metric": m, "stat": s, "period": 60, "comparison": c, "threshold": t,
                    "n": 3, "m": 2} for k, (m, s, c, t) in enumerate(RULES)], f)
    return agent, peer_rules


def metrics_requested(seen):
    """(requests, GetMetricData calls, queries in them) seen by one counting proxy."""
    calls = queries = 0
    for s in seen:
        target = s.header("X-Amz-Target") or ""
        if "GetMetricData" in target:  # AWS JSON 1.0
            calls += 1
            queries += len(json.loads(s.body)["MetricDataQueries"])
        elif s.url.endswith("/operation/GetMetricData"):  # smithy-rpc-v2-cbor: one "MetricStat" key per query
            calls += 1
            queries += s.body.count(b"\x6aMetricStat")
    return len(seen), calls, queries


def forget_state(workdir):
    """A fresh start for both clients: no state file, no peer state."""
    for name in ("state.db", "state.db-wal", "state.db-shm", "peer-state.json"):
        try:
            os.unlink(os.path.join(workdir, name))
        except FileNotFoundError:
            pass


def measure(cmd, env, proxy, cwd, fresh=False):
    if fresh:
        forget_state(cwd)
    proxy.seen.clear()
    # Peak RSS comes from GNU time, the parent of the client: our own wait4 ru_maxrss would include
    # this Python process's high-water mark, which a (v)forked child inherits across exec.
    timefile = os.path.join(cwd, "time.out")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", timefile] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.stdout.read(), p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    if p.returncode not in (0, 1):  # `once` exits 1 when some series is in ALARM
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {err.decode()[-2000:]}")
    requests, calls, queries = metrics_requested(list(proxy.seen))
    publishes = sum(1 for x in proxy.seen if b"Action=Publish" in x.body)
    return {"publish_calls": publishes, "cpu_s": ru.ru_utime + ru.ru_stime, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "maxrss_mb": int(open(timefile).read().split()[-1]) / 1024, "wall_s": wall, "requests": requests, "gmd_calls": calls,
            "metrics": queries, "stdout": out.decode()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--minutes", type=int, default=180)
    ap.add_argument("--bin", default=os.environ.get("BATCHWATCH_BIN", os.path.join(ROOT, "build", "agent", "batchwatch")))
    ap.add_argument("--json", help="also write the raw per-run figures here")
    ap.add_argument("--first-cycle", action="store_true", help="measure first cycles from no state (see above)")
    ap.add_argument("--alarms", type=int, default=50, help="with --first-cycle: how many series breach")
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="bw-compare-")
    moto = Moto()
    proxies = []
    try:
        end = int(time.time()) // 60 * 60
        t = time.monotonic()
        n = seed(moto, args.models, args.minutes, end,
                 first_alarms(args.alarms, args.models) if args.first_cycle else steady_value)
        print(f"seeded {n} datapoints in {time.monotonic() - t:.1f}s", file=sys.stderr)
        topic_arn = moto.client("sns").create_topic(Name="bench-ops")["TopicArn"]
        bw_proxy, peer_proxy = FaultProxy(upstream=moto.endpoint), FaultProxy(upstream=moto.endpoint)
        proxies = [bw_proxy, peer_proxy]
        agent, peer_rules = write_configs(workdir, bw_proxy.url, topic_arn)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        now_text = datetime.datetime.fromtimestamp(end, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        bw_cmd = [args.bin, "once", "--config", agent, "--now", now_text, "--log-level", "error"]
        peer_cmd = [sys.executable, os.path.join(ROOT, "bench", "peer", "boto3_poller.py"), "--endpoint", peer_proxy.url,
                    "--rules", peer_rules, "--state", os.path.join(workdir, "peer-state.json"),
                    "--topic-arn", topic_arn, "--now", str(end)]
        warm_bw = measure(bw_cmd, env, bw_proxy, workdir)
        warm_peer = measure(peer_cmd, env, peer_proxy, workdir)
        print(f"warm-up: batchwatch {warm_bw['requests']} requests, peer {warm_peer['requests']} requests "
              f"({warm_peer['stdout'].strip()})", file=sys.stderr)
        runs = {"batchwatch": [], "peer": []}
        for i in range(args.runs):
            runs["batchwatch"].append(measure(bw_cmd, env, bw_proxy, workdir, fresh=args.first_cycle))
            runs["peer"].append(measure(peer_cmd, env, peer_proxy, workdir, fresh=args.first_cycle))
            print(f"run {i + 1}: bw cpu {runs['batchwatch'][-1]['cpu_s']:.3f}s peer cpu "
                  f"{runs['peer'][-1]['cpu_s']:.3f}s", file=sys.stderr)
        peer_inproc = [json.loads(r["stdout"]) for r in runs["peer"]]
    finally:
        for p in proxies:
            p.stop()
        moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    med = {k: {f: statistics.median(r[f] for r in v)
               for f in ("cpu_s", "maxrss_mb", "wall_s", "requests", "gmd_calls", "metrics", "publish_calls")}
           for k, v in runs.items()}
    unique = args.models * len(RULES)
    rows = [("CPU user+sys per cycle (s)", "cpu_s", "{:.3f}"), ("peak RSS (MB)", "maxrss_mb", "{:.1f}"),
            ("wall time per cycle (s, includes moto)", "wall_s", "{:.2f}"), ("HTTP requests per cycle", "requests", "{:.0f}"),
            ("GetMetricData calls per cycle", "gmd_calls", "{:.0f}"), ("metrics requested per cycle", "metrics", "{:.0f}"),
            ("SNS Publish/PublishBatch calls per cycle", "publish_calls", "{:.0f}")]
    mode = f"first cycles from no state, {args.alarms} series in ALARM" if args.first_cycle else "steady state"
    print(f"\n{args.models} modelIds x {len(RULES)} metrics = {unique} unique series ({mode}); medians of {args.runs} "
          f"runs each, alternating; nproc {os.cpu_count()}\n")
    print("| per cycle | batchwatch | boto3 peer | batchwatch/peer |")
    print("|---|---:|---:|---:|")
    for label, key, fmt in rows:
        b, p = med["batchwatch"][key], med["peer"][key]
        print(f"| {label} | {fmt.format(b)} | {fmt.format(p)} | {b / p:.3f} |" if p else f"| {label} | {fmt.format(b)} | {fmt.format(p)} | - |")
    imp = statistics.median(r["import_cpu_s"] for r in peer_inproc)
    cyc = statistics.median(r["cycle_cpu_s"] for r in peer_inproc)
    print(f"\npeer in-process CPU (median): import boto3 {imp:.3f}s, cycle after imports {cyc:.3f}s "
          f"(batchwatch/peer on the cycle alone: {med['batchwatch']['cpu_s'] / cyc:.3f})")
    print(f"expected: metrics requested == {unique} unique series, calls == ceil({unique}/500) = {-(-unique // 500)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs, "medians": med, "peer_in_process": peer_inproc}, f, indent=1)


if __name__ == "__main__":
    main()
