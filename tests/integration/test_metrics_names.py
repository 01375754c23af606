"""/metrics of a live daemon (against moto, a series firing with a camelCase dimension) passes
`promtool check metrics`, and every metric the Grafana dashboard (samples/grafana/batchwatch.json)
queries is one batchwatch exports, in PromQL promtool accepts."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import BACKLOG_HIGH, Daemon, wait_for, write_agent_config
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(SOURCE, "samples", "grafana", "batchwatch.json")
PROMTOOL = shutil.which("promtool")
# INTERFACE.md pins batchwatch_jobs{status}, exported by the Bedrock job watch; a daemon without job
# rules (this one) may not declare it. It is the one name the dashboard may query that /metrics lacks.
MAY_BE_ABSENT = {"batchwatch_jobs"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def dashboard_queries():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def queried_metrics(expr):
    """The batchwatch metric names an expression selects, histogram series folded into their family."""
    names = set()
    for name in re.findall(r"\b(batchwatch_[a-z0-9_]+)", expr):
        for suffix in HISTOGRAM_SUFFIXES:
            if name.endswith(suffix):
                names.add(name[: -len(suffix)])
        names.add(name)
    return names


class MetricsOfALiveDaemon(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.dir = tempfile.mkdtemp(prefix="bw-metrics-")
        topic_arn, queue_url = topic_with_queue(cls.moto, "ops")
        now = int(time.time()) // 60 * 60
        put_points(cls.moto, "NumberOfRecordsPendingProcessing", "m1", now - 600, [50_000] * 10)
        cls.daemon = Daemon(cls.moto, write_agent_config(cls.dir, cls.moto, topic_arn, BACKLOG_HIGH))
        wait_for(lambda: drain_queue(cls.moto, queue_url), what="the ALARM on SNS")
        wait_for(lambda: cls.daemon.metric("batchwatch_notifications_total", '{target="ops",outcome="delivered"}'),
                 what="the delivery counted")
        cls.metrics = cls.daemon.get("/metrics")[1]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.moto.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def exported_families(self):
        return set(re.findall(r"^# TYPE (\S+) ", self.metrics, re.M))

    def test_dimension_labels_are_snake_case(self):
        self.assertRegex(self.metrics, r'batchwatch_rule_state\{rule="backlog-high",state="ALARM",model_id="m1"\} 1\n')
        label_names = set(re.findall(r'[{,]([A-Za-z_][A-Za-z0-9_]*)="', self.metrics))
        self.assertEqual({n for n in label_names if n != n.lower()}, set(), "label names not snake_case")

    @unittest.skipUnless(PROMTOOL, "promtool is missing (Debian package prometheus; .ci/install-deps installs it)")
    def test_promtool_check_metrics_passes(self):
        out = subprocess.run([PROMTOOL, "check", "metrics"], input=self.metrics, capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(out.stdout + out.stderr, "")

    def test_every_metric_the_dashboard_queries_is_exported(self):
        exported = self.exported_families()
        self.assertIn("batchwatch_rule_state", exported)
        queried = set().union(*(queried_metrics(e) for e in dashboard_queries()))
        families = {n for n in queried if n in exported or n in MAY_BE_ABSENT}
        series_names = {n for n in queried - families
                        if any(n.endswith(s) and n[: -len(s)] in exported for s in HISTOGRAM_SUFFIXES)}
        self.assertEqual(queried - families - series_names, set(), "queried but not exported")
        # The panels the dashboard promises are there.
        for name in ("batchwatch_cycles_total", "batchwatch_cycle_duration_seconds", "batchwatch_aws_requests_total",
                     "batchwatch_aws_retries_total", "batchwatch_cloudwatch_metrics_requested_total",
                     "batchwatch_notifications_total", "batchwatch_outbox_pending", "batchwatch_rule_state",
                     "batchwatch_jobs"):
            self.assertIn(name, queried)

    @unittest.skipUnless(PROMTOOL, "promtool is missing (Debian package prometheus; .ci/install-deps installs it)")
    def test_dashboard_queries_are_valid_promql(self):
        rules = [{"record": f"dashboard:query_{i}",
                  "expr": e.replace("$__rate_interval", "5m").replace("$job", ".*")}
                 for i, e in enumerate(dashboard_queries())]
        path = os.path.join(self.dir, "dashboard-rules.yml")
        with open(path, "w") as f:
            json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)  # JSON is YAML
        out = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main()
