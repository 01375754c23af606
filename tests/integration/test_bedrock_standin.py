"""The Bedrock stand-in itself, through boto3's `bedrock` client: botocore's parser accepts its answers, it
pages at 10, filters, rejects a bad signature, and answers the faults it is told to."""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

from bedrock_standin import BedrockStandIn

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = datetime.datetime(2026, 11, 21, 22, 0, tzinfo=datetime.timezone.utc)


def job(i, status="InProgress", **extra):
    return {"jobName": f"job-{i:02d}", "status": status, "submitTime": T0 + datetime.timedelta(minutes=i),
            "totalRecordCount": 100, "processedRecordCount": i, **extra}


def client(standin, key="test", secret="test"):
    return boto3.client("bedrock", region_name="us-east-1", endpoint_url=standin.endpoint,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}))


class StandIn(unittest.TestCase):
    def setUp(self):
        self.standin = BedrockStandIn(jobs=[job(i) for i in range(23)])
        self.addCleanup(self.standin.stop)
        self.bedrock = client(self.standin)

    def test_pages_of_ten_followed_by_botocores_paginator(self):
        pages = list(self.bedrock.get_paginator("list_model_invocation_jobs").paginate())
        self.assertEqual([len(p["invocationJobSummaries"]) for p in pages], [10, 10, 3])
        names = [j["jobName"] for p in pages for j in p["invocationJobSummaries"]]
        self.assertEqual(names, [f"job-{i:02d}" for i in reversed(range(23))])  # newest first
        first = pages[0]["invocationJobSummaries"][0]
        self.assertEqual(first["submitTime"], T0 + datetime.timedelta(minutes=22))  # parsed as a datetime
        self.assertEqual(first["processedRecordCount"], 22)
        self.assertTrue(first["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"].startswith("s3://"))
        tokens = [c.query.get("nextToken") for c in self.standin.calls("ListModelInvocationJobs")]
        self.assertEqual(tokens[0], None)
        self.assertTrue(all(tokens[1:]) and len(set(tokens[1:])) == 2, tokens)

    def test_max_results_below_ten_and_filters(self):
        page = self.bedrock.list_model_invocation_jobs(maxResults=4)
        self.assertEqual(len(page["invocationJobSummaries"]), 4)
        after = self.bedrock.list_model_invocation_jobs(submitTimeAfter=T0 + datetime.timedelta(minutes=20))
        self.assertEqual([j["jobName"] for j in after["invocationJobSummaries"]], ["job-22", "job-21"])  # strictly after
        self.standin.set_jobs([job(1, "Completed"), job(2, "Failed"), job(3, "Completed")])
        done = self.bedrock.list_model_invocation_jobs(statusEquals="Completed")
        self.assertEqual([j["jobName"] for j in done["invocationJobSummaries"]], ["job-03", "job-01"])
        self.assertNotIn("nextToken", done)

    def test_get_by_arn_and_by_id(self):
        arn = self.bedrock.list_model_invocation_jobs(maxResults=1)["invocationJobSummaries"][0]["jobArn"]
        got = self.bedrock.get_model_invocation_job(jobIdentifier=arn)
        self.assertEqual(got["jobArn"], arn)
        self.assertEqual(got["jobName"], "job-22")
        self.assertIn("%2F", self.standin.calls("GetModelInvocationJob")[-1].path)  # the ARN, one path segment
        self.assertEqual(self.bedrock.get_model_invocation_job(jobIdentifier=arn.rsplit("/", 1)[1])["jobArn"], arn)
        with self.assertRaises(self.bedrock.exceptions.ResourceNotFoundException):
            self.bedrock.get_model_invocation_job(jobIdentifier="zzzzzzzzzzzz")

    def test_a_bad_signature_is_rejected(self):
        wrong_secret = client(self.standin, secret="not-the-secret")
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            wrong_secret.list_model_invocation_jobs()
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        unknown_key = client(self.standin, key="AKIDUNKNOWN")
        with self.assertRaises(botocore.exceptions.ClientError):
            unknown_key.list_model_invocation_jobs()
        req = urllib.request.Request(self.standin.endpoint + "/model-invocation-jobs")  # unsigned
        with self.assertRaises(urllib.error.HTTPError) as unsigned:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(unsigned.exception.code, 403)
        self.assertEqual(len(client(self.standin).list_model_invocation_jobs()["invocationJobSummaries"]), 10)

    def test_throttling_then_success_and_access_denied(self):
        self.standin.fail(429, "ThrottlingException", "ListModelInvocationJobs", times=2)
        page = self.bedrock.list_model_invocation_jobs()
        self.assertEqual(page["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertEqual([c.status for c in self.standin.requests], [429, 429, 200])
        self.standin.fail(403, "AccessDeniedException", "GetModelInvocationJob")
        self.bedrock.list_model_invocation_jobs()  # the other operation is unaffected
        for _ in range(2):  # every call, until cleared
            with self.assertRaises(self.bedrock.exceptions.AccessDeniedException):
                self.bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")
        self.standin.clear_faults()
        with self.assertRaises(self.bedrock.exceptions.ResourceNotFoundException):
            self.bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")

    def test_invalid_queries_and_jobs_refused(self):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.bedrock.list_model_invocation_jobs(nextToken="not-a-token!")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(ValueError):
            self.standin.set_jobs([{"jobName": "x", "totalRecordCount": "many"}])
        with self.assertRaises(ValueError):
            self.standin.set_jobs([{"jobName": "x", "errorRecordCount": -1}])

    def test_admin_paths(self):
        def post(path, body):
            req = urllib.request.Request(self.standin.endpoint + path, data=json.dumps(body).encode(), method="POST")
            return json.loads(urllib.request.urlopen(req, timeout=5).read())

        self.assertEqual(post("/_standin/jobs", [{"jobName": "only", "status": "Scheduled",
                                                   "submitTime": "2026-11-22T01:00:00Z"}]), {"jobs": 1})
        self.assertEqual([j["jobName"] for j in self.bedrock.list_model_invocation_jobs()["invocationJobSummaries"]],
                         ["only"])
        post("/_standin/faults", {"status": 429, "code": "ThrottlingException", "times": 1})
        self.bedrock.list_model_invocation_jobs()
        log = json.loads(urllib.request.urlopen(self.standin.endpoint + "/_standin/requests", timeout=5).read())
        self.assertEqual([r["status"] for r in log[-2:]], [429, 200])


class AsScript(unittest.TestCase):
    def test_serves_a_jobs_file_until_terminated(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"jobName": f"file-{i}", "submitTime": f"2026-11-22T0{i}:00:00Z"} for i in range(3)], f)
        self.addCleanup(os.unlink, f.name)
        path = f.name
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "bedrock_standin.py"), "--port", "0", "--jobs", path],
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.wait, 10)
        self.addCleanup(proc.terminate)
        line = proc.stdout.readline()
        endpoint = line.split(" on ")[1].split()[0]
        with open(path) as f:
            expected = len(json.load(f))
        bedrock = boto3.client("bedrock", region_name="us-east-1", endpoint_url=endpoint,
                               aws_access_key_id="test", aws_secret_access_key="test")
        pages = bedrock.get_paginator("list_model_invocation_jobs").paginate()
        self.assertEqual(sum(len(p["invocationJobSummaries"]) for p in pages), expected)


if __name__ == "__main__":
    unittest.main()
