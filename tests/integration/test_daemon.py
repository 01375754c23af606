"""`batchwatch run` as a process against moto: readiness, /metrics, the planner's call count,
SIGHUP with a broken rule file, and SIGTERM."""
import json
import os
import re
import signal
import subprocess
import textwrap
import time
import unittest
import urllib.request

from harness import BACKLOG_HIGH, Daemon, batchwatch_env, temp_dir, wait_for, write_agent_config
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue


class MotoDaemonCase(unittest.TestCase):
    """Moto with auth on, a temporary directory, an SNS topic `ops` with a queue, and `self.daemon`
    stopped at the end."""

    def setUp(self):
        self.moto = Moto()
        self.moto.enable_auth()
        self.dir = temp_dir(self, "bw-run-")
        self.topic_arn, self.queue_url = topic_with_queue(self.moto, "ops")
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.stop()
        self.moto.stop()

    def write_config(self, rules):
        return write_agent_config(self.dir, self.moto, self.topic_arn, rules)


class RunAgainstMoto(MotoDaemonCase):

    def test_alarm_delivered_ready_metrics_reload_and_sigterm(self):
        now = int(time.time()) // 60 * 60
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m1", now - 600, [50_000] * 10)
        config = self.write_config(BACKLOG_HIGH)
        self.daemon = Daemon(self.moto, config)
        wait_for(lambda: self.daemon.get("/readyz")[0] == 200, what="ready")
        self.assertEqual(self.daemon.get("/healthz"), (200, "ok\n"))
        messages = wait_for(lambda: drain_queue(self.moto, self.queue_url), what="the ALARM on SNS")
        self.assertEqual(len(messages), 1)
        self.assertEqual(json.loads(messages[0]["Message"])["NewStateValue"], "ALARM")
        self.assertGreaterEqual(self.daemon.metric("batchwatch_cycles_total"), 1)
        self.assertEqual(self.daemon.metric("batchwatch_getmetricdata_calls_total"), 1)
        wait_for(lambda: self.daemon.metric("batchwatch_notifications_total", '{target="ops",outcome="delivered"}'),
                 what="delivered counter")
        alerts = json.loads(self.daemon.get("/api/v1/alerts")[1])["alerts"]
        self.assertEqual([(a["rule"], a["state"]) for a in alerts], [("backlog-high", "ALARM")])

        # A broken rule file: the reload is refused, the old rules keep running.
        with open(os.path.join(self.dir, "rules", "rules.yaml"), "a") as f:
            f.write("    tresholds: 5\n")
        self.daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "configuration reload failed" in self.daemon.stderr(), what="reload failure logged")
        self.assertIn('unknown key "tresholds"', self.daemon.stderr())
        self.assertEqual(self.daemon.metric("batchwatch_config_reloads_total", '{result="failure"}'), 1)
        self.assertEqual(self.daemon.get("/healthz")[0], 200)
        self.assertIsNone(self.daemon.proc.poll())

        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        self.assertIn("batchwatch stopped", self.daemon.stderr())
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])  # nothing sent twice

    def test_three_rules_two_series_1200_models_cost_five_calls(self):
        now = int(time.time()) // 60 * 60
        cw = self.moto.client("cloudwatch")
        import datetime
        stamp = datetime.datetime.fromtimestamp(now - 120, tz=datetime.timezone.utc)
        for metric in ("NumberOfRecordsPendingProcessing", "NumberOfInputTokensProcessedPerMinute"):
            data = [{"MetricName": metric, "Dimensions": [{"Name": "modelId", "Value": f"model-{i:04}"}],
                     "Timestamp": stamp, "Value": 1.0} for i in range(1200)]
            for i in range(0, len(data), 1000):
                cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=data[i:i + 1000])
        rule = """\
              - name: {name}
                kind: threshold
                metric: {{namespace: AWS/Bedrock/Batch, name: {metric}, dimensions: {{modelId: "*"}},
                         stat: Maximum, period: 1m}}
                comparison: ">"
                threshold: {threshold}
                notify: []
            """
        rule = textwrap.indent(textwrap.dedent(rule), "  ")
        config = self.write_config("rules:\n" + "".join([
            rule.format(name="backlog-a", metric="NumberOfRecordsPendingProcessing", threshold=10),
            rule.format(name="backlog-b", metric="NumberOfRecordsPendingProcessing", threshold=20),
            rule.format(name="tokens", metric="NumberOfInputTokensProcessedPerMinute", threshold=10)]))
        self.daemon = Daemon(self.moto, config)
        wait_for(lambda: self.daemon.get("/readyz")[0] == 200, timeout=120, what="first cycle")
        self.assertEqual(self.daemon.metric("batchwatch_getmetricdata_calls_total"), 5)  # ceil(2400 / 500)
        self.assertEqual(self.daemon.metric("batchwatch_cloudwatch_metrics_requested_total"), 2400)

    def test_simulated_clock_steady_state_fetches_each_series_once_per_period(self):
        # `run --simulate-from T --cycles 11`: eleven cycles at 10:00, 10:01, ... 10:10 (simulated) against moto,
        # in seconds. After the first cycle the series cache leaves only new periods to fetch: the 1-minute
        # series every cycle, the 5-minute ones at 10:05 and 10:10.
        start = 1768471200  # 2026-01-15T10:00:00Z
        for model in ("m1", "m2"):
            put_points(self.moto, "NumberOfRecordsPendingProcessing", model, start - 600, [1] * 10)
        rule = """\
              - name: {name}
                kind: threshold
                metric: {{namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                         dimensions: {{modelId: "*"}}, stat: Maximum, period: {period}}}
                comparison: ">"
                threshold: 100
                notify: []
            """
        rule = textwrap.indent(textwrap.dedent(rule), "  ")
        config = self.write_config("rules:\n" + rule.format(name="every-minute", period="1m") +
                                   rule.format(name="every-five", period="5m"))
        env = batchwatch_env(self.moto)
        log_path = config + ".log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen([os.environ["BATCHWATCH_BIN"], "run", "--config", config, "--log-level", "debug",
                                     "--simulate-from", "2026-01-15T10:00:00Z", "--cycles", "11"],
                                    stdout=subprocess.DEVNULL, stderr=log, env=env)
        try:
            def text():
                with open(log_path) as f:
                    return f.read()
            wait_for(lambda: "cycle limit reached" in text() or proc.poll() is not None, timeout=120,
                     what="the eleventh cycle")
            self.assertIsNone(proc.poll(), text())  # idles, still serving /metrics
            port = re.search(r"status server listening .*port=(\d+)", text()).group(1)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                body = r.read().decode()
            value = lambda name: float(re.search(r"^" + name + r" ([0-9.e+]+)$", body, re.M).group(1))  # noqa: E731
            self.assertEqual(value("batchwatch_cycles_total"), 11)
            # first cycle: 2 models x 2 periods; then 10 x the two 1-minute series; 2 x the two 5-minute ones
            self.assertEqual(value("batchwatch_cloudwatch_metrics_requested_total"), 4 + 10 * 2 + 2 * 2)
            # one call per distinct time range: 2 at first, 1 a cycle, 1 more at 10:05 and at 10:10
            self.assertEqual(value("batchwatch_getmetricdata_calls_total"), 2 + 10 + 2)
            fetched = [int(n) for n in re.findall(r"cycle done .*fetched=(\d+)", text())]
            self.assertEqual(fetched, [4, 2, 2, 2, 2, 4, 2, 2, 2, 2, 4])
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    unittest.main()
