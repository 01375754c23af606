"""`batchwatch backtest` over the shipped sample night (samples/night/): bedrock-night.jsonl as
make_night.py writes it, the baseline, drained and deadline rules of rules.yaml, a 2m delay.

- test_exact_transitions: the JSON output is exactly eight transitions, every one of
  amazon.nova-lite-v1:0 (nova-micro only ever publishes a zero backlog, which is not a drain):
  the first evaluations, the throughput dip of 01:00Z-01:40Z while work is pending (the deadline
  ALARM, then the baseline ALARM and its recovery), and the drain at 02:54Z (DRAINED, then the
  deadline ALARM clearing).
- test_text_output_and_window: the text format, with --from/--to bounding the replay and named on
  the summary line.
- test_bad_input_line_is_named: an unreadable input line is named as FILE:LINE, exit status 2.

The expected times come from the night's story, not from a previous run. The replay starts at the
file's first datapoint (22:00Z, nova-micro) plus one 1-minute step plus the delay: 22:03Z. After
that a rule sees a period once it has ended plus the delay (1-minute periods for the drain rule,
5-minute ones for the dip and deadline rules).
"""
import json
import os
import unittest

from harness import run_batchwatch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NIGHT = os.path.join(ROOT, "samples", "night")
NOVA = {"modelId": "amazon.nova-lite-v1:0"}


class BacktestSampleNight(unittest.TestCase):
    def run_backtest(self, *extra):
        out = run_batchwatch(["backtest", "--config", os.path.join(NIGHT, "agent.yaml"),
                              "--input", os.path.join(NIGHT, "bedrock-night.jsonl"), *extra])
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_exact_transitions(self):
        rows = [json.loads(l) for l in self.run_backtest("--format", "json").stdout.splitlines()]
        got = [(r["time"], r["rule"], r["from"], r["to"]) for r in rows]
        self.assertTrue(all(r["labels"] == NOVA for r in rows), rows)  # nova-micro never had a backlog
        self.assertEqual(got, [
            # First evaluations: at the replay's start (22:03Z), before the job exists, the dip rule's
            # `while` gate (work pending) holds it at OK; the drain rule arms on the first backlog
            # reading (22:10 + 1m + 2m); the deadline projection starts as soon as a 5-minute backlog
            # period is complete (22:10-22:15, + 2m).
            ("2026-11-21T22:03:00Z", "throughput-dip", "INSUFFICIENT_DATA", "OK"),
            ("2026-11-21T22:13:00Z", "records-drained", "INSUFFICIENT_DATA", "OK"),
            ("2026-11-21T22:17:00Z", "misses-deadline", "INSUFFICIENT_DATA", "OK"),
            # 01:00Z-01:40Z throughput falls to 60k/min: the projection slips past 02:30Z as soon as
            # the 01:00 period is in the 3-period rate mean (01:05 + 2m)...
            ("2026-11-22T01:07:00Z", "misses-deadline", "OK", "ALARM"),
            # ...and the baseline rule needs three whole 5-minute periods under 50% (01:15 + 2m).
            ("2026-11-22T01:17:00Z", "throughput-dip", "OK", "ALARM"),
            # The 01:40 period is back at 400k/min (01:45 + 2m).
            ("2026-11-22T01:47:00Z", "throughput-dip", "ALARM", "OK"),
            # The backlog reaches 0 at 02:54Z: five zero minutes end at 02:59 (+ 2m)...
            ("2026-11-22T03:01:00Z", "records-drained", "OK", "DRAINED"),
            # ...and the deadline ALARM (tonight's 02:30Z deadline was missed) clears only when a
            # whole 5-minute backlog period reads 0: 02:55-03:00 (+ 2m).
            ("2026-11-22T03:02:00Z", "misses-deadline", "ALARM", "OK"),
        ])

    def test_text_output_and_window(self):
        text = self.run_backtest("--from", "2026-11-22T01:00:00Z", "--to", "2026-11-22T02:00:00Z").stdout
        self.assertIn("throughput-dip", text)
        self.assertIn("OK                -> ALARM", text)
        self.assertTrue(text.rstrip().endswith("from 2026-11-22T01:00:00Z to 2026-11-22T02:00:00Z"), text)

    def test_bad_input_line_is_named(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write('{"namespace":"AWS/Bedrock/Batch","metric":"M","timestamp":"2026-11-22T00:00:00Z","value":1}\n')
            f.write('{"namespace":"AWS/Bedrock/Batch","metric":"M","timestamp":"yesterday","value":1}\n')
        try:
            out = run_batchwatch(["backtest", "--config", os.path.join(NIGHT, "agent.yaml"), "--input", f.name])
            self.assertEqual(out.returncode, 2)
            self.assertIn(f'{f.name}:2: "timestamp" must be an RFC 3339 time', out.stderr)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
