"""Reliability of `batchwatch run` against moto: throttled GetMetricData, kill -9 between the commit
of a state change and its delivery, SIGTERM during a delivery, and no secret in the logs.

Faults come from fault_proxy.py (throttling in front of moto; a blackhole that never answers). The
state DB is read with Python's sqlite3 beside the running daemon (WAL allows it).
"""
import json
import os
import signal
import sqlite3
import time
import unittest
from contextlib import closing

from fault_proxy import Blackhole, FaultProxy
from harness import Daemon, run_batchwatch, temp_dir, wait_for, write
from moto_fixture import Moto, drain_queue, free_port, put_points, topic_with_queue

PENDING = "NumberOfRecordsPendingProcessing"
GRACE = 10  # seconds: DeliveryWorker::stop(Duration{10}) in agent/daemon.cpp
WEBHOOK_SECRET = "s3cr3t-VALUE-123"

BACKLOG_HIGH = """\
    rules:
      - name: backlog-high
        kind: threshold
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                 dimensions: {modelId: m1}, stat: Maximum, period: 1m}
        comparison: ">"
        threshold: 40000
        evaluation_periods: 3
        notify: [NOTIFY]
    """

RECORDS_DRAINED = """\
    rules:
      - name: records-drained
        kind: drained
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                 dimensions: {modelId: m1}, stat: Maximum, period: 1m}
        for: 5m
        notify: [etl, ops]
    """


def lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def query(db, sql):
    """Rows of `sql` on the state DB as dicts; [] while the daemon has not created the tables yet."""
    if not os.path.exists(db):
        return []
    try:
        with closing(sqlite3.connect(db, timeout=10)) as c:
            c.row_factory = sqlite3.Row
            return [dict(r) for r in c.execute(sql)]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise


def outbox(db):
    return query(db, "SELECT * FROM outbox ORDER BY id")


class Reliability(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.moto.enable_auth()
        self.dir = temp_dir(self, "bw-reliability-")
        self.db = os.path.join(self.dir, "state.db")
        self.topic_arn, self.queue_url = topic_with_queue(self.moto, "ops")
        self.daemons = []
        self.stoppers = []

    def tearDown(self):
        for d in self.daemons:
            d.stop(signal.SIGKILL)
        for stop in self.stoppers:
            stop()
        self.moto.stop()

    def start(self, config):
        daemon = Daemon(self.moto, config)
        self.daemons.append(daemon)
        return daemon

    def agent_file(self, rules, targets, endpoint=None, endpoints=None):
        write(os.path.join(self.dir, "rules.yaml"), rules)
        aws = f'region: us-east-1, endpoint_url: "{endpoint or self.moto.endpoint}"'
        if endpoints:
            aws += ", endpoints: {" + ", ".join(f'{k}: "{v}"' for k, v in endpoints.items()) + "}"
        targets = "".join(f"  {name}: {spec}\n" for name, spec in targets.items())
        path = os.path.join(self.dir, "agent.yaml")
        with open(path, "w") as f:
            f.write("aws: {" + aws + "}\n"
                    "poll: {delay: 0s}\n"
                    "state: {path: state.db}\n"
                    'server: {listen: "127.0.0.1:0"}\n'
                    "targets:\n" + targets +
                    "rule_files: [rules.yaml]\n")
        return path

    def backlog_high(self):
        """m1's backlog at 50,000 for the last 10 minutes: backlog-high is in ALARM at the first cycle."""
        now = int(time.time()) // 60 * 60
        put_points(self.moto, PENDING, "m1", now - 600, [50_000] * 10)

    def metric(self, daemon, name, **labels):
        text = "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else ""
        return daemon.metric(name, text)

    def one_alarm_on_sns(self):
        messages = wait_for(lambda: drain_queue(self.moto, self.queue_url), timeout=30, what="the ALARM on SNS")
        self.assertEqual(len(messages), 1, messages)
        self.assertEqual(json.loads(messages[0]["Message"])["NewStateValue"], "ALARM")

    # ---- throttling ----
    #
    # The AWS SDK "standard" retry mode (aws/service.hpp: RetryPolicy.max_attempts = 3) makes at most 3
    # attempts per call, i.e. 2 retries. So:
    # - 2 throttles per call: GetMetricData succeeds inside the first cycle (2 SDK retries);
    # - 3 throttles in a row: that call fails after 2 SDK retries, the cycle fails, and the daemon runs
    #   the cycle again within 30 s (next_cycle_after_failure), whose fresh GetMetricData succeeds.
    #   batchwatch_aws_retries_total counts SDK retries only, so it reads 2 there, not 3; the retried
    #   cycle shows as a 4th GetMetricData request and a `cycle failed` log line.

    def test_two_throttles_are_retried_within_the_call(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.stoppers.append(proxy.stop)
        proxy.throttle(2, "GetMetricData")
        self.backlog_high()
        daemon = self.start(self.agent_file(BACKLOG_HIGH.replace("NOTIFY", "ops"),
                                            {"ops": f'{{type: sns, topic_arn: "{self.topic_arn}"}}'},
                                            endpoint=proxy.url))
        wait_for(lambda: daemon.get("/readyz")[0] == 200, timeout=30, what="first cycle")
        self.one_alarm_on_sns()

        calls = proxy.matching("GetMetricData")
        self.assertEqual([c.answer for c in calls[:3]], ["fault", "fault", 200])
        # Full jitter: the SDK waits random × 1 s, then random × 2 s (slack for a loaded machine).
        self.assertLess(calls[1].at - calls[0].at, 1 + 3)
        self.assertLess(calls[2].at - calls[1].at, 2 + 3)
        self.assertNotIn("cycle failed", daemon.stderr())
        gmd = dict(service="monitoring", operation="GetMetricData")
        self.assertEqual(self.metric(daemon, "batchwatch_aws_retries_total", **gmd), 2)
        self.assertEqual(self.metric(daemon, "batchwatch_throttles_total", **gmd), 2)
        self.assertEqual(self.metric(daemon, "batchwatch_aws_requests_total", **gmd, code="Throttling"), 2)
        self.assertGreaterEqual(self.metric(daemon, "batchwatch_aws_requests_total", **gmd, code="200"), 1)

    def test_three_throttles_in_a_row_fail_the_call_and_the_cycle_is_retried(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.stoppers.append(proxy.stop)
        proxy.throttle(3, "GetMetricData")
        self.backlog_high()
        daemon = self.start(self.agent_file(BACKLOG_HIGH.replace("NOTIFY", "ops"),
                                            {"ops": f'{{type: sns, topic_arn: "{self.topic_arn}"}}'},
                                            endpoint=proxy.url))
        wait_for(lambda: "cycle failed" in daemon.stderr(), timeout=30, what="the throttled cycle to fail")
        # Not ready before a cycle has succeeded. (The retry may come at any moment: only when the
        # retried GetMetricData had not reached the proxy once /readyz answered must it be 503.)
        status = daemon.get("/readyz")[0]
        if len(proxy.matching("GetMetricData")) == 3:
            self.assertEqual(status, 503)

        wait_for(lambda: daemon.get("/readyz")[0] == 200, timeout=45, what="the retried cycle")
        self.one_alarm_on_sns()

        calls = proxy.matching("GetMetricData")
        self.assertEqual([c.answer for c in calls[:4]], ["fault", "fault", "fault", 200])
        # The failed cycle is run again within 30 s (slack for a loaded machine), not a period later.
        self.assertLess(calls[3].at - calls[2].at, 30 + 5)
        failed = [l for l in daemon.stderr().splitlines() if "cycle failed" in l]
        self.assertEqual(len(failed), 1, failed)
        self.assertIn("Throttling", failed[0])

        gmd = dict(service="monitoring", operation="GetMetricData")
        self.assertEqual(self.metric(daemon, "batchwatch_aws_retries_total", **gmd), 2)  # SDK retries of the 1st call
        self.assertEqual(self.metric(daemon, "batchwatch_throttles_total", **gmd), 3)
        self.assertEqual(self.metric(daemon, "batchwatch_aws_requests_total", **gmd, code="Throttling"), 3)
        self.assertGreaterEqual(self.metric(daemon, "batchwatch_aws_requests_total", **gmd, code="200"), 1)
        self.assertGreaterEqual(self.metric(daemon, "batchwatch_cycles_total"), 2)

    # ---- kill -9 between commit and delivery ----

    def test_kill_9_after_commit_delivers_once_more_with_the_same_key_and_the_hook_ran_once(self):
        # The backlog drained 5 minutes ago: above zero from now-20m to now-10m, zero since. The first
        # cycle (catch-up over poll.catch_up) sees the drain at once.
        now = int(time.time()) // 60 * 60
        put_points(self.moto, PENDING, "m1", now - 1200, [5_000] * 10)
        put_points(self.moto, PENDING, "m1", now - 600, [0] * 10)
        hook_log = os.path.join(self.dir, "hook.log")
        hook = write(os.path.join(self.dir, "hook.sh"), f"""\
            #!/bin/sh
            echo "$BATCHWATCH_IDEMPOTENCY_KEY" >> "{hook_log}"
            """, mode=0o755)
        # SNS first points at a blackhole: the Publish is sent and never answered, so the row is
        # still pending (attempt in flight) when the daemon dies. The hook row comes first (notify
        # order), so it has been delivered and marked before the SNS attempt starts.
        blackhole = Blackhole()
        self.stoppers.append(blackhole.stop)
        targets = {"etl": f'{{type: exec, command: ["{hook}"], timeout: 20s}}',
                   "ops": f'{{type: sns, topic_arn: "{self.topic_arn}"}}'}
        config = self.agent_file(RECORDS_DRAINED, targets, endpoints={"sns": blackhole.url})
        first = self.start(config)

        def in_flight():
            rows = {r["target"]: r for r in outbox(self.db)}
            return (len(lines(hook_log)) == 1 and rows.get("etl", {}).get("status") == "delivered" and
                    rows.get("ops", {}).get("status") == "pending" and
                    any("Action=Publish" in r for r in blackhole.received()) and rows)
        before = wait_for(in_flight, timeout=40, what="hook delivered and the SNS publish in flight")
        key = before["ops"]["idempotency_key"]
        self.assertEqual(before["etl"]["idempotency_key"], key)
        self.assertEqual(before["ops"]["state"], "DRAINED")
        self.assertLess(before["etl"]["id"], before["ops"]["id"])
        self.assertEqual(lines(hook_log), [key])

        self.assertEqual(first.stop(signal.SIGKILL), -signal.SIGKILL)
        first_log = first.stderr()
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])  # nothing reached SNS yet

        # The SNS endpoint is fixed; the agent starts again on the same state file.
        config = self.agent_file(RECORDS_DRAINED, targets)
        second = self.start(config)
        messages = wait_for(lambda: drain_queue(self.moto, self.queue_url), timeout=30, what="the DRAINED on SNS")
        self.assertEqual(len(messages), 1, messages)
        message = json.loads(messages[0]["Message"])
        self.assertEqual(message["NewStateValue"], "DRAINED")
        self.assertEqual(message["batchwatch"]["idempotency_key"], key)

        # The restarted agent's first cycle has run (and committed) and nothing is left to deliver.
        wait_for(lambda: second.get("/readyz")[0] == 200, timeout=30, what="the restarted agent's first cycle")
        wait_for(lambda: all(r["status"] == "delivered" for r in outbox(self.db)), timeout=30, what="outbox delivered")
        after = outbox(self.db)
        self.assertEqual([(r["id"], r["target"], r["idempotency_key"]) for r in after],
                         [(before["etl"]["id"], "etl", key), (before["ops"]["id"], "ops", key)],
                         "the restart owed nothing new")
        self.assertEqual(lines(hook_log), [key], "the drain hook ran exactly once in total")
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])  # and SNS heard it once
        states = query(self.db, "SELECT rule, series, state FROM alarm_state")
        self.assertEqual(states, [{"rule": "records-drained", "series": "modelId=m1", "state": "DRAINED"}])
        drains = query(self.db, "SELECT * FROM history WHERE to_state = 'DRAINED'")
        self.assertEqual(len(drains), 1, drains)
        self.assertNotIn("cycle failed", first_log + second.stderr())

    # ---- SIGTERM during a delivery ----

    def test_sigterm_during_a_slow_hook_exits_0_within_the_grace_period_and_loses_nothing(self):
        started = os.path.join(self.dir, "started")
        done = os.path.join(self.dir, "done")
        hook = write(os.path.join(self.dir, "slow.sh"), f"""\
            #!/bin/sh
            echo "$BATCHWATCH_IDEMPOTENCY_KEY" >> "{started}"
            sleep 2
            echo "$BATCHWATCH_IDEMPOTENCY_KEY" >> "{done}"
            """, mode=0o755)
        self.backlog_high()
        daemon = self.start(self.agent_file(BACKLOG_HIGH.replace("NOTIFY", "slow"),
                                            {"slow": f'{{type: exec, command: ["{hook}"], timeout: 30s}}'}))
        wait_for(lambda: lines(started), timeout=30, what="the hook to start")
        self.assertEqual(lines(done), [])  # still running
        began = time.monotonic()
        daemon.proc.send_signal(signal.SIGTERM)
        code = daemon.proc.wait(timeout=GRACE + 20)
        elapsed = time.monotonic() - began
        self.assertEqual(code, 0, daemon.stderr())
        self.assertLess(elapsed, GRACE, "exited after the grace period")
        self.assertIn("batchwatch stopped", daemon.stderr())

        rows = outbox(self.db)
        self.assertEqual(len(rows), 1, rows)
        row = rows[0]
        self.assertEqual(row["target"], "slow")
        self.assertIn(row["status"], ("delivered", "pending"), row)  # never dead, never gone
        self.assertEqual(lines(started), [row["idempotency_key"]])
        if row["status"] == "delivered":
            wait_for(lambda: lines(done), timeout=10, what="the hook's end")
            self.assertEqual(lines(done), [row["idempotency_key"]])

    # ---- secrets ----

    def test_debug_json_logs_of_failing_deliveries_print_no_secret(self):
        self.backlog_high()
        closed = free_port()  # bound, then released: nothing listens there
        targets = {
            "web": f'{{type: webhook, url: "http://127.0.0.1:{closed}/hooks/bw", secret: "{WEBHOOK_SECRET}", '
                   f'timeout: 2s}}',
            "ops": '{type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:no-such-topic"}',
        }
        config = self.agent_file(BACKLOG_HIGH.replace("NOTIFY", "web, ops"), targets)
        out = run_batchwatch(["once", "--config", config, "--log-level", "debug", "--log-format", "json"], self.moto)
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)  # delivered nothing: kept for the next run

        entries = [json.loads(l) for l in out.stderr.splitlines() if l.strip()]
        failed = {e.get("target") for e in entries if e.get("msg") == "notification not delivered; will retry"}
        self.assertEqual(failed, {"web", "ops"}, out.stderr)  # both errors were logged...

        everything = out.stdout + out.stderr
        secret_key = self.moto.secret_key
        self.assertGreaterEqual(len(secret_key), 20)
        for secret in (WEBHOOK_SECRET, secret_key, secret_key[:12], secret_key[-12:]):
            self.assertNotIn(secret, everything)  # ...and no secret with them, nor any fragment


if __name__ == "__main__":
    unittest.main()
