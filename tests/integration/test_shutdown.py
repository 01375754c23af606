"""SIGTERM while an exec hook runs: `batchwatch run` exits within `shutdown.grace` + 2 s, the hook's
process group (a backgrounded grandchild included) is stopped, the notification stays owed, and the
next start delivers it exactly once."""
import os
import signal
import time
import unittest

from harness import Daemon, temp_dir, wait_for, write
from moto_fixture import Moto, put_points
from test_reliability import BACKLOG_HIGH, PENDING, lines, outbox

GRACE = 3  # seconds: `shutdown: {grace: 3s}` below (the default is 10 s; 3 keeps the test short)


def alive(pid):
    """Whether `pid` exists and is not a zombie (a zombie whose reaper is not us is as good as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def group_members(pgid):
    """Live processes in process group `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                members.append(int(entry))
    return members


class ShutdownDuringAHook(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.dir = temp_dir(self, "bw-shutdown-")
        self.db = os.path.join(self.dir, "state.db")
        self.daemons = []
        write(os.path.join(self.dir, "rules.yaml"), BACKLOG_HIGH.replace("NOTIFY", "etl"))
        # m1's backlog at 50,000 for the last 10 minutes: backlog-high is in ALARM at the first cycle.
        now = int(time.time()) // 60 * 60
        put_points(self.moto, PENDING, "m1", now - 600, [50_000] * 10)

    def tearDown(self):
        for d in self.daemons:
            d.stop(signal.SIGKILL)
        self.moto.stop()

    def start(self, hook):
        """`batchwatch run` with one exec target, `etl`, running HOOK."""
        path = os.path.join(self.dir, "agent.yaml")
        write(path, f"""\
            aws: {{region: us-east-1, endpoint_url: "{self.moto.endpoint}"}}
            poll: {{delay: 0s}}
            state: {{path: state.db}}
            server: {{listen: "127.0.0.1:0"}}
            shutdown: {{grace: {GRACE}s}}
            targets:
              etl: {{type: exec, command: ["{hook}"], timeout: 300s}}
            rule_files: [rules.yaml]
            """)
        daemon = Daemon(self.moto, path)
        self.daemons.append(daemon)
        return daemon

    def test_sigterm_stops_the_hook_group_within_the_grace_and_the_notification_is_delivered_once_after_restart(self):
        started = os.path.join(self.dir, "started")
        ran = os.path.join(self.dir, "ran")
        slow = write(os.path.join(self.dir, "slow.sh"), f"""\
            #!/bin/sh
            sleep 120 &
            echo "$BATCHWATCH_IDEMPOTENCY_KEY $$ $!" >> "{started}"
            sleep 120
            """, mode=0o755)
        fast = write(os.path.join(self.dir, "fast.sh"), f"""\
            #!/bin/sh
            echo "$BATCHWATCH_IDEMPOTENCY_KEY" >> "{ran}"
            """, mode=0o755)
        daemon = self.start(slow)
        key, hook_pid, grandchild = wait_for(lambda: lines(started), timeout=30, what="the hook to start")[0].split()
        hook_pid, grandchild = int(hook_pid), int(grandchild)
        self.assertEqual(os.getpgid(hook_pid), hook_pid, "the hook leads a process group of its own")

        began = time.monotonic()
        daemon.proc.send_signal(signal.SIGTERM)
        code = daemon.proc.wait(timeout=GRACE + 30)
        elapsed = time.monotonic() - began
        log = daemon.stderr()
        self.assertEqual(code, 0, log)
        self.assertLess(elapsed, GRACE + 2, "exited after the grace period + 2 s")
        self.assertGreaterEqual(elapsed, GRACE - 0.5, "the hook was not given its grace period")
        self.assertIn("grace period over: stopping the deliveries in progress", log)
        self.assertIn("stopped by shutdown", log)
        self.assertIn("batchwatch stopped", log)
        wait_for(lambda: not group_members(hook_pid), timeout=5, what="the hook's process group to be gone")
        self.assertFalse(alive(grandchild), "the backgrounded grandchild outlived the daemon")

        rows = outbox(self.db)
        self.assertEqual([(r["target"], r["idempotency_key"], r["status"], r["attempts"]) for r in rows],
                         [("etl", key, "pending", 0)], "owed, not failed")

        # Next start, the hook now quick: the owed notification goes out once, and nothing new is owed.
        second = self.start(fast)
        wait_for(lambda: second.get("/readyz")[0] == 200, timeout=30, what="the restarted agent's first cycle")
        wait_for(lambda: all(r["status"] == "delivered" for r in outbox(self.db)), timeout=30, what="delivered")
        self.assertEqual(len(outbox(self.db)), 1, outbox(self.db))
        self.assertEqual(second.stop(), 0)
        self.assertEqual(lines(ran), [key], "the hook ran exactly once for that notification")
        self.assertEqual(len(lines(started)), 1)


if __name__ == "__main__":
    unittest.main()
