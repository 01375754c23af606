#!/usr/bin/env python3
"""The built-in demo: no AWS account needed.

Starts a local moto server (a stand-in for CloudWatch and SNS), seeds three hours of a simulated
Bedrock batch night for three models, subscribes a queue to an SNS topic, runs batchwatch against
it with the sample rules (samples/rules/), and shows the alarm states and the notifications that
arrived. It reuses the integration tests' moto fixture so the demo and the tests start moto the
same way.
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from bedrock_standin import BedrockStandIn  # noqa: E402
from harness import run_batchwatch  # noqa: E402
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue  # noqa: E402

MINUTES = 180


def simulate(now_minute):
    """Per model and metric, one value per minute for the last three hours (None: nothing published)."""
    rnd = random.Random(7)
    start = now_minute - MINUTES * 60
    series = {}

    def put(model, metric, values):
        series[(model, metric)] = (start, values)

    # Claude 3 Haiku: a big job running hot, above 1M input tokens/min, backlog shrinking.
    put("anthropic.claude-3-haiku", "NumberOfInputTokensProcessedPerMinute",
        [1_300_000 + rnd.randint(-40_000, 40_000) for _ in range(MINUTES)])
    put("anthropic.claude-3-haiku", "NumberOfRecordsPendingProcessing",
        [max(0, 60_000 - 220 * i) for i in range(MINUTES)])
    # Nova Lite: throughput collapses for the last 30 minutes while its backlog grows.
    put("amazon.nova-lite-v1:0", "NumberOfInputTokensProcessedPerMinute",
        [450_000 + rnd.randint(-20_000, 20_000) if i < MINUTES - 30 else 35_000 + rnd.randint(-5_000, 5_000)
         for i in range(MINUTES)])
    put("amazon.nova-lite-v1:0", "NumberOfRecordsPendingProcessing",
        [30_000 + (0 if i < MINUTES - 30 else 600 * (i - (MINUTES - 30))) for i in range(MINUTES)])
    # Llama 3 70B: a job that drained an hour ago (zeros for ten minutes, then Bedrock publishes
    # nothing): the drain rule fires DRAINED once.
    put("meta.llama3-70b-instruct-v1:0", "NumberOfInputTokensProcessedPerMinute",
        [300_000 + rnd.randint(-10_000, 10_000) for _ in range(MINUTES - 60)])
    put("meta.llama3-70b-instruct-v1:0", "NumberOfRecordsPendingProcessing",
        [max(0, 24_000 - 200 * i) for i in range(MINUTES - 50)])
    # Token backlogs (1,000 tokens a record) feed the deadline rule.
    for model in ("anthropic.claude-3-haiku", "amazon.nova-lite-v1:0", "meta.llama3-70b-instruct-v1:0"):
        begin, records = series[(model, "NumberOfRecordsPendingProcessing")]
        put(model, "NumberOfTokensPendingProcessing", [r * 1000 for r in records])
    return series


def bedrock_jobs(now):
    """The batch jobs behind the night, as Bedrock's ListModelInvocationJobs would list them."""
    def job(name, model, status, submitted_ago, modified_ago, ended_ago=None, total=None, processed=None,
            errors=0, message=None, expires_in=24 * 60):
        j = {"jobName": name, "modelId": model, "status": status, "submitTime": now - submitted_ago * 60,
             "lastModifiedTime": now - modified_ago * 60, "jobExpirationTime": now + expires_in * 60}
        if ended_ago is not None:
            j["endTime"] = now - ended_ago * 60
        if total is not None:
            j.update(totalRecordCount=total, processedRecordCount=processed, errorRecordCount=errors,
                     successRecordCount=processed - errors)
        if message:
            j["message"] = message
        return j

    return [
        # Llama's job finished as its backlog drained: the drain notification lists it with its output.
        job("llama-nightly-1126", "meta.llama3-70b-instruct-v1:0", "Completed", 200, 60, ended_ago=60,
            total=24_000, processed=24_000, errors=12),
        # Haiku's big job: 4.5 hours to go at its pace, but it expires in 2 hours: job-expiry.
        job("nightly-haiku-backfill", "anthropic.claude-3-haiku", "InProgress", 190, 180, total=100_000,
            processed=40_000, errors=150, expires_in=120),
        # Nova's evaluation failed twenty minutes ago: job-ended-badly.
        job("nova-eval-7", "amazon.nova-lite-v1:0", "Failed", 150, 20, ended_ago=20, total=8_000, processed=0,
            message="Access denied to s3://eval-input/nova-7.jsonl"),
        # Queued since three hours ago: job-stuck.
        job("nova-eval-8", "amazon.nova-lite-v1:0", "Scheduled", 185, 180),
        # Failed two days ago, long before batchwatch first looked: recorded, not notified.
        job("haiku-smoke-old", "anthropic.claude-3-haiku", "Failed", 2 * 24 * 60, 2 * 24 * 60 - 30,
            ended_ago=2 * 24 * 60 - 30, message="Validation failed"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "agent", "batchwatch"),
                        help="the batchwatch executable (default: build/agent/batchwatch)")
    args = parser.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"demo: {args.bin} not found; build first: cmake -S . -B build -G Ninja && cmake --build build")
    os.environ["BATCHWATCH_BIN"] = args.bin

    print("demo: starting a local moto server (CloudWatch + SNS + SQS stand-in) "
          "and a Bedrock stand-in (batch jobs) ...")
    moto = Moto()
    bedrock = BedrockStandIn()
    workdir = tempfile.mkdtemp(prefix="batchwatch-demo-")
    try:
        topic_arn, queue_url = topic_with_queue(moto, "bedrock-batch-ops")
        now_minute = int(time.time()) // 60 * 60
        series = simulate(now_minute)
        for (model, metric), (start, values) in series.items():
            put_points(moto, metric, model, start, values)
        points = sum(len(v) for _, v in series.values())
        print(f"demo: seeded {points} datapoints: 3 models x 3 AWS/Bedrock/Batch metrics, last 3 hours")
        bedrock.set_jobs(bedrock_jobs(now_minute))
        print(f"demo: {len(bedrock.jobs())} batch jobs listed by the Bedrock stand-in")

        agent_file = os.path.join(workdir, "agent.yaml")
        with open(agent_file, "w") as f:
            f.write(f"""# written by the demo: moto on loopback instead of AWS
aws:
  region: us-east-1
  endpoint_url: {moto.endpoint}
  endpoints: {{bedrock: "{bedrock.endpoint}"}}
poll:
  delay: 2m
state:
  path: {workdir}/batchwatch.db
targets:
  ops-email:
    type: sns
    topic_arn: {topic_arn}
rule_files:
  - {ROOT}/samples/rules/*.yaml
""")
        print(f"\n$ batchwatch check --config {agent_file}")
        check = run_batchwatch(["check", "--config", agent_file], moto)
        print(check.stdout + check.stderr, end="")
        if check.returncode != 0:
            sys.exit(check.returncode)

        print(f"\n$ batchwatch once --config {agent_file}")
        once = run_batchwatch(["once", "--config", agent_file], moto)
        print(once.stdout, end="")
        if once.returncode == 2:
            print(once.stderr, end="")
            sys.exit("demo: batchwatch failed")
        print(f"(exit status {once.returncode}: 1 means at least one series is in ALARM)")

        messages = drain_queue(moto, queue_url)
        print(f"\ndemo: {len(messages)} notification(s) arrived on SNS topic bedrock-batch-ops:")
        for m in messages:
            body = json.loads(m["Message"])
            print(f"  Subject: {m['Subject']}\n    {body['NewStateReason']}")
            for j in body["batchwatch"].get("jobs", []):
                print(f"    finished job {j['jobName']} ({j['status']}): output in {j.get('outputS3Uri', '?')}")

        print(f"\n$ batchwatch jobs --config {agent_file}")
        jobs = run_batchwatch(["jobs", "--config", agent_file], moto)
        print(jobs.stdout + jobs.stderr, end="")

        print(f"\n$ batchwatch once --config {agent_file}   # again: states unchanged, nothing re-sent")
        again = run_batchwatch(["once", "--config", agent_file], moto)
        print(f"(exit status {again.returncode}; {len(drain_queue(moto, queue_url))} new notification(s))")
    finally:
        bedrock.stop()
        moto.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
