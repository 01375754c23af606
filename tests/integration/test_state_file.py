"""The state file across releases and beside the daemon: a file written by 0.1.0 is upgraded in place
(states kept, the owed notification delivered once, nothing announced again), a file from a newer
release is refused, and `batchwatch history` reads the recorded transitions."""
import calendar
import json
import os
import shutil
import sqlite3
import unittest

from harness import once, run_batchwatch, temp_dir, tokens_high_rule, write
from local_servers import AcceptingWebhook
from moto_fixture import Moto, put_points

HERE = os.path.dirname(os.path.abspath(__file__))
V0_FIXTURE = os.path.join(HERE, "..", "data", "state", "v0-alarm-owed.db")
NOW = "2026-11-22T06:05:00Z"  # what make_v0.py ran at, so the evaluation finds what it found
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
OWED_KEY = "fe3b723e419939e70b6024a67a9f18b2"  # the idempotency key of the row the fixture owes
CURRENT_VERSION = 2


def query(path, sql):
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


class StateFileTest(unittest.TestCase):
    """The fixture's world: the same rule and data as make_v0.py, the webhook `hook` now answering."""

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        put_points(cls.moto, "NumberOfInputTokensProcessedPerMinute", "hot-model", HOUR_5, [1_250_000] * 60)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.work = temp_dir(self, "bw-state-file-")
        self.hook = AcceptingWebhook()
        self.addCleanup(self.hook.stop)
        self.db = os.path.join(self.work, "state.db")
        shutil.copy(V0_FIXTURE, self.db)
        os.mkdir(os.path.join(self.work, "rules"))
        write(os.path.join(self.work, "rules", "r.yaml"), tokens_high_rule(notify="[hook]"))
        # max_age: the owed row was created when the fixture was made; it must not die of age here.
        self.config = write(os.path.join(self.work, "agent.yaml"), f"""\
            aws: {{region: us-east-1, endpoint_url: {self.moto.endpoint}}}
            poll: {{delay: 2m}}
            state: {{path: state.db}}
            server: {{listen: ""}}
            targets:
              hook: {{type: webhook, url: "{self.hook.url}/hook", max_age: 3650d}}
            rule_files: [rules/*.yaml]
            """)

    def once(self):
        return once(self.config, now=NOW, moto=self.moto)


class UpgradeFrom010(StateFileTest):
    def test_states_kept_owed_row_delivered_once_nothing_announced(self):
        out = self.once()
        self.assertEqual(out.returncode, 1, out.stderr)  # 1: a series is in ALARM
        self.assertIn("ALARM", out.stdout)
        self.assertEqual(query(self.db, "PRAGMA user_version"), [(CURRENT_VERSION,)])
        bodies = self.hook.bodies()
        self.assertEqual(len(bodies), 1, bodies)
        self.assertEqual(bodies[0]["AlarmName"], "input-tokens-high/modelId=hot-model")
        self.assertEqual(bodies[0]["NewStateValue"], "ALARM")
        self.assertEqual(bodies[0]["batchwatch"]["idempotency_key"], OWED_KEY)
        self.assertEqual(query(self.db, "SELECT state, notified_state FROM alarm_state"), [("ALARM", "ALARM")])
        # No INSUFFICIENT_DATA -> ALARM again: the one history row and the one outbox row of 0.1.0.
        self.assertEqual(query(self.db, "SELECT from_state, to_state FROM history"), [("INSUFFICIENT_DATA", "ALARM")])
        self.assertEqual(query(self.db, "SELECT idempotency_key, status FROM outbox"), [(OWED_KEY, "delivered")])

        again = self.once()
        self.assertEqual(again.returncode, 1, again.stderr)
        self.assertEqual(len(self.hook.bodies()), 1)
        self.assertEqual(len(query(self.db, "SELECT * FROM history")), 1)

    def test_file_from_a_newer_release_is_refused_untouched(self):
        query(self.db, "PRAGMA user_version = 99")
        out = self.once()
        self.assertEqual(out.returncode, 2, out.stdout)
        self.assertIn(self.db, out.stderr)
        self.assertIn("schema version 99", out.stderr)
        self.assertIn(f"up to {CURRENT_VERSION}", out.stderr)
        self.assertEqual(query(self.db, "PRAGMA user_version"), [(99,)])
        self.assertEqual(self.hook.bodies(), [])


class History(StateFileTest):
    def history(self, *args):
        return run_batchwatch(["history", "--config", self.config, *args])

    def test_json_lines_like_backtest_and_filters(self):
        self.assertEqual(self.once().returncode, 1)
        out = self.history("--format", "json")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        self.assertEqual(len(lines), 1, out.stdout)
        self.assertEqual(set(lines[0]), {"time", "rule", "labels", "from", "to", "value", "reason"})
        self.assertEqual(lines[0]["time"], NOW)
        self.assertEqual(lines[0]["rule"], "input-tokens-high")
        self.assertEqual(lines[0]["labels"], {"modelId": "hot-model"})
        self.assertEqual((lines[0]["from"], lines[0]["to"]), ("INSUFFICIENT_DATA", "ALARM"))
        self.assertEqual(lines[0]["value"], 1250000.0)
        self.assertTrue(lines[0]["reason"].startswith("Threshold Crossed"))
        self.assertEqual(self.history("--format", "json", "--rule", "other").stdout, "")
        self.assertEqual(self.history("--format", "json", "--since", "2026-11-22T06:05:01Z").stdout, "")
        self.assertEqual(len(self.history("--format", "json", "--since", NOW).stdout.splitlines()), 1)

        text = self.history()
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertRegex(text.stdout, r"2026-11-22T06:05:00Z\s+input-tokens-high\s+modelId=hot-model\s+"
                                      r"INSUFFICIENT_DATA\s+->\s+ALARM\s+Threshold Crossed")
        self.assertTrue(text.stdout.endswith("1 transition(s)\n"), text.stdout)

    def test_reads_beside_a_writer_without_changing_the_file(self):
        # A write transaction held open, as the daemon holds one while it records a cycle; the file is
        # still the 0.1.0 one, which history reads as it is (it never upgrades).
        writer = sqlite3.connect(self.db, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO history(rule, series, from_state, to_state, value, reason, at) "
                           "VALUES('x', '', 'OK', 'ALARM', 1, 'uncommitted', 0)")
            out = self.history("--format", "json")
            writer.execute("ROLLBACK")
        finally:
            writer.close()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual([json.loads(line)["rule"] for line in out.stdout.splitlines()], ["input-tokens-high"])
        self.assertEqual(query(self.db, "PRAGMA user_version"), [(0,)])

    def test_missing_state_file_is_a_clear_error(self):
        os.remove(self.db)
        out = self.history()
        self.assertEqual(out.returncode, 2)
        self.assertIn(self.db, out.stderr)
        self.assertIn("does not exist", out.stderr)
        self.assertFalse(os.path.exists(self.db))


if __name__ == "__main__":
    unittest.main()
