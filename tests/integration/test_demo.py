"""The README's first command ends in `python3 samples/demo/demo.py`: it must keep working.

Runs the demo as a user would (its own moto server, the built binary) and checks that it exits 0,
that SNS delivered the alarms the demo's story promises, and that the second `once` sent nothing.
"""
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Demo(unittest.TestCase):
    def test_demo_runs_and_notifies_once(self):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "samples", "demo", "demo.py"),
                              "--bin", os.environ["BATCHWATCH_BIN"]],
                             capture_output=True, text=True, timeout=240)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        self.assertRegex(out.stdout, r"demo: [1-9][0-9]* notification\(s\) arrived on SNS topic bedrock-batch-ops")
        self.assertIn('Subject: ALARM: "input-tokens-low/modelId=amazon.nova-lite-v1:0" in us-east-1', out.stdout)
        self.assertIn("0 new notification(s)", out.stdout)
        # The job watch against the Bedrock stand-in: a failed and a stuck job notified, the one that
        # failed before batchwatch first looked not; the drain lists the finished job; `jobs` prints them.
        self.assertIn('Subject: ALARM: "job-ended-badly/jobName=nova-eval-7" in us-east-1', out.stdout)
        self.assertIn('Subject: ALARM: "job-stuck/jobName=nova-eval-8" in us-east-1', out.stdout)
        self.assertIn('Subject: ALARM: "job-expiry/jobName=nightly-haiku-backfill" in us-east-1', out.stdout)
        self.assertNotIn('Subject: ALARM: "job-ended-badly/jobName=haiku-smoke-old"', out.stdout)
        self.assertIn("finished job llama-nightly-1126 (Completed): output in s3://", out.stdout)
        self.assertRegex(out.stdout, r"nightly-haiku-backfill +anthropic.claude-3-haiku +InProgress +40k / 100k \(40%\)")


if __name__ == "__main__":
    unittest.main()
