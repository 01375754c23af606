"""A cycle writes only the state rows that changed (issue 14): the rows of steady series lag the newest
evaluation (by at most 10 minutes), a kill -9 in between loses nothing and announces nothing twice, a
drain whose debounce spans the restart fires once, and SIGTERM writes the newest evaluations.

`run --simulate-from` against moto, period 1m, no delay: m1's backlog is 50,000 for 20 minutes, then 0;
m2's is 10. Daemon A runs 14 cycles (m1 in ALARM at the first, OK once the backlog is gone, the drain's
debounce begun) and is killed; daemon B goes on for 6 cycles (the drain fires) and is stopped by SIGTERM."""
import os
import signal
import sqlite3
import time
import unittest
from contextlib import closing

from harness import BACKLOG_HIGH, Daemon, temp_dir, wait_for, write_agent_config
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue

# backlog-high (harness.BACKLOG_HIGH, every modelId) and a drain of m1's backlog.
RULES = BACKLOG_HIGH.rstrip() + """
      - name: records-drained
        kind: drained
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                 dimensions: {modelId: m1}, stat: Maximum, period: 1m}
        for: 5m
        notify: [ops]
    """


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class StateWrites(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.dir = temp_dir(self, "bw-state-writes-")
        self.db = os.path.join(self.dir, "state.db")
        self.t0 = int(time.time()) // 3600 * 3600 - 7200  # two hours ago, on the hour
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m1", self.t0, [50_000] * 20 + [0] * 40)
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m2", self.t0, [10] * 60)
        self.topic, self.queue = topic_with_queue(self.moto, "ops")
        self.config = write_agent_config(self.dir, self.moto, self.topic, RULES)

    def run_cycles(self, start, cycles):
        daemon = Daemon(self.moto, self.config, args=("--simulate-from", iso(start), "--cycles", str(cycles)))
        self.addCleanup(daemon.stop, signal.SIGKILL)
        wait_for(lambda: "cycle limit reached" in daemon.stderr(), timeout=60, what=f"{cycles} cycles")
        return daemon

    def rows(self, sql):
        with closing(sqlite3.connect(self.db, timeout=10)) as c:
            return c.execute(sql).fetchall()

    def evaluated(self):
        return dict(((rule, series), at) for rule, series, at in
                    self.rows("SELECT rule, series, evaluated_at FROM alarm_state"))

    def test_kill_9_between_checkpoints_loses_nothing_and_repeats_nothing(self):
        a = self.run_cycles(self.t0 + 600, 14)  # cycles at t0+10m ... t0+23m
        # m2 never changed: its row was written by the first cycle (t0+10m), then again at its own checkpoint
        # phase, never lagging the last cycle (t0+23m) by 10 minutes (unit tests: once per checkpoint, spread).
        m2_at = self.evaluated()[("backlog-high", "modelId=m2")]
        self.assertGreater(m2_at, self.t0 + 600)
        self.assertLess(self.t0 + 1380 - m2_at, 600)
        a.stop(signal.SIGKILL)
        self.assertIn("state change", a.stderr())

        b = self.run_cycles(self.t0 + 1440, 6)  # t0+24m ... t0+29m: the drain's 5 minutes end
        self.assertEqual(b.stop(signal.SIGTERM), 0, b.stderr()[-2000:])
        # Nothing A recorded was announced again by B: only the drain is B's.
        changes = [line for line in b.stderr().splitlines() if "state change" in line]
        self.assertEqual(len(changes), 1, changes)
        self.assertIn("rule=records-drained", changes[0])
        self.assertIn("to=DRAINED", changes[0])

        subjects = sorted(m["Subject"] for m in drain_queue(self.moto, self.queue))
        self.assertEqual(subjects, ['ALARM: "backlog-high/modelId=m1" in us-east-1',
                                    'DRAINED: "records-drained/modelId=m1" in us-east-1',
                                    'OK: "backlog-high/modelId=m1" in us-east-1'])
        history = self.rows("SELECT rule, series, to_state, at FROM history")
        self.assertEqual(len(history), len(set(history)), history)
        self.assertEqual(self.rows("SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM outbox"), [(3, 3)])
        # SIGTERM wrote every row's newest evaluation: B's last cycle.
        self.assertEqual(set(self.evaluated().values()), {self.t0 + 1740})


if __name__ == "__main__":
    unittest.main()
