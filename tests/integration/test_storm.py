"""Alarm storms: 1,000 notifications owed at once reach SNS in 100 calls (PublishBatch, 10 entries each), and
every one arrives exactly once in an SQS queue subscribed to the topic; on a FIFO topic (each entry with its
group and deduplication id) 200 in 20 calls, which is as much as moto publishes in a test's time.

100 models x 10 (or 2) rules, all in ALARM in the first cycle of `run --simulate-from ... --cycles 1`; the calls
are counted on /metrics (batchwatch_aws_requests_total by operation). A partial failure (one Failed entry of a
PublishBatch) cannot be had from moto: tests/unit/agent/delivery/sns_batch_test.cpp scripts it.
"""
import calendar
import datetime
import json
import os
import re
import unittest

from harness import Daemon, temp_dir, tokens_high_rule, wait_for, write, write_agent_config
from moto_fixture import Moto, topic_with_queue

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
MODELS = [f"model-{i:03d}" for i in range(100)]
RULES = [f"storm-{i}" for i in range(10)]


def fifo_topic_with_queue(moto, name):
    """A FIFO topic with a FIFO queue subscribed (SNS FIFO topics deliver only to FIFO queues)."""
    sns, sqs = moto.client("sns"), moto.client("sqs")
    topic_arn = sns.create_topic(Name=name + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name + "-inbox.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"})
    return topic_arn, queue_url


def drain_in_batches(moto, queue_url):
    """Every message in the queue (SNS envelopes, parsed, with the SQS attributes under "sqs"), deleted ten at a
    time: a FIFO queue hands out no more of a group while some are in flight, and one delete a message would
    take most of the test's time."""
    sqs, out = moto.client("sqs"), []
    while True:
        msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                   AttributeNames=["All"]).get("Messages", [])
        if not msgs:
            return out
        out += [dict(json.loads(m["Body"]), sqs=m.get("Attributes", {})) for m in msgs]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                              for i, m in enumerate(msgs)])


class AlarmStorm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cw = cls.moto.client("cloudwatch")
        at = datetime.datetime.fromtimestamp(HOUR_5, tz=datetime.timezone.utc)
        data = [{"MetricName": "NumberOfInputTokensProcessedPerMinute", "Timestamp": at, "Value": 5e6,
                 "Dimensions": [{"Name": "modelId", "Value": m}]} for m in MODELS]
        cw.put_metric_data(Namespace="AWS/Bedrock/Batch", MetricData=data)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def storm(self, topic_arn, queue_url, rules):
        """One simulated cycle owing 100 notifications a rule to `topic_arn`; returns (/metrics text, SQS envelopes)."""
        d = temp_dir(self, "bw-storm-")
        config = write_agent_config(d, self.moto, topic_arn, tokens_high_rule(rules[0], notify="[ops]"))
        for name in rules[1:]:
            write(os.path.join(d, "rules", name + ".yaml"), tokens_high_rule(name, notify="[ops]"))
        daemon = Daemon(self.moto, config, args=["--simulate-from", NOW, "--cycles", "1"])
        self.addCleanup(daemon.stop)
        wait_for(lambda: "cycle limit reached" in daemon.stderr() or daemon.proc.poll() is not None, timeout=60,
                 what="the storm's cycle")
        self.assertIsNone(daemon.proc.poll(), daemon.stderr()[-3000:])
        # moto takes longer than the grace the simulated clock gives deliveries: they go on after the cycle.
        owed = 100 * len(rules)
        wait_for(lambda: daemon.metric("batchwatch_notifications_total", '{target="ops",outcome="delivered"}') == owed,
                 timeout=90, what=f"{owed} notifications delivered")
        self.assertNotIn("will retry", daemon.stderr())
        _, metrics = daemon.get("/metrics")
        return metrics, drain_in_batches(self.moto, queue_url)

    def sns_calls(self, metrics):
        """{(operation, code): count} of the SNS requests the daemon counted."""
        calls = {}
        for labels, value in re.findall(r'^batchwatch_aws_requests_total\{([^}]*)\} ([0-9.e+]+)$', metrics, re.M):
            fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
            if fields.get("service") == "sns":
                calls[(fields["operation"], fields["code"])] = float(value)
        return calls

    def check_each_once(self, envelopes, rules):
        self.assertEqual(len(envelopes), 100 * len(rules))
        bodies = [json.loads(e["Message"]) for e in envelopes]
        keys = {b["batchwatch"]["idempotency_key"] for b in bodies}
        self.assertEqual(len(keys), len(bodies))  # every notification once, none twice
        pairs = {(b["batchwatch"]["rule"], b["batchwatch"]["labels"]["modelId"]) for b in bodies}
        self.assertEqual(pairs, {(r, m) for r in rules for m in MODELS})
        # Each entry kept its own subject and attributes.
        for e, b in zip(envelopes, bodies):
            self.assertEqual(e["Subject"], f'ALARM: "{b["AlarmName"]}" in us-east-1')
            self.assertEqual(e["MessageAttributes"]["rule"]["Value"], b["batchwatch"]["rule"])
            self.assertEqual(e["MessageAttributes"]["state"]["Value"], "ALARM")

    def test_standard_topic_1000_notifications_in_100_calls(self):
        topic_arn, queue_url = topic_with_queue(self.moto, "storm")
        metrics, envelopes = self.storm(topic_arn, queue_url, RULES)
        self.assertEqual(self.sns_calls(metrics), {("PublishBatch", "200"): 100})
        self.check_each_once(envelopes, RULES)

    def test_fifo_topic_200_notifications_in_20_calls(self):
        topic_arn, queue_url = fifo_topic_with_queue(self.moto, "storm")
        metrics, envelopes = self.storm(topic_arn, queue_url, RULES[:2])
        self.assertEqual(self.sns_calls(metrics), {("PublishBatch", "200"): 20})
        self.check_each_once(envelopes, RULES[:2])
        # FIFO: the rule is the message group, the idempotency key the deduplication id.
        for e in envelopes:
            body = json.loads(e["Message"])
            self.assertEqual(e["sqs"]["MessageGroupId"], body["batchwatch"]["rule"])
            self.assertEqual(e["sqs"]["MessageDeduplicationId"], body["batchwatch"]["idempotency_key"])


if __name__ == "__main__":
    unittest.main()
