"""state.retention over a month of daemon time: `run --simulate-from` against moto, a 1h rule whose
series flips state every three hours (a history row and a webhook notification each time), retention
3d. After the first retention period the row counts stay flat and the state file stops growing."""
import calendar
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import textwrap
import time
import unittest

from local_servers import AcceptingWebhook
from moto_fixture import REGION, Moto, put_points

DAY = 86400
START = calendar.timegm((2026, 10, 1, 0, 0, 0))
SEGMENT_DAYS = 6  # one daemon run per segment; the file is measured between runs
SEGMENTS = 5

RULES = """\
    rules:
      - name: tokens-high
        kind: threshold
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute,
                 dimensions: {modelId: m1}, stat: Average, period: 1h}
        comparison: ">"
        threshold: 1000000
        evaluation_periods: 1
        notify: [hook]
    """


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class RetentionSoak(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.hook = AcceptingWebhook()
        self.work = tempfile.mkdtemp(prefix="bw-retention-")
        self.db = os.path.join(self.work, "state.db")
        # Three hours above the threshold, three below, for the whole month and a day.
        hours = (SEGMENTS * SEGMENT_DAYS + 1) * 24
        put_points(self.moto, "NumberOfInputTokensProcessedPerMinute", "m1", START - 3600,
                   [2_000_000 if (h // 3) % 2 == 0 else 500_000 for h in range(hours)], step=3600)
        os.mkdir(os.path.join(self.work, "rules"))
        with open(os.path.join(self.work, "rules", "r.yaml"), "w") as f:
            f.write(textwrap.dedent(RULES))
        self.config = os.path.join(self.work, "agent.yaml")
        with open(self.config, "w") as f:
            f.write(textwrap.dedent(f"""\
                aws: {{region: us-east-1, endpoint_url: {self.moto.endpoint}}}
                poll: {{delay: 1m}}
                state: {{path: state.db, retention: 3d}}
                server: {{listen: ""}}
                targets:
                  hook: {{type: webhook, url: "{self.hook.url}/hook"}}
                rule_files: [rules/*.yaml]
                """))

    def tearDown(self):
        self.hook.stop()
        self.moto.stop()
        shutil.rmtree(self.work)

    def run_days(self, first_day):
        """`run --simulate-from` over one segment (one cycle an hour), stopped once its cycles are done."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=self.moto.access_key,
                   AWS_SECRET_ACCESS_KEY=self.moto.secret_key)
        args = [os.environ["BATCHWATCH_BIN"], "run", "--config", self.config, "--log-level", "info",
                "--simulate-from", iso(START + first_day * DAY + 60), "--cycles", str(SEGMENT_DAYS * 24)]
        proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env)
        try:
            for line in proc.stderr:
                if "cycle limit reached" in line:
                    break
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def measure(self):
        db = sqlite3.connect(self.db)
        try:
            counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("history", "outbox")}
            counts["pending"] = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            counts["newest"] = db.execute("SELECT MAX(evaluated_at) FROM alarm_state").fetchone()[0]
        finally:
            db.close()
        counts["bytes"] = sum(os.path.getsize(self.db + suffix) for suffix in ("", "-wal")
                              if os.path.exists(self.db + suffix))
        return counts

    def test_a_month_of_flapping_keeps_the_file_flat_after_the_first_retention_period(self):
        seen = []
        for segment in range(SEGMENTS):
            self.run_days(segment * SEGMENT_DAYS)
            seen.append(self.measure())
        print("\nretention soak (day: history, outbox, pending, file bytes):")
        for segment, m in enumerate(seen):
            print(f"  day {(segment + 1) * SEGMENT_DAYS:2d}: {m['history']:4d} {m['outbox']:4d} {m['pending']:3d} {m['bytes']:7d}")
        # The clock really covered the month, and the series flapped all along it (8 transitions a day).
        self.assertGreaterEqual(seen[-1]["newest"], START + (SEGMENTS * SEGMENT_DAYS - 1) * DAY)
        self.assertGreaterEqual(len(self.hook.bodies()), 8 * 25)
        # Three days of transitions at 8 a day, whatever the day: 24 rows, give or take the edges.
        for m in seen:
            self.assertLessEqual(m["history"], 8 * 3 + 2, seen)
            self.assertLessEqual(m["outbox"], 8 * 3 + 2, seen)
            self.assertGreaterEqual(m["history"], 8 * 3 - 2, seen)
        self.assertEqual(seen[-1]["pending"], 0)
        # Freed pages are reused: no growth from day 6 to day 30 beyond a few pages.
        self.assertLessEqual(seen[-1]["bytes"], seen[0]["bytes"] + 4 * 4096, seen)


if __name__ == "__main__":
    unittest.main()
