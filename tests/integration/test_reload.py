"""SIGHUP reloads of a valid configuration, against moto (issue 12, item 1).

Memory: 200 threshold rules on one series (one GetMetricData query a cycle, so a reload and the
cycle it starts take milliseconds), 200 SIGHUPs, one at a time (each waits for its "configuration
reloaded" line and the cycle after it). RssAnon is read from /proc/PID/status after every reload.
Before issue 12 every reload kept the replaced configuration and AWS clients until exit: RssAnon
rose from ~3 MB to ~50 MB (+0.22 MB a reload). Now the old ones are freed once nothing uses them, so
RssAnon after the last reload stays within 4 MB of its value after the first 10 (the first reloads
still settle malloc's heap, like the first cycles in test_footprint.py). A leak of the old config
alone (200 rules, ~1 kB each) would add ~40 MB over the 190 reloads measured.

Rules in force: a reload that adds one rule and removes another shows the new rule, and no longer
the removed one, in /api/v1/alerts?all=1 and on /metrics after the next cycle.

The memory test is skipped under AddressSanitizer (see test_footprint.py: its allocator's quarantine
and shadow memory make RssAnon meaningless).
"""
import json
import os
import signal
import subprocess
import sys
import unittest

from test_daemon import Daemon, MotoDaemonCase, wait_for

RELOADS = 200
SETTLE = 10
TOLERANCE_KB = 4 * 1024


def rules_yaml(names):
    """One threshold rule per name, all on the same series (so a cycle makes one query)."""
    out = ["rules:"]
    for i, name in enumerate(names):
        out += [f"  - name: {name}",
                "    kind: threshold",
                "    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,",
                "             dimensions: {modelId: m1}, stat: Maximum, period: 1m}",
                '    comparison: ">"',
                f"    threshold: {1000 + i}",
                "    evaluation_periods: 3",
                "    notify: [ops]"]
    return "\n".join(out) + "\n"


def rss_anon_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/PID/status")


def sanitized(binary):
    return "libasan" in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout


class Reload(MotoDaemonCase):
    def start(self, names):
        config = self.write_config(rules_yaml(names))
        self.daemon = Daemon(self.moto, config)
        wait_for(lambda: self.daemon.get("/readyz")[0] == 200, what="ready")

    def write_rules(self, names):
        with open(os.path.join(self.dir, "rules", "rules.yaml"), "w") as f:
            f.write(rules_yaml(names))

    def reload(self, count):
        """Sends SIGHUP and waits for reload number COUNT and the cycle after it."""
        self.daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.daemon.stderr().count("configuration reloaded") >= count, what=f"reload {count}")
        wait_for(lambda: self.daemon.metric("batchwatch_cycles_total") >= count + 1, what=f"cycle after reload {count}")

    def rules_shown(self):
        alerts = json.loads(self.daemon.get("/api/v1/alerts?all=1")[1])["alerts"]
        return sorted({a["rule"] for a in alerts})

    def test_two_hundred_reloads_do_not_grow_private_memory(self):
        if sanitized(os.environ["BATCHWATCH_BIN"]):
            self.skipTest("AddressSanitizer build: its allocator's quarantine, redzones and shadow memory make "
                          "RssAnon meaningless")
        self.start([f"rule-{i:03d}" for i in range(200)])
        pid = self.daemon.proc.pid
        samples = [rss_anon_kb(pid)]
        for n in range(1, RELOADS + 1):
            self.reload(n)
            samples.append(rss_anon_kb(pid))
        growth = max(samples[SETTLE:]) - samples[SETTLE]
        print(f"RssAnon (kB): start {samples[0]}, after reload 1 {samples[1]}, {SETTLE} {samples[SETTLE]}, "
              f"100 {samples[100]}, {RELOADS} {samples[-1]}, max {max(samples)}; growth after reload {SETTLE}: "
              f"{growth} kB ({growth / (RELOADS - SETTLE):.1f} kB a reload)", file=sys.stderr)
        self.assertEqual(self.daemon.metric("batchwatch_config_reloads_total", '{result="success"}'), RELOADS)
        self.assertEqual(len(self.rules_shown()), 200)
        self.assertLessEqual(growth, TOLERANCE_KB, f"RssAnon by reload (kB): {samples}")

    def test_reload_puts_the_new_rules_in_force(self):
        self.start(["kept", "removed"])
        wait_for(lambda: self.rules_shown() == ["kept", "removed"], what="the first rules shown")
        self.write_rules(["kept", "added"])
        self.reload(1)
        self.assertEqual(self.rules_shown(), ["added", "kept"])
        _, metrics = self.daemon.get("/metrics")
        self.assertIn('rule="added"', metrics)
        self.assertNotIn('rule="removed"', metrics)
        self.assertEqual(self.daemon.stop(signal.SIGTERM), 0)


if __name__ == "__main__":
    unittest.main()
