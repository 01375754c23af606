#!/usr/bin/env python3
"""Writes v0-alarm-owed.db: a state file as batchwatch 0.1.0 (schema without a version) leaves it.

One `once` against moto at 2026-11-22T06:05:00Z records `input-tokens-high/modelId=hot-model` in
ALARM and owes one notification to the webhook target `hook`, whose URL (127.0.0.1:9, nothing
listening) refuses it, so the row stays pending. The upgrade test opens this file with the current
binary and checks that the state is kept, the owed row is delivered exactly once, and nothing is
announced again.

Run from the repository root with the 0.1.0 binary (commit 14c7b7b's schema):
  BATCHWATCH_BIN=build/agent/batchwatch python3 tests/data/state/make_v0.py
Kept as written: regenerating it with a newer binary would defeat its purpose.
"""
import calendar
import os
import shutil
import sqlite3
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from harness import run_batchwatch  # noqa: E402
from moto_fixture import Moto, put_points  # noqa: E402

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))


def main():
    moto = Moto()
    work = tempfile.mkdtemp(prefix="bw-state-v0-")
    try:
        put_points(moto, "NumberOfInputTokensProcessedPerMinute", "hot-model", HOUR_5, [1_250_000] * 60)
        os.mkdir(os.path.join(work, "rules"))
        with open(os.path.join(work, "agent.yaml"), "w") as f:
            f.write(textwrap.dedent(f"""\
                aws: {{region: us-east-1, endpoint_url: {moto.endpoint}}}
                poll: {{delay: 2m}}
                state: {{path: state.db}}
                targets:
                  hook: {{type: webhook, url: "http://127.0.0.1:9/hook"}}
                rule_files: [rules/*.yaml]
                """))
        with open(os.path.join(work, "rules", "r.yaml"), "w") as f:
            f.write(textwrap.dedent("""\
                rules:
                  - name: input-tokens-high
                    kind: threshold
                    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute,
                             dimensions: {modelId: "*"}, stat: Average, period: 1h}
                    comparison: ">"
                    threshold: 1000000
                    evaluation_periods: 1
                    notify: [hook]
                """))
        out = run_batchwatch(["once", "--config", os.path.join(work, "agent.yaml"), "--now", NOW], moto)
        print(out.stdout, out.stderr, sep="\n")
        db = sqlite3.connect(os.path.join(work, "state.db"))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        states = db.execute("SELECT rule, series, state FROM alarm_state").fetchall()
        owed = db.execute("SELECT target, status FROM outbox").fetchall()
        db.close()
        assert states == [("input-tokens-high", "modelId=hot-model", "ALARM")], states
        assert owed == [("hook", "pending")], owed
        shutil.copy(os.path.join(work, "state.db"), os.path.join(HERE, "v0-alarm-owed.db"))
        print("wrote", os.path.join(HERE, "v0-alarm-owed.db"), states, owed)
    finally:
        moto.stop()
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
