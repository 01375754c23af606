#!/usr/bin/env python3
"""Footprint of `batchwatch run`: peak RSS (VmHWM), RSS, private memory (RssAnon) and CPU after each
cycle of a short-period configuration, against moto on loopback, beside the floor (the same binary
running `batchwatch version`).

Configuration: 100 threshold rules over 1,000 unique series (4 AWS/Bedrock/Batch metrics x 250
modelIds, wildcard modelId; each rule reads one metric with one of 25 thresholds, so every series is
read by 25 rules: 25,000 (rule, series) evaluations a cycle, 2 GetMetricData calls of 500 queries).
The period is 10 s with poll.delay 0s, so the daemon runs a cycle at every 10-second boundary;
catch_up is 0 (no 3-hour replay at start). Cycles are detected by the daemon's "cycle done" debug log line; /metrics is scraped once
per cycle (as Prometheus would), after the /proc sample, for the counters; then VmHWM is reset, so
each cycle's row shows the peak RSS of that cycle. By default each series has 3 datapoints before
the start and goes stale after ~3 cycles; --steady gives every period of the run a datapoint, so
every cycle sees the same states (what tests/integration/test_footprint.py runs).

  BATCHWATCH_BIN=build/agent/batchwatch python3 bench/e2e/footprint.py [--cycles 10] [--steady]
      [--instances 25000]

--instances sets the (rule, series) count for the growth table: up to 25,000, 100 rules over
instances/100 models (4 metrics each); above, 250 models and instances/250 rules. More series than
1,000 would measure moto, not us: its GetMetricData scans every stored datapoint for each query.
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from moto_fixture import REGION, Moto  # noqa: E402

METRICS = ["NumberOfRecordsPendingProcessing", "NumberOfTokensPendingProcessing",
           "NumberOfInputTokensProcessedPerMinute", "NumberOfOutputTokensProcessedPerMinute"]


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(v.split()[0])  # kB
    return out


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0), so that the next sample's VmHWM is the peak of
    the cycle in between. False when the kernel or permissions do not allow it (VmHWM stays cumulative)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def seed(moto, models, now, points=3, step=10, ahead=0):
    """`points` datapoints per series in the periods before `now`; with `ahead`, also one in each of
    the next `ahead` periods (stamped in the future: moto serves them once their period is asked for),
    all of one value per series, so that every cycle sees the same full windows and states."""
    cw = moto.client("cloudwatch")
    batch = []
    for metric in METRICS:
        for i in range(models):
            for j in range(points + ahead):
                stamp = datetime.datetime.fromtimestamp(now - (points - j) * step, tz=datetime.timezone.utc)
                value = float(i * 10) if ahead else float(i * 10 + j)
                batch.append({"MetricName": metric, "Dimensions": [{"Name": "modelId", "Value": f"model-{i:04}"}],
                              "Timestamp": stamp, "Value": value, "Unit": "Count"})
                if len(batch) == 1000:
                    cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=batch)
                    batch = []
    if batch:
        cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=batch)


def write_config(workdir, endpoint, rules=100, period="10s"):
    os.makedirs(os.path.join(workdir, "rules"), exist_ok=True)
    with open(os.path.join(workdir, "rules", "footprint.yaml"), "w") as f:
        f.write("rules:\n")
        for r in range(rules):
            f.write(f"""  - name: rule-{r:03}
    kind: threshold
    metric: {{namespace: AWS/Bedrock/Batch, name: {METRICS[r % len(METRICS)]}, dimensions: {{modelId: "*"}},
             stat: Maximum, period: {period}}}
    comparison: ">"
    threshold: {100 * (r // len(METRICS))}
    evaluation_periods: 3
    datapoints_to_alarm: 2
    notify: []
""")
    path = os.path.join(workdir, "agent.yaml")
    with open(path, "w") as f:
        f.write(f"""aws: {{region: {REGION}, endpoint_url: "{endpoint}"}}
poll: {{delay: 0s, catch_up: 0s}}
state: {{path: state.db}}
server: {{listen: "127.0.0.1:0"}}
rule_files: [rules/*.yaml]
""")
    return path


def floor(binary):
    """Peak RSS (kB) of `batchwatch version`: the binary, its libraries and nothing else.

    Measured by /usr/bin/time (GNU time), not by our own wait4: a child forked (or vforked) from this
    Python process inherits its RSS high-water mark across exec, so ru_maxrss would report Python's."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, binary, "version"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return int(out.read().split()[-1])


class Daemon:
    def __init__(self, binary, config, moto):
        self.log_path = config + ".log"
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=moto.access_key, AWS_SECRET_ACCESS_KEY=moto.secret_key)
        self.proc = subprocess.Popen([binary, "run", "--config", config, "--log-level", "debug"],
                                     stdout=subprocess.DEVNULL, stderr=self.log, env=env, cwd=os.path.dirname(config))
        deadline = time.monotonic() + 30
        while True:
            m = re.search(r"status server listening .*port=(\d+)", self.text())
            if m:
                self.base = f"http://127.0.0.1:{m.group(1)}"
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("batchwatch run did not start: " + self.text()[-2000:])
            time.sleep(0.05)

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def scrape(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=10) as r:
            return r.read().decode()

    @staticmethod
    def value(body, name):
        m = re.search(r"^" + re.escape(name) + r" ([0-9.e+]+)$", body, re.M)
        return float(m.group(1)) if m else 0.0

    def metric(self, name):
        return Daemon.value(self.scrape(), name)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def shape(instances):
    """(rules, models) for `instances` (rule, series) instances: see the module's docstring."""
    if instances <= 25000:
        if instances % 100:
            raise ValueError("--instances up to 25,000 must be a multiple of 100 (100 rules over instances/100 models)")
        return 100, instances // 100
    if instances % 250:
        raise ValueError("--instances above 25,000 must be a multiple of 250 (instances/250 rules over 250 models)")
    return instances // 250, 250


def run_footprint(binary, cycles, models=250, rules=100, period="10s", cycle_timeout=60, progress=None, steady=False):
    """Starts moto and the daemon; returns (samples, floor_kB). samples[i] is the state after cycle i+1:
    /proc status fields in kB (VmHWM: the peak since the previous sample, see reset_peak), cpu_s
    (process total), metrics counters, wall time. `steady`: data in every period of the run (see
    seed), so the states and reasons stay the same from cycle 1 on."""
    workdir = tempfile.mkdtemp(prefix="bw-footprint-")
    moto = Moto()
    daemon = None
    try:
        now = int(time.time()) // 10 * 10
        seed(moto, models, now, ahead=cycles + 6 if steady else 0)
        config = write_config(workdir, moto.endpoint, rules, period)
        daemon = Daemon(binary, config, moto)
        samples = []
        seen = 0
        t0 = time.monotonic()
        while len(samples) < cycles:
            deadline = time.monotonic() + cycle_timeout
            while True:
                # the "cycle done" debug line, not /metrics: a scrape renders 100,000 rule_state series
                # (~10 MB of text), so scraping in a tight loop would itself be what is measured
                done = daemon.text().count("cycle done")
                if done > seen:
                    break
                if daemon.proc.poll() is not None:
                    raise RuntimeError("batchwatch run exited: " + daemon.text()[-2000:])
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no cycle {seen + 1} within {cycle_timeout}s: " +
                                       daemon.text()[-2000:])
                time.sleep(0.2)
            seen = done
            s = proc_status(daemon.proc.pid)
            s.update(cycle=int(done), cpu_s=proc_cpu(daemon.proc.pid), t=time.monotonic() - t0)
            body = daemon.scrape()
            s.update(calls=Daemon.value(body, "batchwatch_getmetricdata_calls_total"),
                     metrics=Daemon.value(body, "batchwatch_cloudwatch_metrics_requested_total"),
                     cycles_total=Daemon.value(body, "batchwatch_cycles_total"))
            s["peak_reset"] = reset_peak(daemon.proc.pid)
            samples.append(s)
            if progress:
                progress(s)
        return samples, floor(binary)
    finally:
        if daemon:
            daemon.stop()
        moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def per_cycle_cpu(samples):
    """CPU seconds of each cycle (the first includes the process start and the first states)."""
    return [s["cpu_s"] - (samples[i - 1]["cpu_s"] if i else 0.0) for i, s in enumerate(samples)]


def median(values):
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=10)
    ap.add_argument("--instances", type=int, default=25000, help="(rule, series) instances a cycle (see --help text)")
    ap.add_argument("--cycle-timeout", type=float, default=60, help="seconds to wait for each cycle (moto is slow under load)")
    ap.add_argument("--bin", default=os.environ.get("BATCHWATCH_BIN", os.path.join(ROOT, "build", "agent", "batchwatch")))
    ap.add_argument("--peer-peak-rss-mb", type=float, help="the peer's peak RSS from compare.py, for the ratio")
    ap.add_argument("--steady", action="store_true",
                    help="a datapoint in every period of the run (states and reasons the same every cycle); "
                         "default: 3 datapoints before the start only, so the series go stale after ~3 cycles")
    args = ap.parse_args()
    try:
        rules, models = shape(args.instances)
    except ValueError as e:
        ap.error(str(e))
    samples, floor_kb = run_footprint(args.bin, args.cycles, models=models, rules=rules, steady=args.steady,
                                      cycle_timeout=args.cycle_timeout,
                                      progress=lambda s: print(f"cycle {s['cycle']}: {s}", file=sys.stderr))
    data = "steady data" if args.steady else "3 datapoints before the start"
    print(f"\n{rules} rules over {models * len(METRICS):,} series ({args.instances:,} instances), period 10s, "
          f"{args.cycles} cycles, {data}; nproc {os.cpu_count()}\n")
    # VmHWM is reset after each sample (reset_peak), so each row's is the peak of that cycle (and of the
    # /metrics scrape after the previous sample); the daemon's peak is the largest of them.
    hwm = "peak RSS this cycle (MB)" if all(s["peak_reset"] for s in samples) else "VmHWM (MB)"
    print(f"| cycle | {hwm} | VmRSS (MB) | RssAnon (kB) | RssFile (MB) | CPU total (s) | CPU this cycle (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    cpu = per_cycle_cpu(samples)
    for s, c in zip(samples, cpu):
        print(f"| {s['cycle']} | {s['VmHWM'] / 1024:.1f} | {s['VmRSS'] / 1024:.1f} | {s['RssAnon']} | "
              f"{s['RssFile'] / 1024:.1f} | {s['cpu_s']:.2f} | {c:.2f} |")
    peak = max(s["VmHWM"] for s in samples)
    print(f"\nfloor (`batchwatch version` peak RSS): {floor_kb / 1024:.1f} MB; daemon peak RSS {peak / 1024:.1f} MB, "
          f"{(peak - floor_kb) / 1024:.1f} MB above the floor")
    if len(samples) >= 3:
        # Cycle 1 starts the process and records every first state: the steady cost is the later cycles'.
        steady_cpu = median(cpu[1:])
        steady_peak = max(s["VmHWM"] for s in samples[1:]) - floor_kb
        print(f"cycles 2-{samples[-1]['cycle']}: CPU median {steady_cpu:.3f} s ({steady_cpu / args.instances * 1e6:.2f} "
              f"us per instance); peak {steady_peak / 1024:.1f} MB above the floor "
              f"({steady_peak * 1024 / args.instances:.0f} bytes per instance); cycle 1: CPU {cpu[0]:.3f} s, "
              f"peak {(samples[0]['VmHWM'] - floor_kb) / 1024:.1f} MB above the floor")
        growth = max(s["RssAnon"] for s in samples[2:]) - samples[1]["RssAnon"]
        print(f"RssAnon growth from cycle 2 to cycle {samples[-1]['cycle']} (max over later cycles minus cycle 2): "
              f"{growth} kB (target: no growth)")
    if args.peer_peak_rss_mb:
        print(f"peak RSS batchwatch/peer: {peak / 1024 / args.peer_peak_rss_mb:.3f} (target <= 0.5)")
    print(f"GetMetricData calls {samples[-1]['calls']:.0f}, metrics requested {samples[-1]['metrics']:.0f} "
          f"over {samples[-1]['cycle']} cycles")


if __name__ == "__main__":
    main()
