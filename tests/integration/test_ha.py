"""High availability (`ha:`) end to end: replicas are real `batchwatch once` processes, each with its own state
file, sharing one DynamoDB table of claims in moto (signature checking on). They evaluate the same CloudWatch
timeline (two models, several threshold transitions and one drain each) at the same steps, concurrently.

Counted: every SNS message (the topic's SQS queue), every run of the drain hook (an exec target appending its
idempotency key to a shared file), every claim item in the table. Checked: each transition notified once by two
replicas; with three replicas killed with SIGKILL at random points (fixed seed) every transition at least once and
a repeat only where the table shows its claim was taken over (the documented window between a send and its
complete()); a claim held by a killed replica taken over after the lease, the restarted replica sending nothing;
the table missing, created; DynamoDB throttling retried, and beyond the retries nothing sent until a later run;
AccessDenied naming dynamodb:UpdateItem. Claims are dated by each replica's own clock (`once` dispatches at the
wall-clock time), so waiting out a lease here is a real sleep.
"""
import calendar
import collections
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import unittest
from contextlib import closing

from fault_proxy import FaultProxy
from harness import batchwatch_env, temp_dir, wait_for, write
from moto_fixture import Moto, drain_queue, put_points, topic_with_queue

T0 = calendar.timegm((2026, 11, 22, 0, 0, 0))
M1, M2 = "m1", "m2"
# Seconds. Claims are timed in whole seconds and a replica sends only within lease/2 of its claim, so a 5 s lease
# (the shortest allowed) leaves this loaded machine as little as 1 s to claim and send: 10 s leaves 4.
LEASE = 10
# Per model, one value a minute from T0: step i (a run at T0 + i + 1 minutes) evaluates minute i. Transitions of
# tokens-high (> 1000): m1 ALARM at 1, OK at 3, ALARM at 5, OK at 6; m2 ALARM at 0, OK at 2, ALARM at 5, OK at 7.
# backlog-drained (zero for 2m): m1 at 4, m2 at 6. Nothing changes after step 7; the data runs to minute 19.
TOKENS = {M1: [500, 2000, 2000, 500, 500, 2000, 500] + [500] * 13,
          M2: [2000, 2000, 500, 500, 500, 2000, 2000] + [500] * 13}
BACKLOG = {M1: [100] * 3 + [0] * 17, M2: [100] * 5 + [0] * 15}
STEPS = 9  # steps 0..8 cover every transition
EXPECTED = collections.Counter({("tokens-high", M1, "ALARM"): 2, ("tokens-high", M1, "OK"): 2,
                                ("tokens-high", M2, "ALARM"): 2, ("tokens-high", M2, "OK"): 2,
                                ("backlog-drained", M1, "DRAINED"): 1, ("backlog-drained", M2, "DRAINED"): 1})
THROTTLED = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
SEED = 14
SAMPLE_POLICY = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "iam-policy.json")
HA_ACTIONS = {"dynamodb:DescribeTable", "dynamodb:CreateTable", "dynamodb:UpdateTimeToLive", "dynamodb:UpdateItem",
              "dynamodb:GetItem"}


def rules(models='"*"', period="1m", drain_for="2m"):
    """The two rules every replica watches; test_ha_daemon.py runs them on 10 s periods."""
    return f"""\
        rules:
          - name: tokens-high
            kind: threshold
            metric: {{namespace: AWS/Bedrock/Batch, name: NumberOfInputTokensProcessedPerMinute,
                     dimensions: {{modelId: {models}}}, stat: Average, period: {period}}}
            comparison: ">"
            threshold: 1000
            evaluation_periods: 1
            notify: [ops]
          - name: backlog-drained
            kind: drained
            metric: {{namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                     dimensions: {{modelId: {models}}}, stat: Maximum, period: {period}}}
            for: {drain_for}
            notify: [ops, drain-hook]
        """


def step_time(step):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0 + (step + 1) * 60 + 5))


class Replica:
    """One replica: its own directory, agent file and state file; the table, topic and hook log are the test's."""

    def __init__(self, test, name, create_table=False, models='"*"', endpoints=None, credentials=None, lease=LEASE):
        self.test, self.name = test, name
        self.dir = temp_dir(test, f"bw-ha-{name}-")
        os.mkdir(os.path.join(self.dir, "rules"))
        write(os.path.join(self.dir, "rules", "rules.yaml"), rules(models))
        endpoints = ", ".join(f'{service}: "{url}"' for service, url in (endpoints or {}).items())
        endpoints = f", endpoints: {{{endpoints}}}" if endpoints else ""
        self.config = write(os.path.join(self.dir, "agent.yaml"), f"""\
            aws: {{region: us-east-1, endpoint_url: "{test.moto.endpoint}"{endpoints}}}
            poll: {{delay: 0s}}
            state: {{path: state.db}}
            targets:
              ops: {{type: sns, topic_arn: "{test.topic_arn}"}}
              drain-hook: {{type: exec, command: ["{test.hook}", "{{{{idempotency_key}}}}"], timeout: 20s}}
            rule_files: [rules/*.yaml]
            ha: {{dynamodb_table: {test.table}, create_table: {str(create_table).lower()}, replica: {name},
                  lease: {lease}s}}
            """)
        self.env = batchwatch_env(test.moto, *(credentials or (None, None)))
        self.log_path = write(os.path.join(self.dir, "runs.log"), "")
        self.runs = 0

    def start(self, step):
        """`once --now` at `step`, its stderr appended to runs.log (kept when the process is killed)."""
        self.runs += 1
        log = open(self.log_path, "a")
        log.write(f"--- run {self.runs} at step {step}\n")
        log.flush()
        proc = subprocess.Popen([os.environ["BATCHWATCH_BIN"], "once", "--config", self.config, "--now",
                                 step_time(step), "--log-level", "debug"],
                                stdout=subprocess.DEVNULL, stderr=log, env=self.env)
        log.close()
        return proc

    def run(self, step, codes=(0, 1)):
        """One whole run; returns its stderr. The exit status must be one of `codes`."""
        before = self.log()
        proc = self.start(step)
        code = proc.wait(timeout=60)
        stderr = self.log()[len(before):]
        self.test.assertIn(code, codes, f"replica {self.name} at step {step}:\n{stderr[-3000:]}")
        return stderr

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def outbox(self, where="1"):
        with closing(sqlite3.connect(os.path.join(self.dir, "state.db"))) as db:
            return db.execute("SELECT idempotency_key, target, status, attempts, next_attempt_at, last_error "
                              f"FROM outbox WHERE {where} ORDER BY id").fetchall()


def run_together(replicas, step, kill_after=None):
    """Starts every replica's run at `step` at once; kill_after {replica name: seconds} kills that one with SIGKILL
    after so long if it still runs. Returns the names of the replicas killed before they finished."""
    started = time.monotonic()
    procs = {r.name: r.start(step) for r in replicas}
    killed = []
    for name, delay in sorted((kill_after or {}).items(), key=lambda kv: kv[1]):
        time.sleep(max(0.0, started + delay - time.monotonic()))
        if procs[name].poll() is None:
            procs[name].send_signal(signal.SIGKILL)
            killed.append(name)
    for proc in procs.values():
        proc.wait(timeout=60)
    return killed


class HighAvailability(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.moto.enable_auth()
        for model in (M1, M2):
            put_points(cls.moto, "NumberOfInputTokensProcessedPerMinute", model, T0, TOKENS[model])
            put_points(cls.moto, "NumberOfRecordsPendingProcessing", model, T0, BACKLOG[model])

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        name = self.id().rsplit(".", 1)[-1][5:40].replace("_", "-")
        self.table = "bw-ha-" + name
        self.topic_arn, self.queue_url = topic_with_queue(self.moto, name)
        work = temp_dir(self, "bw-ha-")
        self.hook_log = os.path.join(work, "drains.log")
        self.hook = write(os.path.join(work, "hook.sh"), f'#!/bin/sh\necho "$1" >> "{self.hook_log}"\n', 0o755)

    def sns_messages(self):
        """(idempotency key, (rule, model, state)) of every message the topic delivered so far."""
        out = []
        for envelope in drain_queue(self.moto, self.queue_url):
            body = json.loads(envelope["Message"])
            ours = body["batchwatch"]
            out.append((ours["idempotency_key"], (ours["rule"], ours["labels"]["modelId"], body["NewStateValue"])))
        return out

    def hook_runs(self):
        if not os.path.exists(self.hook_log):
            return []
        with open(self.hook_log) as f:
            return f.read().split()

    def claims(self):
        """Every claim item in the table, by pk ("KEY#TARGET"), with plain Python values."""
        ddb, items, start = self.moto.client("dynamodb"), {}, {}
        while True:
            page = ddb.scan(TableName=self.table, ConsistentRead=True, **start)
            for item in page["Items"]:
                items[item["pk"]["S"]] = {k: next(iter(v.values())) for k, v in item.items()}
            if "LastEvaluatedKey" not in page:
                return items
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def assert_every_claim_done(self, messages, hook_runs):
        expected = {f"{key}#ops" for key, _ in messages} | {f"{key}#drain-hook" for key in hook_runs}
        claims = self.claims()
        self.assertEqual(set(claims), expected)
        self.assertTrue(all(c["done"] is True for c in claims.values()), claims)

    def test_two_replicas_notify_each_transition_once_and_run_each_drain_hook_once(self):
        a, b = Replica(self, "a", create_table=True), Replica(self, "b")
        a.run(0)  # creates the table; b has no create_table
        b.run(0)
        for step in range(1, STEPS):
            run_together([a, b], step)
        time.sleep(LEASE + 2)  # past every claim's lease, and past any row a replica deferred to a peer's lease
        for r in (a, b):
            r.run(STEPS)

        messages, hook_runs = self.sns_messages(), self.hook_runs()
        keys = [key for key, _ in messages]
        self.assertEqual(len(set(keys)), len(keys), f"a key sent twice: {messages}")
        self.assertEqual(collections.Counter(t for _, t in messages), EXPECTED, messages)
        drains = sorted(key for key, (_, _, state) in messages if state == "DRAINED")
        self.assertEqual(sorted(hook_runs), drains, "the drain hook ran once per drain, with the drain's key")
        self.assert_every_claim_done(messages, hook_runs)
        for r in (a, b):  # each replica's own outbox settled: sent by it, or marked as delivered by its peer
            self.assertEqual(r.outbox("status != 'delivered'"), [], r.name)

    def test_three_replicas_killed_at_random_points_deliver_everything_and_repeat_only_after_a_takeover(self):
        rng = random.Random(SEED)
        replicas = [Replica(self, "a", create_table=True), Replica(self, "b"), Replica(self, "c")]
        replicas[0].run(0)
        kills = []
        for step in range(STEPS):
            kill_after = {r.name: rng.uniform(0.0, 0.4) for r in replicas if rng.random() < 0.5}
            kills += run_together(replicas, step, kill_after)
        time.sleep(LEASE + 2)  # every claim a killed replica held has lapsed
        for r in replicas:
            r.run(STEPS)

        messages, hook_runs = self.sns_messages(), self.hook_runs()
        by_key = dict(messages)
        self.assertEqual(collections.Counter(by_key.values()), EXPECTED, "every transition, each under one key")
        drains = sorted(key for key, (_, _, state) in by_key.items() if state == "DRAINED")
        self.assertEqual(sorted(set(hook_runs)), drains)
        self.assert_every_claim_done(messages, hook_runs)
        # A repeat needs a takeover of its claim (the token went up): the holder sent, was killed before
        # complete(), and a replica took the lapsed claim over. No kill, no repeat.
        claims = self.claims()
        repeats = 0
        for pks in ([f"{k}#ops" for k, _ in messages], [f"{k}#drain-hook" for k in hook_runs]):
            for pk, count in collections.Counter(pks).items():
                if count > 1:
                    self.assertGreaterEqual(int(claims[pk]["token"]), 2, f"{pk} repeated without a takeover")
                    repeats += count - 1
        self.assertLessEqual(repeats, len(kills))
        for r in replicas:
            self.assertEqual(r.outbox("status != 'delivered'"), [], r.name)
        print(f"\nseed {SEED}: {len(kills)} kills ({collections.Counter(kills)}), {len(messages)} SNS messages, "
              f"{len(hook_runs)} hook runs, {repeats} repeats", file=sys.stderr)

    def test_a_claim_held_by_a_killed_replica_is_taken_over_after_the_lease(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        self.addCleanup(proxy.release)
        proxy.hold("Publish")  # a's SNS request is in flight and never arrives
        a = Replica(self, "a", create_table=True, models=M1, endpoints={"sns": proxy.url})
        b = Replica(self, "b", models=M1)
        proc = a.start(1)  # m1 goes to ALARM at step 1
        wait_for(lambda: proxy.held() or proc.poll() is not None, timeout=30, what="a's Publish")
        self.assertTrue(proxy.held(), a.log())
        proc.send_signal(signal.SIGKILL)  # between the claim and the delivery
        proc.wait()
        [(pk, claim)] = self.claims().items()
        self.assertTrue(pk.endswith("#ops"), pk)
        self.assertEqual((claim["owner"], claim["done"], int(claim["token"])), ("a", False, 1))

        b.run(1)  # the same transition, while a's claim has not lapsed: b sends nothing
        self.assertEqual(self.sns_messages(), [])
        time.sleep(max(0.0, min(float(claim["until"]) + 1.5 - time.time(), LEASE + 2)))
        b.run(2)  # past the lease: b takes the claim over and delivers
        messages = self.sns_messages()
        self.assertEqual([t for _, t in messages], [("tokens-high", M1, "ALARM")])
        self.assertEqual(pk, messages[0][0] + "#ops")
        claim = self.claims()[pk]
        self.assertEqual((claim["owner"], claim["done"], int(claim["token"])), ("b", True, 2))

        proxy.release()
        published = len(proxy.matching("Publish"))
        a.run(2)  # restarted: done by b, so a marks its row delivered and sends nothing
        self.assertEqual(len(proxy.matching("Publish")), published)
        self.assertEqual(self.sns_messages(), [])
        self.assertEqual([(key + "#" + target, status) for key, target, status, *_ in a.outbox()], [(pk, "delivered")])

    def test_a_missing_table_is_an_error_naming_it_unless_create_table(self):
        a = Replica(self, "a", models=M1)
        stderr = a.run(1, codes=(2,))
        self.assertIn(self.table, stderr)
        self.assertIn("us-east-1", stderr)
        self.assertEqual(self.sns_messages(), [])
        ddb = self.moto.client("dynamodb")
        self.assertNotIn(self.table, ddb.list_tables()["TableNames"])

        b = Replica(self, "b", create_table=True, models=M1)
        b.run(1)
        table = ddb.describe_table(TableName=self.table)["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(table["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(table["AttributeDefinitions"], [{"AttributeName": "pk", "AttributeType": "S"}])
        ttl = ddb.describe_time_to_live(TableName=self.table)["TimeToLiveDescription"]
        self.assertEqual((ttl["TimeToLiveStatus"], ttl["AttributeName"]), ("ENABLED", "expires_at"))
        messages = self.sns_messages()
        self.assertEqual([t for _, t in messages], [("tokens-high", M1, "ALARM")])
        claim = self.claims()[messages[0][0] + "#ops"]
        self.assertEqual((claim["owner"], claim["done"]), ("b", True))
        self.assertAlmostEqual(int(claim["expires_at"]) - int(claim["done_at"]), 14 * 86400, delta=120)

    def test_throttled_claims_are_retried_and_beyond_the_retries_nothing_is_sent_until_a_later_run(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        # The default lease: throttled retries take seconds, and fencing must not be what stops the send.
        a = Replica(self, "a", create_table=True, models=M1, endpoints={"dynamodb": proxy.url}, lease=30)
        a.run(0)  # creates the table; no transition yet
        proxy.json_error(2, "DynamoDB_20120810.UpdateItem", THROTTLED, "Rate of requests exceeds the allowed throughput")
        a.run(1)  # ALARM: the claim is throttled twice, then taken
        self.assertEqual(len([s for s in proxy.seen if s.answer == "fault"]), 2)
        self.assertEqual([t for _, t in self.sns_messages()], [("tokens-high", M1, "ALARM")])

        proxy.json_error(1000, "DynamoDB_20120810.UpdateItem", THROTTLED, "Rate of requests exceeds the allowed throughput")
        stderr = a.run(3, codes=(2,))  # OK at step 3: every attempt of the claim throttled
        self.assertIn(self.table, stderr)
        self.assertIn("ProvisionedThroughputExceeded", stderr)
        self.assertEqual(self.sns_messages(), [], "fail closed: no claim, no send")
        [(key, target, status, _, next_attempt, _)] = a.outbox("status = 'pending'")
        self.assertEqual(target, "ops")

        proxy.clear_faults()
        wait = next_attempt - time.time()
        self.assertLess(wait, 61, "retried with the usual backoff")
        time.sleep(max(0.0, wait + 0.5))
        a.run(3)  # the same step again: nothing new is owed, the row is due
        self.assertEqual(self.sns_messages(), [(key, ("tokens-high", M1, "OK"))])
        self.assertEqual(a.outbox("status = 'pending'"), [])

    def test_access_denied_for_update_item_names_the_action_and_sends_nothing(self):
        iam = self.moto.client("iam")
        iam.create_user(UserName="no-update-item")
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:UpdateItem", "Resource": "*"}]}
        arn = iam.create_policy(PolicyName="no-update-item", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="no-update-item", PolicyArn=arn)
        key = iam.create_access_key(UserName="no-update-item")["AccessKey"]
        a = Replica(self, "a", create_table=True, models=M1, credentials=(key["AccessKeyId"], key["SecretAccessKey"]))
        stderr = a.run(1, codes=(2,))
        self.assertIn("dynamodb:UpdateItem", stderr)
        self.assertIn(self.table, stderr)
        self.assertEqual(self.sns_messages(), [])
        self.assertEqual([(target, status) for _, target, status, *_ in a.outbox()], [("ops", "pending")])

    def test_the_sample_policy_grants_what_ha_needs_on_the_table_only(self):
        with open(SAMPLE_POLICY) as f:
            text = f.read()
        self.moto.client("iam").create_policy(PolicyName="batchwatch-sample", PolicyDocument=text)  # a valid document
        statements = json.loads(text)["Statement"]
        ha = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
        self.assertEqual({a for s in ha for a in s["Action"]}, HA_ACTIONS)
        for s in ha:
            self.assertRegex(s["Resource"], r"^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}$")


if __name__ == "__main__":
    unittest.main()
