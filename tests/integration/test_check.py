"""`batchwatch check` as a user runs it: every problem as FILE:LINE:COL, exit 2; shipped samples valid."""
import os
import unittest

from harness import run_batchwatch, temp_dir, write

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Check(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self, "bw-check-")

    def write(self, name, text):
        return write(os.path.join(self.dir, name), text)

    def test_typo_and_bad_duration_are_both_reported_with_line_and_column(self):
        agent = self.write("agent.yaml", """\
            aws: {region: us-east-1}
            targets:
              ops: {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:ops"}
            rule_files: [rules.yaml]
            """)
        rules = self.write("rules.yaml", """\
            rules:
              - name: tokens-high
                kind: threshold
                metric: {namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute,
                         stat: Average, period: 5 minutes}
                comparison: ">"
                tresholds: 1000000
                notify: [ops]
            """)
        out = run_batchwatch(["check", "--config", agent])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        lines = [l for l in out.stderr.splitlines() if l.startswith(rules)]
        self.assertIn(f'{rules}:5:37: invalid duration "5 minutes" (use e.g. 90s, 5m, 6h, 7d)', lines)
        self.assertIn(f'{rules}:7:5: unknown key "tresholds" (did you mean "threshold"?)', lines)

    def test_job_rules_are_accepted_and_their_mistakes_located(self):
        agent = self.write("agent.yaml", """\
            aws: {region: us-east-1}
            jobs: {every: 2m, lookback: 3d}
            targets:
              ops: {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:ops"}
            rule_files: [jobs.yaml]
            """)
        self.write("jobs.yaml", """\
            rules:
              - {name: ended-badly, kind: job_status, notify: [ops]}
              - {name: stuck, kind: job_stuck, statuses: [Scheduled], for: 2h, notify: [ops]}
              - {name: errors, kind: job_errors, above: 1%, min_processed: 100, notify: [ops]}
              - {name: expiry, kind: job_expiry, margin: 1h, jobs: {model: "anthropic.*"}, notify: [ops]}
              - {name: quota, kind: job_concurrency, above: 18, notify: [ops]}
              - name: done
                kind: drained
                metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                         dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
                wait_for_jobs: true
                notify: [ops]
            """)
        out = run_batchwatch(["check", "--config", agent])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("6 rules", out.stdout)

        rules = self.write("jobs.yaml", """\
            rules:
              - {name: ended-badly, kind: job_status, statuses: [Faild], notify: [ops]}
              - {name: errors, kind: job_errors, above: 150%, notify: [ops]}
              - {name: stuck, kind: job_stuck, for: two hours, notify: [ops]}
            """)
        out = run_batchwatch(["check", "--config", agent])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        lines = [l for l in out.stderr.splitlines() if l.startswith(rules)]
        self.assertIn(f'{rules}:2:54: unknown job status "Faild" (did you mean "Failed"?) (Bedrock\'s statuses: '
                      'Submitted, Validating, Scheduled, InProgress, Stopping, Completed, Failed, Stopped, Expired, '
                      'PartiallyCompleted)', lines)
        self.assertIn(f'{rules}:3:45: "above" must be from 0% to less than 100% of the processed records, not 150%',
                      lines)
        self.assertIn(f'{rules}:4:41: invalid duration "two hours" (use e.g. 90s, 5m, 6h, 7d)', lines)

    def test_shipped_samples_are_valid(self):
        out = run_batchwatch(["check", "--config", os.path.join(ROOT, "samples", "agent.yaml")])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("OK", out.stdout)

    def test_missing_agent_file(self):
        out = run_batchwatch(["check", "--config", os.path.join(self.dir, "nope.yaml")])
        self.assertEqual(out.returncode, 2)
        self.assertIn("nope.yaml", out.stderr)


if __name__ == "__main__":
    unittest.main()
