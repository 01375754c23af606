"""`batchwatch status` beside a running daemon: the firing series first with its reason, the OK ones
counted, what each target is owed (a webhook that refuses keeps its notification pending while the
daemon retries), the silences in force; and a clear error naming the path when there is no state file."""
import json
import os
import time
import unittest

from harness import BACKLOG_HIGH, Daemon, run_batchwatch, temp_dir, wait_for, write
from moto_fixture import Moto, drain_queue, free_port, put_points, topic_with_queue


class StatusBesideTheDaemon(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.dir = temp_dir(self, "bw-status-")
        self.topic_arn, self.queue_url = topic_with_queue(self.moto, "ops")
        now = int(time.time()) // 60 * 60
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m1", now - 600, [50_000] * 10)  # firing
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m2", now - 600, [10] * 10)      # OK
        os.makedirs(os.path.join(self.dir, "rules"))
        write(os.path.join(self.dir, "rules", "rules.yaml"), BACKLOG_HIGH.replace("[ops]", "[ops, refused]"))
        self.config = write(os.path.join(self.dir, "agent.yaml"), f"""\
            aws: {{region: us-east-1, endpoint_url: "{self.moto.endpoint}"}}
            poll: {{delay: 0s}}
            state: {{path: state.db}}
            server: {{listen: "127.0.0.1:0"}}
            targets:
              ops: {{type: sns, topic_arn: "{self.topic_arn}"}}
              refused: {{type: webhook, url: "http://127.0.0.1:{free_port()}/hook"}}
            rule_files: [rules/*.yaml]
            """)

    def status(self, *args):
        started = time.monotonic()
        out = run_batchwatch(["status", "--config", self.config, *args], timeout=30)
        return out, time.monotonic() - started

    def test_states_owed_and_silences_while_the_daemon_runs(self):
        daemon = Daemon(self.moto, self.config)
        self.addCleanup(daemon.stop)
        wait_for(lambda: drain_queue(self.moto, self.queue_url), what="the ALARM on SNS")
        retried = '{target="refused",outcome="retried"}'
        wait_for(lambda: daemon.metric("batchwatch_notifications_total", retried), what="a refused delivery")
        added = run_batchwatch(["silence", "add", "--config", self.config, "--rule", "backlog-high",
                                "--label", "modelId=m2", "--duration", "2h", "--comment", "reindex"])
        self.assertEqual(added.returncode, 0, added.stderr)

        out, took = self.status("--format", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertLess(took, 5, "status waited on the daemon")
        report = json.loads(out.stdout)
        self.assertEqual(len(report["not_ok"]), 1, report)
        alarm = report["not_ok"][0]
        self.assertEqual((alarm["rule"], alarm["labels"], alarm["state"], alarm["value"]),
                         ("backlog-high", {"modelId": "m1"}, "ALARM", 50000.0))
        self.assertTrue(alarm["reason"].startswith("Threshold Crossed"), alarm["reason"])
        self.assertRegex(alarm["since"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(report["ok"], 1)
        owed = {o["target"]: o for o in report["outbox"]}
        self.assertEqual(set(owed), {"ops", "refused"})
        self.assertEqual((owed["ops"]["pending"], owed["ops"]["oldest_pending_seconds"]), (0, None))
        self.assertEqual(owed["refused"]["pending"], 1)
        self.assertGreaterEqual(owed["refused"]["oldest_pending_seconds"], 0)
        self.assertEqual(len(report["silences"]), 1)
        silence = report["silences"][0]
        self.assertEqual((silence["rule"], silence["labels"], silence["comment"], silence["source"]),
                         ("backlog-high", {"modelId": "m2"}, "reindex", "state file"))

        text, _ = self.status()
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertRegex(text.stdout, r"ALARM\s+backlog-high\s+modelId=m1\s+since \S+Z \(.+ ago\)\s+50k\s+"
                                      r"Threshold Crossed")
        self.assertIn("1 not OK, 1 OK\n", text.stdout)
        self.assertRegex(text.stdout, r"refused\s+1 pending \(oldest \d+[smh].*\), 0 dead")
        self.assertRegex(text.stdout, r"#1\s+rule backlog-high where modelId=m2 until \S+ \((2h|1h 59m) left\): reindex")

        # The daemon went on retrying (writing the outbox) while status read it.
        before = daemon.metric("batchwatch_notifications_total", retried)
        wait_for(lambda: daemon.metric("batchwatch_notifications_total", retried) > before, timeout=60,
                 what="another retry after status")
        self.assertIsNone(daemon.proc.poll())

    def test_no_state_file_is_an_error_naming_the_path(self):
        out, _ = self.status()
        self.assertEqual(out.returncode, 2, out.stdout)
        self.assertIn(os.path.join(self.dir, "state.db"), out.stderr)
        self.assertIn("does not exist", out.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state.db")), "status must not create a state file")


if __name__ == "__main__":
    unittest.main()
