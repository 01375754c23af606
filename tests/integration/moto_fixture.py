"""A real moto server on loopback for integration tests.

Starts `python3 -m moto.server` on a free 127.0.0.1 port, waits until it answers, optionally turns
on signature checking with a freshly created IAM user, and stops the server by PID. Works around
moto's quirks here (see MOTO.md), never in batchwatch itself.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config

REGION = "us-east-1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    def __init__(self):
        # Port 0: the server binds a port the kernel picks and prints it. Choosing a free port here
        # and handing it over raced with parallel tests: two servers were told the same port, one
        # failed to bind, and both tests talked to the other (IAM "User batchwatch already exists").
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
        env = dict(os.environ)
        env.pop("AWS_PROFILE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.port = self._wait_for_port(time.monotonic() + 30)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/data.json", timeout=1).read()
                break
            except Exception:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self._fail()
                time.sleep(0.1)
        self.access_key = "test"
        self.secret_key = "test"

    def _wait_for_port(self, deadline):
        """The port from the server's ` * Running on http://127.0.0.1:PORT` line."""
        while True:
            with open(self.log.name) as log:
                match = re.search(r"Running on http://127\.0\.0\.1:(\d+)", log.read())
            if match:
                return int(match.group(1))
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._fail()
            time.sleep(0.05)

    def _fail(self):
        log = open(self.log.name).read()[-2000:]
        self.stop()
        raise RuntimeError("moto server did not start; log: " + log)

    def client(self, service, access_key=None, secret_key=None):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            # moto cannot read gzip-compressed PutMetricData bodies
            config=botocore.config.Config(disable_request_compression=True, retries={"max_attempts": 1}))

    def enable_auth(self):
        """Creates an IAM user allowed everything and turns signature checking on.

        moto counts requests allowed without auth: we spend exactly the IAM calls below.
        """
        free_requests = 4
        req = urllib.request.Request(self.endpoint + "/moto-api/reset-auth", data=str(free_requests).encode(),
                                     headers={"Content-Type": "application/octet-stream"}, method="POST")
        urllib.request.urlopen(req).read()
        iam = self.client("iam")
        iam.create_user(UserName="batchwatch")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        arn = iam.create_policy(PolicyName="allow-all", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="batchwatch", PolicyArn=arn)
        key = iam.create_access_key(UserName="batchwatch")["AccessKey"]
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]

    def sent_notifications(self):
        data = json.loads(urllib.request.urlopen(self.endpoint + "/moto-api/data.json").read())
        return data.get("sns", {}).get("Topic", [])

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


def topic_with_queue(moto, name):
    """An SNS topic with an SQS queue subscribed: what the topic publishes lands in the queue."""
    sns, sqs = moto.client("sns"), moto.client("sqs")
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name + "-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def drain_queue(moto, queue_url):
    """Every message in the queue, as the SNS envelopes (parsed JSON), removing them."""
    sqs = moto.client("sqs")
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        msgs = got.get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def put_points(moto, metric, model_id, start, values, step=60, namespace="AWS/Bedrock/Batch"):
    """One datapoint per `step` seconds from epoch second `start`."""
    import datetime
    cw = moto.client("cloudwatch")
    data = [{"MetricName": metric, "Dimensions": [{"Name": "modelId", "Value": model_id}],
             "Timestamp": datetime.datetime.fromtimestamp(start + i * step, tz=datetime.timezone.utc),
             "Value": float(v), "Unit": "Count"} for i, v in enumerate(values)]
    for i in range(0, len(data), 500):
        cw.put_metric_data(Namespace=namespace, MetricData=data[i:i + 500])


def event_rule_to_queue(moto, name, source="batchwatch", bus="default"):
    """An EventBridge rule on `bus` matching events from `source`, delivering them to a new SQS queue.

    Returns the queue URL; drain_queue() then yields the EventBridge events (detail parsed).
    """
    events, sqs = moto.client("events"), moto.client("sqs")
    queue_url = sqs.create_queue(QueueName=name + "-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return queue_url


def pass_state_machine(moto, name):
    """A Step Functions state machine that does nothing (one Pass state); returns its ARN."""
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    return moto.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/batchwatch-test")["stateMachineArn"]


def executions(moto, state_machine_arn):
    """Every execution of the state machine, as {name: input parsed from JSON}."""
    sfn = moto.client("stepfunctions")
    out = {}
    for e in sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]:
        out[e["name"]] = json.loads(sfn.describe_execution(executionArn=e["executionArn"]).get("input") or "null")
    return out
