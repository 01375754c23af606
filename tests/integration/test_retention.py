"""state.retention over a month of daemon time: `run --simulate-from` against moto, a 1h rule whose
series flips state every three hours (a history row and a webhook notification each time), retention
3d. After the first retention period the row counts stay flat and the state file stops growing."""
import calendar
import os
import sqlite3
import time
import unittest

from harness import Daemon, temp_dir, tokens_high_rule, wait_for, write
from local_servers import AcceptingWebhook
from moto_fixture import Moto, put_points

DAY = 86400
START = calendar.timegm((2026, 10, 1, 0, 0, 0))
SEGMENT_DAYS = 6  # one daemon run per segment; the file is measured between runs
SEGMENTS = 5


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class RetentionSoak(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.hook = AcceptingWebhook()
        self.addCleanup(self.hook.stop)
        self.work = temp_dir(self, "bw-retention-")
        self.db = os.path.join(self.work, "state.db")
        # Three hours above the threshold, three below, for the whole month and a day.
        hours = (SEGMENTS * SEGMENT_DAYS + 1) * 24
        put_points(self.moto, "NumberOfInputTokensProcessedPerMinute", "m1", START - 3600,
                   [2_000_000 if (h // 3) % 2 == 0 else 500_000 for h in range(hours)], step=3600)
        os.mkdir(os.path.join(self.work, "rules"))
        write(os.path.join(self.work, "rules", "r.yaml"), tokens_high_rule("tokens-high", model="m1", notify="[hook]"))
        self.config = write(os.path.join(self.work, "agent.yaml"), f"""\
            aws: {{region: us-east-1, endpoint_url: {self.moto.endpoint}}}
            poll: {{delay: 1m}}
            state: {{path: state.db, retention: 3d}}
            server: {{listen: "127.0.0.1:0"}}
            targets:
              hook: {{type: webhook, url: "{self.hook.url}/hook"}}
            rule_files: [rules/*.yaml]
            """)

    def run_days(self, first_day):
        """`run --simulate-from` over one segment (one cycle an hour), stopped once its cycles are done."""
        daemon = Daemon(self.moto, self.config, args=("--simulate-from", iso(START + first_day * DAY + 60),
                                                      "--cycles", str(SEGMENT_DAYS * 24)))
        try:
            wait_for(lambda: "cycle limit reached" in daemon.stderr(), timeout=60, what="the segment's cycles")
        finally:
            self.assertEqual(daemon.stop(), 0, daemon.stderr()[-2000:])

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
        # Three days of transitions at 8 a day, whatever the day: 24 history rows, give or take the edges.
        # Outbox rows go by when they were delivered, which trails the transition by up to a few
        # simulated hours (the delivery thread runs beside back-to-back cycles): a few more.
        for m in seen:
            self.assertLessEqual(m["history"], 8 * 3 + 2, seen)
            self.assertGreaterEqual(m["history"], 8 * 3 - 2, seen)
            self.assertLessEqual(m["outbox"], 8 * 3 + 8, seen)
        self.assertEqual(seen[-1]["pending"], 0)
        # Freed pages are reused: no growth from day 6 to day 30 beyond a few pages.
        self.assertLessEqual(seen[-1]["bytes"], seen[0]["bytes"] + 4 * 4096, seen)


if __name__ == "__main__":
    unittest.main()
