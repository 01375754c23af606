"""Targets end to end: eventbridge and stepfunctions on a real moto, exec hooks and a local webhook.

`check` covers the configuration of every target type and of silences. The delivery tests run
`batchwatch once` against moto with signature checking on.
"""
import calendar
import hashlib
import hmac
import http.server
import json
import os
import threading
import unittest

from harness import once, run_batchwatch, temp_dir, tokens_high_rule, write
from moto_fixture import Moto, drain_queue, event_rule_to_queue, executions, pass_state_machine, put_points

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
HOT = "anthropic.claude-3-haiku"
SECRET = "integration-webhook-secret"


class TargetsConfig(unittest.TestCase):
    """`check` accepts every target type and silences, and points at each mistake."""

    def setUp(self):
        self.dir = temp_dir(self, "bw-targets-check-")

    def test_every_target_type_and_silences_are_valid(self):
        write(os.path.join(self.dir, "rules.yaml"), tokens_high_rule(notify="[ops, hook, web, bus, etl]"))
        agent = write(os.path.join(self.dir, "agent.yaml"), """\
            aws: {region: us-east-1}
            targets:
              ops: {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:ops", max_age: 6h}
              hook: {type: exec, command: [/bin/echo, "{{labels.modelId}}"], timeout: 30s}
              web: {type: webhook, url: "https://hooks.example.com/x", secret: "${BW_TEST_SECRET}", timeout: 5s}
              bus: {type: eventbridge, event_bus: default, source: batchwatch.test}
              etl: {type: stepfunctions, state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:etl"}
            silences:
              - rule: input-tokens-high
                labels: {modelId: "*"}
                starts: 2026-11-22T00:00:00Z
                ends: 2026-11-23T00:00:00Z
                comment: backfill
            rule_files: [rules.yaml]
            """)
        out = run_batchwatch(["check", "--config", agent], extra_env={"BW_TEST_SECRET": SECRET})
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn(SECRET, out.stdout + out.stderr)

    def test_mistakes_are_reported_with_line_and_column(self):
        write(os.path.join(self.dir, "rules.yaml"), tokens_high_rule(notify="[bus]"))
        agent = write(os.path.join(self.dir, "agent.yaml"), """\
            aws: {region: us-east-1}
            targets:
              bus: {type: eventbrige}
              etl: {type: stepfunctions, state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:etl"}
            silences:
              - rule: input-tokens-hihg
                ends: 2026-11-22T00:00:00Z
              - starts: 2026-11-22T06:00:00Z
                ends: 2026-11-22T05:00:00Z
            rule_files: [rules.yaml]
            """)
        out = run_batchwatch(["check", "--config", agent])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        lines = [l for l in out.stderr.splitlines() if l.startswith(agent)]
        self.assertIn(f'{agent}:3:15: unknown target type "eventbrige" (did you mean "eventbridge"?)', lines)
        self.assertTrue(any(l.startswith(f"{agent}:4:49: invalid state_machine_arn") for l in lines), lines)
        self.assertIn(f'{agent}:6:11: silence #1 names unknown rule "input-tokens-hihg" '
                      f'(did you mean "input-tokens-high"?)', lines)
        self.assertIn(f"{agent}:9:11: silence #2 ends (2026-11-22T05:00:00Z) before it starts "
                      f"(2026-11-22T06:00:00Z)", lines)


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class TargetsAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.moto.enable_auth()  # every eventbridge / stepfunctions request must be signed right
        cls.queue_url = event_rule_to_queue(cls.moto, "bw-alarms")
        cls.machine = pass_state_machine(cls.moto, "start-etl")
        put_points(cls.moto, "NumberOfInputTokensProcessedPerMinute", HOT, HOUR_5, [1_250_000] * 60)
        cls.web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=cls.web.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.web.shutdown()
        cls.moto.stop()

    def setUp(self):
        self.dir = temp_dir(self, "bw-targets-")
        Receiver.received.clear()
        drain_queue(self.moto, self.queue_url)
        self.hook = write(os.path.join(self.dir, "hook.sh"), """\
            #!/bin/sh
            d=$(dirname "$0")
            printf '%s\\n' "$@" > "$d/argv.$BATCHWATCH_IDEMPOTENCY_KEY"
            cat > "$d/stdin.$BATCHWATCH_IDEMPOTENCY_KEY"
            echo "$BATCHWATCH_RULE $BATCHWATCH_STATE $BATCHWATCH_LABEL_MODELID" > "$d/env.$BATCHWATCH_IDEMPOTENCY_KEY"
            """, mode=0o755)
        write(os.path.join(self.dir, "rules.yaml"), tokens_high_rule(notify="[bus, etl, hook, web]"))
        self.agent = write(os.path.join(self.dir, "agent.yaml"), f"""\
            aws: {{region: us-east-1, endpoint_url: "{self.moto.endpoint}"}}
            state: {{path: state.db}}
            server: {{listen: ""}}
            targets:
              bus: {{type: eventbridge}}
              etl: {{type: stepfunctions, state_machine_arn: "{self.machine}"}}
              hook: {{type: exec, command: ["{self.hook}", "--model", "{{{{labels.modelId}}}}"], timeout: 20s}}
              web: {{type: webhook, url: "http://127.0.0.1:{self.web.server_address[1]}/bw", secret: "{SECRET}"}}
            rule_files: [rules.yaml]
            """)

    def once(self):
        return once(self.agent, now=NOW, moto=self.moto)

    def test_one_alarm_reaches_every_target_once(self):
        first = self.once()
        self.assertEqual(first.returncode, 1, first.stderr)
        self.assertNotIn(SECRET, first.stdout + first.stderr)

        events = drain_queue(self.moto, self.queue_url)
        self.assertEqual(len(events), 1, events)
        event = events[0]
        self.assertEqual(event["source"], "batchwatch")
        self.assertEqual(event["detail-type"], "Batchwatch Alarm State Change")
        payload = event["detail"]
        self.assertEqual(payload["AlarmName"], f"input-tokens-high/modelId={HOT}")
        self.assertEqual(payload["NewStateValue"], "ALARM")
        key = payload["batchwatch"]["idempotency_key"]

        # The execution is named after the notification, so a redelivery cannot start a second one.
        self.assertEqual(executions(self.moto, self.machine), {"bw-" + key: payload})

        self.assertEqual(len(Receiver.received), 1)
        headers, body = Receiver.received[0]
        self.assertEqual(json.loads(body), payload)
        self.assertEqual(headers["X-Batchwatch-Idempotency-Key"], key)
        self.assertEqual(headers["X-Batchwatch-Signature"],
                         "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())

        def hook_file(kind):
            with open(os.path.join(self.dir, f"{kind}.{key}")) as f:
                return f.read()
        self.assertEqual(hook_file("argv").splitlines(), ["--model", HOT])
        self.assertEqual(json.loads(hook_file("stdin")), payload)
        self.assertEqual(hook_file("env").strip(), f"input-tokens-high ALARM {HOT}")

        # Nothing new is owed: no target hears about it again.
        second = self.once()
        self.assertEqual(second.returncode, 1, second.stderr)
        self.assertEqual(drain_queue(self.moto, self.queue_url), [])
        self.assertEqual(len(executions(self.moto, self.machine)), 1)
        self.assertEqual(len(Receiver.received), 1)
        self.assertEqual(len([f for f in os.listdir(self.dir) if f.startswith("argv.")]), 1)


if __name__ == "__main__":
    unittest.main()
