"""aws.accounts end to end against moto with signature checking on.

Each account is read with credentials from STS AssumeRole on top of the base chain (the IAM user's keys).
moto keeps CloudWatch data per account and region: credentials from AssumeRole of
arn:aws:iam::111111111111:role/... are attributed to account 111111111111, and the role must exist there
(created before signature checking is turned on, through moto's x-moto-account-id header).
"""
import calendar
import datetime
import json
import os
import unittest

import boto3
import botocore.config

from harness import once, sns_agent_yaml, temp_dir, tokens_high_rule, write
from moto_fixture import Moto, drain_queue, topic_with_queue

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
MODEL = "anthropic.claude-3-haiku"
METRIC = "NumberOfInputTokensProcessedPerMinute"
MAIN_ROLE = "arn:aws:iam::123456789012:role/batchwatch-reader"
PARTNER_ROLE = "arn:aws:iam::111111111111:role/batchwatch-reader"


def in_account(client, account_id):
    client.meta.events.register(
        "before-sign.*.*", lambda request, **kw: request.headers.__setitem__("x-moto-account-id", account_id))
    return client


def assumed_cloudwatch(moto, role_arn, region):
    c = moto.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
    return boto3.client("cloudwatch", endpoint_url=moto.endpoint, region_name=region,
                        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"],
                        config=botocore.config.Config(disable_request_compression=True, retries={"max_attempts": 1}))


def seed(cw, value):
    data = [{"MetricName": METRIC, "Dimensions": [{"Name": "modelId", "Value": MODEL}],
             "Timestamp": datetime.datetime.fromtimestamp(HOUR_5 + i * 60, tz=datetime.timezone.utc),
             "Value": float(value), "Unit": "Count"} for i in range(60)]
    cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=data)


class AccountsAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        trust = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        for arn in (MAIN_ROLE, PARTNER_ROLE):
            iam = in_account(cls.moto.client("iam"), arn.split(":")[4])
            iam.create_role(RoleName="batchwatch-reader", AssumeRolePolicyDocument=json.dumps(trust))
            iam.put_role_policy(RoleName="batchwatch-reader", PolicyName="all", PolicyDocument=json.dumps(allow))
        cls.moto.enable_auth()
        cls.topic_arn, cls.queue_url = topic_with_queue(cls.moto, "bedrock-batch-ops")
        seed(cls.moto.client("cloudwatch"), 400_000)                                   # base account, IAM user keys
        seed(assumed_cloudwatch(cls.moto, PARTNER_ROLE, "us-east-1"), 1_250_000)        # over the threshold
        seed(assumed_cloudwatch(cls.moto, PARTNER_ROLE, "eu-west-1"), 300_000)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.dir = temp_dir(self, "bw-accounts-")
        accounts = f"""\
            accounts:
              - name: main
                role_arn: {MAIN_ROLE}
              - name: partner
                role_arn: {PARTNER_ROLE}
                external_id: batchwatch-ext
                regions: [us-east-1, eu-west-1]
            """
        self.agent = write(os.path.join(self.dir, "agent.yaml"),
                           sns_agent_yaml(self.moto.endpoint, self.topic_arn, accounts, tail=tokens_high_rule()))
        drain_queue(self.moto, self.queue_url)

    def once(self, *extra, **kw):
        return once(self.agent, *extra, now=NOW, moto=self.moto, **kw)

    def test_each_account_and_region_is_its_own_series(self):
        run = self.once("--format", "json")
        self.assertEqual(run.returncode, 1, run.stderr)
        results = [json.loads(line) for line in run.stdout.splitlines()]
        by_labels = {(r["labels"]["account"], r["labels"]["region"], r["labels"]["modelId"]): r for r in results}
        self.assertEqual(len(results), 3, run.stdout)
        for r in results:
            self.assertEqual(sorted(r["labels"]), ["account", "modelId", "region"])
        self.assertEqual(by_labels[("main", "us-east-1", MODEL)]["state"], "OK")
        self.assertEqual(by_labels[("main", "us-east-1", MODEL)]["value"], 400000.0)
        self.assertEqual(by_labels[("partner", "us-east-1", MODEL)]["state"], "ALARM")
        self.assertEqual(by_labels[("partner", "us-east-1", MODEL)]["value"], 1250000.0)
        self.assertEqual(by_labels[("partner", "eu-west-1", MODEL)]["state"], "OK")
        self.assertEqual(by_labels[("partner", "eu-west-1", MODEL)]["value"], 300000.0)

        messages = drain_queue(self.moto, self.queue_url)
        self.assertEqual(len(messages), 1, messages)
        body = json.loads(messages[0]["Message"])
        self.assertEqual(body["NewStateValue"], "ALARM")
        self.assertEqual(body["Trigger"]["Dimensions"], [{"name": "account", "value": "partner"},
                                                         {"name": "modelId", "value": MODEL},
                                                         {"name": "region", "value": "us-east-1"}])
        self.assertEqual(body["batchwatch"]["labels"], {"account": "partner", "modelId": MODEL, "region": "us-east-1"})

    def test_base_credentials_that_cannot_sign_fail_the_assume_role(self):
        bad = self.once(secret_key="not-the-secret")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("SignatureDoesNotMatch", bad.stderr)
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])


if __name__ == "__main__":
    unittest.main()
