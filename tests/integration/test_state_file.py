"""The state file across releases and beside the daemon: a file written by 0.1.0 is upgraded in place
(states kept, the owed notification delivered once, nothing announced again), a file from a newer
release is refused, and `batchwatch history` reads the recorded transitions."""
import calendar
import json
import os
import shutil
import sqlite3
import tempfile
import textwrap
import unittest

from local_servers import LocalServer
from moto_fixture import Moto, put_points, run_batchwatch

HERE = os.path.dirname(os.path.abspath(__file__))
V0_FIXTURE = os.path.join(HERE, "..", "data", "state", "v0-alarm-owed.db")
NOW = "2026-11-22T06:05:00Z"  # what make_v0.py ran at, so the evaluation finds what it found
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
OWED_KEY = "fe3b723e419939e70b6024a67a9f18b2"  # the idempotency key of the row the fixture owes
CURRENT_VERSION = 1

RULES = """\
    rules:
      - name: input-tokens-high
        kind: threshold
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute,
                 dimensions: {modelId: "*"}, stat: Average, period: 1h}
        comparison: ">"
        threshold: 1000000
        evaluation_periods: 1
        notify: [hook]
    """


class WebhookCounter(LocalServer):
    """Takes every POST with 200 and keeps it."""

    def handle(self, rec):
        return 200, {"Content-Type": "application/json"}, b"{}"

    def bodies(self):
        return [json.loads(r.body) for r in self.requests if r.method == "POST"]


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
        self.work = tempfile.mkdtemp(prefix="bw-state-file-")
        self.hook = WebhookCounter()
        self.db = os.path.join(self.work, "state.db")
        shutil.copy(V0_FIXTURE, self.db)
        os.mkdir(os.path.join(self.work, "rules"))
        with open(os.path.join(self.work, "rules", "r.yaml"), "w") as f:
            f.write(textwrap.dedent(RULES))
        self.config = os.path.join(self.work, "agent.yaml")
        with open(self.config, "w") as f:
            # max_age: the owed row was created when the fixture was made; it must not die of age here.
            f.write(textwrap.dedent(f"""\
                aws: {{region: us-east-1, endpoint_url: {self.moto.endpoint}}}
                poll: {{delay: 2m}}
                state: {{path: state.db}}
                server: {{listen: ""}}
                targets:
                  hook: {{type: webhook, url: "{self.hook.url}/hook", max_age: 3650d}}
                rule_files: [rules/*.yaml]
                """))

    def tearDown(self):
        self.hook.stop()
        shutil.rmtree(self.work)

    def once(self):
        return run_batchwatch(["once", "--config", self.config, "--now", NOW], self.moto)


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


if __name__ == "__main__":
    unittest.main()
