#!/usr/bin/env python3
"""Writes bedrock-night.jsonl: a recorded-style Bedrock batch night, one datapoint a minute.

amazon.nova-lite-v1:0: a 100M-token job (100,000 records) submitted at 22:10Z runs at ~400k input
tokens/min, dips to ~60k/min from 01:00Z to 01:40Z while work is pending, recovers, and drains to
zero; Bedrock then publishes zeros for a quarter of an hour and nothing after.
amazon.nova-micro-v1:0: no job all night (zeros for an hour): it must never count as drained.
Deterministic: rerun to regenerate the same file.
"""
import datetime
import json
import os

NS = "AWS/Bedrock/Batch"
START = datetime.datetime(2026, 11, 21, 22, 0, tzinfo=datetime.timezone.utc)


def stamp(minute):
    return (START + datetime.timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def point(model, metric, minute, value, unit="Count"):
    return json.dumps({"namespace": NS, "metric": metric, "dimensions": {"modelId": model},
                       "timestamp": stamp(minute), "value": value, "unit": unit}, separators=(",", ":"))


def main():
    lines = []
    model = "amazon.nova-lite-v1:0"
    pending_tokens = 0
    drained_at = None
    for minute in range(0, 8 * 60):
        if minute == 10:
            pending_tokens = 100_000_000
        if minute < 10:
            continue  # nothing published before the job is submitted
        if drained_at is not None and minute >= drained_at + 15:
            break  # after a quarter of an hour of zeros Bedrock publishes nothing
        dip = 180 <= minute < 220  # 01:00Z to 01:40Z
        rate = 0 if pending_tokens == 0 else min(pending_tokens, 60_000 if dip else 400_000)
        lines.append(point(model, "NumberOfTokensPendingProcessing", minute, pending_tokens))
        lines.append(point(model, "NumberOfRecordsPendingProcessing", minute, pending_tokens // 1000))
        if rate:
            lines.append(point(model, "NumberOfInputTokensProcessedPerMinute", minute, rate))
            lines.append(point(model, "NumberOfOutputTokensProcessedPerMinute", minute, rate // 4))
        pending_tokens -= rate
        if pending_tokens == 0 and drained_at is None and rate == 0:
            drained_at = minute
    for minute in range(0, 60):
        lines.append(point("amazon.nova-micro-v1:0", "NumberOfRecordsPendingProcessing", minute, 0))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bedrock-night.jsonl")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} datapoints to {out}")


if __name__ == "__main__":
    main()
