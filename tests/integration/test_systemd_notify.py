"""`batchwatch run` under a stand-in for systemd's notify socket (Type=notify): the test owns a unix
datagram socket, passes it as NOTIFY_SOCKET, and checks what the daemon tells systemd and in which
order: READY=1 only after the first successful cycle, STATUS= with each cycle's summary, WATCHDOG=1
at least every half of WATCHDOG_USEC (and never without it), RELOADING=1 then READY=1 around SIGHUP
(for a refused configuration too), STOPPING=1 on SIGTERM."""
import os
import signal
import socket
import time
import unittest

from harness import BACKLOG_HIGH, Daemon, temp_dir, wait_for, write_agent_config
from moto_fixture import Moto, put_points, topic_with_queue


class NotifySocket:
    """systemd's end: every datagram received, in order, with the monotonic time it was read."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.messages = []  # (arrival time, {field: value})

    def poll(self):
        while True:
            try:
                data = self.sock.recv(8192)
            except BlockingIOError:
                return self.messages
            fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
            self.messages.append((time.monotonic(), fields))

    def listen(self, seconds):
        """Receives for `seconds`, often enough that arrival times are right to a few milliseconds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.poll()
            time.sleep(0.01)
        return self.poll()

    def index_of(self, field, value=None, start=0):
        """Index of the first message from `start` on that sets `field` (to `value`, if given), or None."""
        for i, (_, fields) in enumerate(self.poll()[start:], start):
            if field in fields and (value is None or fields[field] == value):
                return i
        return None

    def wait_for(self, field, value=None, start=0, timeout=30):
        def found():
            i = self.index_of(field, value, start)
            return None if i is None else [i]  # index 0 is found too
        return wait_for(found, timeout=timeout,
                        what=f"{field}={value or '…'} on the notify socket after message {start}: "
                             f"{[m for _, m in self.messages]}")[0]

    def close(self):
        self.sock.close()


class RunUnderSystemd(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.dir = temp_dir(self, "bw-sdnotify-")
        self.notify = NotifySocket(os.path.join(self.dir, "notify"))
        self.topic_arn, _ = topic_with_queue(self.moto, "ops")
        now = int(time.time()) // 60 * 60
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m1", now - 600, [50_000] * 10)
        self.config = write_agent_config(self.dir, self.moto, self.topic_arn, BACKLOG_HIGH)
        self.rules_path = os.path.join(self.dir, "rules", "rules.yaml")
        self.daemon = None

    def tearDown(self):
        if self.daemon:
            self.daemon.stop()
        self.notify.close()
        self.moto.stop()

    def start(self, args=(), **env):
        self.daemon = Daemon(self.moto, self.config, extra_env=dict(NOTIFY_SOCKET=self.notify.path, **env), args=args)

    def fields(self, i):
        return self.notify.messages[i][1]

    def test_ready_status_watchdog_reload_and_stop_in_order(self):
        self.start(WATCHDOG_USEC="4000000")  # WatchdogSec=4s: a ping at least every 2 s
        ready = self.notify.wait_for("READY", "1")
        # READY=1 comes after the first cycle is done: its results are already served.
        self.assertEqual(self.daemon.get("/readyz")[0], 200)
        self.assertGreaterEqual(self.daemon.metric("batchwatch_cycles_total"), 1)
        for i in range(ready):
            self.assertNotIn("STOPPING", self.fields(i))
        # The first cycle's summary is the status, sent with READY=1 or before it.
        statuses = [i for i in range(ready + 1) if "STATUS" in self.fields(i)]
        self.assertTrue(statuses, self.notify.messages)
        self.assertTrue(self.fields(statuses[-1])["STATUS"].strip())

        # The watchdog is fed while the daemon sleeps between cycles (the next one is up to a minute away).
        pings = [t for t, m in self.notify.listen(5)[ready:] if m.get("WATCHDOG") == "1"]
        self.assertGreaterEqual(len(pings), 3, self.notify.messages)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        self.assertLess(max(gaps), 2.5, gaps)  # half of WATCHDOG_USEC, and a margin; systemd kills at 4 s

        # A good reload: RELOADING=1 (with MONOTONIC_USEC, as systemd 253+ wants), then READY=1.
        mark = len(self.notify.poll())
        self.daemon.proc.send_signal(signal.SIGHUP)
        reloading = self.notify.wait_for("RELOADING", "1", start=mark)
        self.assertIn("MONOTONIC_USEC", self.fields(reloading))
        self.notify.wait_for("READY", "1", start=reloading + 1)
        wait_for(lambda: "configuration reloaded" in self.daemon.stderr(), what="reload logged")

        # A refused reload still ends with READY=1: the old configuration keeps running.
        with open(self.rules_path, "a") as f:
            f.write("    tresholds: 5\n")
        mark = len(self.notify.poll())
        self.daemon.proc.send_signal(signal.SIGHUP)
        reloading = self.notify.wait_for("RELOADING", "1", start=mark)
        self.notify.wait_for("READY", "1", start=reloading + 1)
        wait_for(lambda: "configuration reload failed" in self.daemon.stderr(), what="refused reload logged")

        # SIGTERM: STOPPING=1, and no READY=1 after it.
        mark = len(self.notify.poll())
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)
        stopping = self.notify.wait_for("STOPPING", "1", start=mark, timeout=5)
        self.assertIsNone(self.notify.index_of("READY", start=stopping + 1), self.notify.messages)
        self.assertIsNone(self.notify.index_of("RELOADING", start=stopping + 1), self.notify.messages)

    def test_status_follows_each_cycle_and_no_watchdog_without_watchdog_usec(self):
        # A simulated clock runs three cycles back to back, then the daemon idles until stopped.
        start = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() - 300))
        self.start(args=("--simulate-from", start, "--cycles", "3"))
        wait_for(lambda: "cycle limit reached" in self.daemon.stderr(), what="the third cycle")
        time.sleep(1.5)
        messages = [m for _, m in self.notify.poll()]
        self.assertGreaterEqual(sum("STATUS" in m for m in messages), 3, messages)  # one summary per cycle
        self.assertEqual([m.get("READY") for m in messages if "READY" in m], ["1"], messages)  # ready once
        self.assertIsNone(self.notify.index_of("WATCHDOG"), messages)

    def test_watchdog_meant_for_another_process_is_not_fed(self):
        self.start(WATCHDOG_USEC="1000000", WATCHDOG_PID="1")
        self.notify.wait_for("READY", "1")
        time.sleep(1.5)
        self.assertIsNone(self.notify.index_of("WATCHDOG"), self.notify.messages)


if __name__ == "__main__":
    unittest.main()
