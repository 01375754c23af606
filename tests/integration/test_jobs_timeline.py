"""The job watch end to end: `once --now` runs against moto (the backlog metric) and the Bedrock stand-in
(the jobs, every request's signature checked), the jobs changing between runs as Bedrock would change
them. Every notification must arrive exactly once: none for a job that failed long before the agent
first looked, one for a job that fails while it watches, a drain held by `wait_for_jobs` until the
model's job completes, and that job (with its output location) listed in the drain notification."""
import calendar
import json
import os
import time
import unittest

from bedrock_standin import BedrockStandIn
from harness import Daemon, once, run_batchwatch, temp_dir, wait_for, write
from local_servers import AcceptingWebhook
from moto_fixture import Moto, put_points

T0 = calendar.timegm((2026, 11, 22, 0, 0, 0))
MINUTE = 60
M1 = "anthropic.claude-3-haiku-20240307-v1:0"
M2 = "amazon.nova-lite-v1:0"


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def job(name, model, status, submitted, modified, ended=None, total=1000, processed=0, errors=0, message=""):
    j = {"jobName": name, "modelId": model, "status": status, "submitTime": submitted, "lastModifiedTime": modified,
         "totalRecordCount": total, "processedRecordCount": processed, "successRecordCount": processed - errors,
         "errorRecordCount": errors, "jobExpirationTime": submitted + 24 * 3600}
    if ended is not None:
        j["endTime"] = ended
    if message:
        j["message"] = message
    return j


# Failed two days before the agent's first run: recorded, never notified.
OLD_FAILED = job("old-failed", M1, "Failed", T0 - 2 * 86400, T0 - 2 * 86400 + 3600, ended=T0 - 2 * 86400 + 3600,
                 message="the input file was not found")


def nightly(status, processed, ended=None):
    return job("nightly-1", M1, status, T0 - 3600, ended or T0 + 10 * MINUTE, ended=ended, processed=processed)


def broken(status, ended=None):
    return job("broken-2", M2, status, T0 - 1800, ended or T0, ended=ended, processed=10, errors=10,
               message="<script>alert(1)</script> model access denied" if status == "Failed" else "")


class JobsTimeline(unittest.TestCase):
    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.bedrock = BedrockStandIn()
        self.addCleanup(self.bedrock.stop)
        self.hook = AcceptingWebhook()
        self.addCleanup(self.hook.stop)
        self.work = temp_dir(self, "bw-jobs-")
        # m1's backlog: 100 records for half an hour, then zero for an hour and a half.
        put_points(self.moto, "NumberOfRecordsPendingProcessing", M1, T0, [100] * 30 + [0] * 90)
        os.mkdir(os.path.join(self.work, "rules"))
        write(os.path.join(self.work, "rules", "jobs.yaml"), """\
            rules:
              - name: m1-drained
                kind: drained
                metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                         dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
                for: 5m
                wait_for_jobs: true
                notify: [hook]
              - name: job-ended-badly
                kind: job_status
                notify: [hook]
            """)
        self.config = write(os.path.join(self.work, "agent.yaml"), f"""\
            aws:
              region: us-east-1
              endpoint_url: {self.moto.endpoint}
              endpoints: {{bedrock: "{self.bedrock.endpoint}"}}
            poll: {{delay: 0s, catch_up: 3h}}
            jobs: {{every: 1m, lookback: 3d}}
            state: {{path: state.db}}
            server: {{listen: "127.0.0.1:0"}}
            targets:
              hook: {{type: webhook, url: "{self.hook.url}/hook"}}
            rule_files: [rules/*.yaml]
            """)

    def run_at(self, minute):
        result = once(self.config, "--format", "json", now=iso(T0 + minute * MINUTE), moto=self.moto)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        return result

    def bodies(self, since=0):
        return self.hook.bodies()[since:]

    def test_each_notification_once_old_failures_quiet_drain_waits_for_the_job(self):
        # 00:20, the first run: the backlog is up, nightly-1 runs, old-failed ended two days ago.
        self.bedrock.set_jobs([OLD_FAILED, nightly("InProgress", 400), broken("InProgress")])
        self.run_at(20)
        self.assertEqual(self.bodies(), [], "no notification for a job that ended before the agent looked")
        self.assertGreaterEqual(len(self.bedrock.calls("ListModelInvocationJobs")), 1)
        self.assertTrue(all(c.status == 200 for c in self.bedrock.requests), "every signature was accepted")

        # 00:45: the backlog has been zero for 15 minutes, but nightly-1 is still InProgress: no drain yet.
        # broken-2 has just failed: one job_status ALARM.
        self.bedrock.set_jobs([OLD_FAILED, nightly("InProgress", 900), broken("Failed", ended=T0 + 40 * MINUTE)])
        self.run_at(45)
        sent = self.bodies()
        self.assertEqual([(b["batchwatch"]["rule"], b["NewStateValue"]) for b in sent],
                         [("job-ended-badly", "ALARM")], sent)
        alarm = sent[0]
        self.assertEqual(alarm["AlarmName"], "job-ended-badly/jobName=broken-2")
        self.assertEqual(alarm["batchwatch"]["kind"], "job_status")
        self.assertEqual(alarm["batchwatch"]["job"]["jobName"], "broken-2")
        self.assertEqual(alarm["batchwatch"]["job"]["status"], "Failed")
        self.assertEqual(alarm["batchwatch"]["job"]["errorRecordCount"], 10)
        self.assertIn("<script>", alarm["batchwatch"]["job"]["message"])  # JSON keeps it as sent

        # 01:00: nightly-1 completed at 00:55: the drain is declared now, once, listing it.
        self.bedrock.set_jobs([OLD_FAILED, nightly("Completed", 1000, ended=T0 + 55 * MINUTE),
                               broken("Failed", ended=T0 + 40 * MINUTE)])
        self.run_at(60)
        sent = self.bodies(1)
        self.assertEqual([(b["batchwatch"]["rule"], b["NewStateValue"]) for b in sent], [("m1-drained", "DRAINED")],
                         sent)
        drained = sent[0]
        listed = {j["jobName"]: j for j in drained["batchwatch"]["jobs"]}
        self.assertEqual(set(listed), {"nightly-1"}, "only m1's jobs that ended since the backlog was last up")
        self.assertEqual(listed["nightly-1"]["status"], "Completed")
        self.assertEqual(listed["nightly-1"]["outputS3Uri"], "s3://batchwatch-standin/output/nightly-1/")
        self.assertEqual(listed["nightly-1"]["processedRecordCount"], 1000)

        # 01:10 and 01:20: nothing changed, nothing repeated (each run is a new process on the same state file).
        self.run_at(70)
        self.run_at(80)
        all_sent = self.bodies()
        self.assertEqual(len(all_sent), 2, all_sent)
        keys = [b["batchwatch"]["idempotency_key"] for b in all_sent]
        self.assertEqual(len(set(keys)), len(keys))

    def test_the_daemon_lists_jobs_at_most_every_jobs_every(self):
        self.bedrock.set_jobs([nightly("InProgress", 400)])
        with open(self.config) as f:
            text = f.read()
        write(self.config, text.replace("every: 1m", "every: 10m"))
        # One cycle a simulated minute (the drained rule's period) for 30 minutes: lists at the first
        # cycle, then 10 and 20 minutes later; each list is one page here.
        daemon = Daemon(self.moto, self.config, args=("--simulate-from", iso(T0 + 20 * MINUTE), "--cycles", "30"))
        try:
            wait_for(lambda: "cycle limit reached" in daemon.stderr(), timeout=60, what="30 cycles")
        finally:
            self.assertEqual(daemon.stop(), 0, daemon.stderr()[-2000:])
        self.assertEqual(len(self.bedrock.calls("ListModelInvocationJobs")), 3)

    def test_backtest_replays_job_snapshots_through_the_job_rules(self):
        def snapshot(status, observed_minute, ended=None):
            j = broken(status, ended=ended)
            j.update({k: iso(v) for k, v in j.items() if k.endswith("Time")})
            j["jobArn"] = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/broken2"
            return json.dumps({"job": j, "observed": iso(T0 + observed_minute * MINUTE)})

        replay = write(os.path.join(self.work, "replay.jsonl"), "\n".join(
            [snapshot("InProgress", m) for m in range(0, 40, 5)] +
            [snapshot("Failed", m, ended=T0 + 38 * MINUTE) for m in range(40, 60, 5)]) + "\n")
        result = run_batchwatch(["backtest", "--config", self.config, "--input", replay, "--format", "json"], cwd=self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        transitions = [json.loads(line) for line in result.stdout.splitlines()]
        to_alarm = [t for t in transitions if t["rule"] == "job-ended-badly" and t["to"] == "ALARM"]
        self.assertEqual(len(to_alarm), 1, transitions)
        self.assertEqual(to_alarm[0]["labels"]["jobName"], "broken-2")
        self.assertEqual(to_alarm[0]["time"], iso(T0 + 40 * MINUTE))

    def test_access_denied_names_the_action_and_metric_rules_still_run(self):
        self.bedrock.set_jobs([nightly("InProgress", 400)])
        self.bedrock.fail(403, "AccessDeniedException", operation="ListModelInvocationJobs",
                          message="User is not authorized to perform: bedrock:ListModelInvocationJobs")
        result = self.run_at(20)
        self.assertIn("bedrock:ListModelInvocationJobs", result.stderr)
        rules = {line.split('"rule":"')[1].split('"')[0] for line in result.stdout.splitlines() if '"rule"' in line}
        self.assertIn("m1-drained", rules, result.stdout)

    def test_jobs_command_lists_every_page_with_progress_and_eta(self):
        # `jobs` asks Bedrock now: times relative to the real clock, within the 3d lookback.
        now = int(time.time())
        many = [job(f"batch-{i:02d}", M1, "InProgress", now - 3600 + i, now - 600, processed=100 * i)
                for i in range(1, 24)]
        ended = job("ended", M1, "Failed", now - 7200, now - 3600, ended=now - 3600)
        self.bedrock.set_jobs(many + [ended])
        result = run_batchwatch(["jobs", "--config", self.config, "--format", "json"], self.moto, cwd=self.work)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual(len(rows), 24)  # three pages of at most 10
        by_name = {r["jobName"]: r for r in rows}
        self.assertEqual(by_name["batch-05"]["processedRecordCount"], 500)
        self.assertIn("eta", by_name["batch-05"])
        self.assertIsNone(by_name["ended"]["eta"])
        text = run_batchwatch(["jobs", "--config", self.config], self.moto, cwd=self.work)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("batch-05", text.stdout)
        self.assertIn("50%", text.stdout)  # 500 of 1,000 records


if __name__ == "__main__":
    unittest.main()
