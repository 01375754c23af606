"""The C++ Bedrock client, built by the agent's AWS setup from an agent file, against the Bedrock stand-in with
signature checking (botocore's SigV4Auth recomputes every signature): every page, filters, the ARN as a path
segment, aws.endpoints.bedrock, throttling retried, AccessDenied named."""
import datetime
import json
import os
import unittest

from bedrock_standin import BedrockStandIn
from harness import bedrock_probe, temp_dir, tokens_high_rule, write

T0 = datetime.datetime(2026, 11, 21, 22, 0, tzinfo=datetime.timezone.utc)
KEY, SECRET = "AKIDPROBE", "probe-secret"


def job(i, status="InProgress", **extra):
    return {"jobName": f"job-{i:02d}", "status": status, "submitTime": T0 + datetime.timedelta(minutes=i),
            "totalRecordCount": 1000, "processedRecordCount": 10 * i, "successRecordCount": max(10 * i - 1, 0),
            "errorRecordCount": 1, "timeoutDurationInHours": 72, **extra}


class BedrockClientAgainstStandIn(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self, "bw-bedrock-")
        self.standin = BedrockStandIn(jobs=[job(i) for i in range(23)], credentials={KEY: SECRET})
        self.addCleanup(self.standin.stop)
        self.agent = self.write_agent(f"endpoint_url: {self.standin.endpoint}")

    def write_agent(self, endpoints):
        os.makedirs(os.path.join(self.dir, "rules"), exist_ok=True)
        write(os.path.join(self.dir, "rules", "r.yaml"), tokens_high_rule("tokens-high", notify="[]"))
        return write(os.path.join(self.dir, "agent.yaml"),
                     f"aws:\n  region: us-east-1\n  {endpoints}\nstate:\n  path: state.db\nrule_files:\n  - rules/*.yaml\n")

    def probe(self, *args, key=KEY, secret=SECRET):
        return bedrock_probe(self.agent, *args, home=self.dir, cwd=self.dir,
                             extra_env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})

    def listed(self, *args):
        out = self.probe("list", *args)
        self.assertEqual(out.returncode, 0, out.stderr)
        return [json.loads(line) for line in out.stdout.splitlines()]

    def test_every_page_every_field(self):
        jobs = self.listed()
        self.assertEqual([j["jobName"] for j in jobs], [f"job-{i:02d}" for i in reversed(range(23))])
        calls = self.standin.calls("ListModelInvocationJobs")
        self.assertEqual([c.status for c in calls], [200, 200, 200])  # 10 + 10 + 3, every signature accepted
        self.assertEqual([c.query.get("nextToken") is not None for c in calls], [False, True, True])
        expected = self.standin.jobs()[22]
        got = jobs[0]
        self.assertEqual(got["jobArn"], expected["jobArn"])
        self.assertEqual(got["submitTime"], int((T0 + datetime.timedelta(minutes=22)).timestamp()))
        self.assertEqual(got["outputS3Uri"], "s3://batchwatch-standin/output/job-22/")
        self.assertEqual((got["totalRecordCount"], got["processedRecordCount"], got["successRecordCount"],
                          got["errorRecordCount"], got["timeoutDurationInHours"]), (1000, 220, 219, 1, 72))
        self.assertIsNone(got["endTime"])

    def test_filters_reach_bedrock(self):
        self.standin.set_jobs([job(1, "Completed"), job(2, "Failed"), job(3, "Completed"), job(30, "Completed")])
        after = int((T0 + datetime.timedelta(minutes=2)).timestamp())
        self.assertEqual([j["jobName"] for j in self.listed("Completed", str(after))], ["job-30", "job-03"])
        query = self.standin.calls("ListModelInvocationJobs")[-1].query
        self.assertEqual(query["statusEquals"], "Completed")
        self.assertEqual(query["submitTimeAfter"], "2026-11-21T22:02:00Z")

    def test_get_by_arn_signed_over_the_encoded_path(self):
        arn = self.standin.jobs()[5]["jobArn"]
        out = self.probe("get", arn)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["jobName"], "job-05")
        call = self.standin.calls("GetModelInvocationJob")[-1]
        self.assertIn("model-invocation-job%2F", call.path)
        self.assertEqual(call.status, 200)

    def test_endpoints_bedrock_overrides_endpoint_url(self):
        self.agent = self.write_agent(f"endpoint_url: http://127.0.0.1:9\n  endpoints: {{bedrock: {self.standin.endpoint}}}")
        self.assertEqual(len(self.listed()), 23)

    def test_a_wrong_secret_is_refused_by_the_signature_check(self):
        out = self.probe("list", secret="not-the-secret")
        self.assertEqual(out.returncode, 2)
        self.assertIn("InvalidSignatureException (HTTP 403)", out.stderr)

    def test_throttling_is_retried(self):
        self.standin.fail(429, "ThrottlingException", "ListModelInvocationJobs", times=2)
        self.assertEqual(len(self.listed()), 23)
        self.assertEqual([c.status for c in self.standin.calls("ListModelInvocationJobs")], [429, 429, 200, 200, 200])

    def test_access_denied_names_the_missing_action(self):
        self.standin.fail(403, "AccessDeniedException", "ListModelInvocationJobs",
                          message="User is not authorized to perform: bedrock:ListModelInvocationJobs")
        out = self.probe("list")
        self.assertEqual(out.returncode, 2)
        self.assertIn("bedrock ListModelInvocationJobs: AccessDeniedException (HTTP 403): User is not authorized",
                      out.stderr)
        self.assertIn("missing permission: bedrock:ListModelInvocationJobs", out.stderr)
        self.assertEqual(len(self.standin.calls("ListModelInvocationJobs")), 1)  # not retried


if __name__ == "__main__":
    unittest.main()
