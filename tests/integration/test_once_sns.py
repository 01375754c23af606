"""Walking skeleton end to end: config -> signed ListMetrics/GetMetricData -> threshold -> SQLite -> SNS.

moto runs with signature checking on, so every request batchwatch makes must be correctly signed.
"""
import calendar
import json
import os
import unittest

from harness import once, sns_agent_yaml, temp_dir, tokens_high_rule, write
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))  # the newest whole hour trusted at NOW with a 2m delay
HOT, COOL = "anthropic.claude-3-haiku", "amazon.nova-lite-v1:0"


class OnceAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.moto.enable_auth()
        cls.topic_arn, cls.queue_url = topic_with_queue(cls.moto, "bedrock-batch-ops")
        metric = "NumberOfInputTokensProcessedPerMinute"
        put_points(cls.moto, metric, HOT, HOUR_5, [1_250_000] * 60)
        put_points(cls.moto, metric, COOL, HOUR_5, [400_000] * 60)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.dir = temp_dir(self, "bw-once-")
        os.mkdir(os.path.join(self.dir, "rules"))
        self.agent = write(os.path.join(self.dir, "agent.yaml"),
                           sns_agent_yaml(self.moto.endpoint, self.topic_arn, tail="rule_files:\n  - rules/*.yaml\n"))
        write(os.path.join(self.dir, "rules", "throughput.yaml"), tokens_high_rule(extra="severity: critical"))
        drain_queue(self.moto, self.queue_url)

    def once(self, *extra, **kw):
        return once(self.agent, *extra, now=NOW, moto=self.moto, **kw)

    def test_alarm_for_the_hot_model_only_and_once(self):
        first = self.once("--format", "json")
        self.assertEqual(first.returncode, 1, first.stderr)  # 1: some series is in ALARM
        states = {tuple(r["labels"].items()): r for r in map(json.loads, first.stdout.splitlines())}
        self.assertEqual(states[(("modelId", HOT),)]["state"], "ALARM")
        self.assertEqual(states[(("modelId", HOT),)]["value"], 1250000.0)
        self.assertEqual(states[(("modelId", COOL),)]["state"], "OK")
        self.assertEqual(len(states), 2)

        messages = drain_queue(self.moto, self.queue_url)
        self.assertEqual(len(messages), 1, messages)
        envelope = messages[0]
        self.assertEqual(envelope["Subject"], f'ALARM: "input-tokens-high/modelId={HOT}" in us-east-1')
        body = json.loads(envelope["Message"])
        self.assertEqual(body["AlarmName"], f"input-tokens-high/modelId={HOT}")
        self.assertEqual(body["NewStateValue"], "ALARM")
        self.assertEqual(body["OldStateValue"], "INSUFFICIENT_DATA")
        self.assertEqual(body["StateChangeTime"], "2026-11-22T06:05:00.000+0000")
        self.assertEqual(body["Region"], "us-east-1")
        self.assertEqual(body["NewStateReason"],
                         "Threshold Crossed: 1 out of the last 1 datapoints [1250000.0 (22/11/26 05:00:00)] was "
                         "greater than the threshold (1000000.0) (minimum 1 datapoint for OK -> ALARM transition).")
        self.assertEqual(body["Trigger"]["MetricName"], "NumberOfInputTokensProcessedPerMinute")
        self.assertEqual(body["Trigger"]["Namespace"], "AWS/Bedrock/Batch")
        self.assertEqual(body["Trigger"]["Dimensions"], [{"name": "modelId", "value": HOT}])
        self.assertEqual(body["Trigger"]["Statistic"], "AVERAGE")
        self.assertEqual(body["Trigger"]["Period"], 3600)
        self.assertEqual(body["Trigger"]["EvaluationPeriods"], 1)
        self.assertEqual(body["Trigger"]["ComparisonOperator"], "GreaterThanThreshold")
        self.assertEqual(body["Trigger"]["Threshold"], 1000000.0)
        self.assertEqual(body["Trigger"]["TreatMissingData"], "missing")
        self.assertEqual(body["batchwatch"]["rule"], "input-tokens-high")
        self.assertEqual(body["batchwatch"]["labels"], {"modelId": HOT})
        self.assertRegex(body["batchwatch"]["idempotency_key"], r"^[0-9a-f]{32}$")
        self.assertEqual(body["batchwatch"]["severity"], "critical")
        # Message attributes, for subscription filter policies (e.g. only critical to the pager).
        attributes = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
        self.assertEqual(attributes, {"rule": "input-tokens-high", "state": "ALARM", "severity": "critical"})

        # The same cycle again: the state is already recorded, so nothing new is owed or sent.
        second = self.once()
        self.assertEqual(second.returncode, 1, second.stderr)
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])

    def test_dry_run_records_and_sends_nothing(self):
        dry = self.once("--dry-run")
        self.assertEqual(dry.returncode, 1, dry.stderr)
        self.assertIn("ALARM", dry.stdout)
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])
        # Nothing was recorded: a real run afterwards still owes (and sends) the ALARM.
        real = self.once()
        self.assertEqual(real.returncode, 1, real.stderr)
        self.assertEqual(len(drain_queue(self.moto, self.queue_url)), 1)

    def test_wrong_secret_is_rejected_with_service_operation_and_code(self):
        bad = self.once(secret_key="not-the-secret")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("monitoring ListMetrics: SignatureDoesNotMatch (HTTP 403)", bad.stderr)
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])

    def test_unknown_access_key_is_rejected(self):
        bad = self.once(access_key="AKIANOTAREALKEY00000", secret_key="x")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("InvalidClientTokenId", bad.stderr)


if __name__ == "__main__":
    unittest.main()
