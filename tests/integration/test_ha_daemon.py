"""High availability under the daemon: two `batchwatch run` replicas, as ops teams deploy them, each with its own
state file and status server, sharing one DynamoDB table of claims in moto (signature checking on). test_ha.py runs
replicas as `once` processes; here the delivery thread claims, defers to a peer's lease and takes claims over on its
own, between cycles the daemon schedules itself.

The timeline runs on the real clock: rules on 10 s periods with no `poll.delay`, so each replica evaluates period i
right after it ends, at the same second as its peer, and both compete for the same claims. The datapoints are put
before the daemons start: quiet lead-in periods (their first cycle evaluates one of those, owing nothing), then
three periods of transitions, then quiet again. Each test has its own moto, so neither replica discovers the other
test's models. Counted as in test_ha.py: every SNS message (the topic's SQS queue), every drain-hook run, every claim.
"""
import collections
import signal
import sys
import time
import unittest

import test_ha
from fault_proxy import FaultProxy
from harness import Daemon, wait_for, write
from moto_fixture import Moto, put_points

M1, M2 = test_ha.M1, test_ha.M2
PERIOD = 10  # seconds: the shortest period the rules accept, so the timeline takes 30 s
LEASE = test_ha.LEASE
LEAD_IN, TRAIL = 6, 12  # quiet periods before and after the transitions
# Per model, periods 0, 1, 2; before them tokens 500 and backlog 100, after them each last value again.
# tokens-high (> 1000): m1 ALARM at 0, OK at 1, ALARM at 2; m2 ALARM at 1, OK at 2.
# backlog-drained (zero for 20 s): m1 at 1, m2 at 2.
TOKENS = {M1: [2000, 500, 2000], M2: [500, 2000, 500]}
BACKLOG = {M1: [0, 0, 0], M2: [100, 0, 0]}
EXPECTED = {  # by the period that owes it
    0: [("tokens-high", M1, "ALARM")],
    1: [("tokens-high", M1, "OK"), ("tokens-high", M2, "ALARM"), ("backlog-drained", M1, "DRAINED")],
    2: [("tokens-high", M1, "ALARM"), ("tokens-high", M2, "OK"), ("backlog-drained", M2, "DRAINED")]}
OUTCOMES = ("won", "peer_delivered", "peer_held", "failed", "fenced")  # agent/delivery/claim_gate.cpp


def expected_through(period):
    return collections.Counter(t for p in range(period + 1) for t in EXPECTED[p])


def timeline_start():
    """A period boundary T0 at least 5 s after the replicas start, so that their first cycle (which owes nothing,
    whatever it finds) evaluates a lead-in period, and period 0 is evaluated by both at T0 + PERIOD."""
    now = time.time()
    boundary = int(now - now % PERIOD)
    return boundary if now - boundary < PERIOD - 5 else boundary + PERIOD


def seed(moto, t0):
    for model in (M1, M2):
        for metric, quiet, values in (("NumberOfInputTokensProcessedPerMinute", 500, TOKENS[model]),
                                      ("NumberOfRecordsPendingProcessing", 100, BACKLOG[model])):
            series = [quiet] * LEAD_IN + values + [values[-1]] * TRAIL
            put_points(moto, metric, model, t0 - LEAD_IN * PERIOD, series, step=PERIOD)


class DaemonReplica(test_ha.Replica):
    """A test_ha.Replica (agent file, state file, the test's table, topic and hook) run as `batchwatch run`."""

    def __init__(self, test, name, **kw):
        super().__init__(test, name, **kw)
        write(f"{self.dir}/rules/rules.yaml", test_ha.rules(period=f"{PERIOD}s", drain_for=f"{2 * PERIOD}s"))
        with open(self.config, "a") as f:
            f.write('server: {listen: "127.0.0.1:0"}\n')
        self.daemon = None

    def start_daemon(self):
        self.daemon = Daemon(self.test.moto, self.config)
        self.test.addCleanup(self.daemon.stop)
        return self

    def cycles(self):
        return self.daemon.stderr().count("cycle done")

    def claim_counts(self):
        return {o: int(self.daemon.metric("batchwatch_claims_total", f'{{outcome="{o}"}}') or 0) for o in OUTCOMES}

    def settled(self):
        return not self.outbox("status != 'delivered'")


class HighAvailabilityDaemon(unittest.TestCase):
    # What test_ha.py observes (the topic's queue, the hook's log, the table), read the same way.
    observe_ha = test_ha.HighAvailability.setUp
    sns_messages = test_ha.HighAvailability.sns_messages
    hook_runs = test_ha.HighAvailability.hook_runs
    claims = test_ha.HighAvailability.claims
    assert_every_claim_done = test_ha.HighAvailability.assert_every_claim_done

    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.moto.enable_auth()
        self.observe_ha()  # table, topic with its queue, drain hook
        self.messages = []
        self.t0 = timeline_start()
        seed(self.moto, self.t0)

    def start(self, *replicas):
        """Starts the replicas in order (the first creates the table); each must have run its first cycle while
        the lead-in was still the newest complete period."""
        for r in replicas:
            r.start_daemon()
        wait_for(lambda: all(r.cycles() >= 1 for r in replicas), timeout=PERIOD, what="every replica's first cycle")
        self.assertLess(time.time(), self.t0 + PERIOD, "replicas started too late for the timeline")

    def collect(self):
        """Every SNS message so far (the queue is drained as it is read, so they are kept here)."""
        self.messages += self.sns_messages()
        return self.messages

    def assert_each_once(self, expected):
        keys = [key for key, _ in self.messages]
        self.assertEqual(len(set(keys)), len(keys), f"a key sent twice: {self.messages}")
        self.assertEqual(collections.Counter(t for _, t in self.messages), expected)
        hook_runs = self.hook_runs()
        drains = sorted(key for key, (_, _, state) in self.messages if state == "DRAINED")
        self.assertEqual(sorted(hook_runs), drains, "the drain hook ran once per drain, with the drain's key")
        self.assert_every_claim_done(self.messages, hook_runs)
        return len(keys) + len(hook_runs)  # claim items: one per (key, target) delivered

    def test_two_daemons_deliver_each_transition_once_across_a_reload_and_their_claim_counts_add_up(self):
        a, b = DaemonReplica(self, "a", create_table=True), DaemonReplica(self, "b")
        self.start(a, b)
        # Reload a as soon as it has evaluated period 1: that period's claims are being raced for, and
        # period 2's come after the reload, made by the dispatcher the reload built.
        wait_for(lambda: time.time() >= self.t0 + 2 * PERIOD and a.cycles() >= 3, timeout=3 * PERIOD,
                 what="a's cycle of period 1")
        a.daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded" in a.daemon.stderr(), timeout=PERIOD, what="a's reload")
        expected = expected_through(2)
        wait_for(lambda: len(self.collect()) >= sum(expected.values()) and len(self.hook_runs()) >= 2,
                 timeout=3 * PERIOD, what="every notification of the timeline")
        # A row deferred to its holder's lease is asked again when it lapses, and then found done.
        wait_for(lambda: a.settled() and b.settled(), timeout=LEASE + 5, what="both outboxes settled")
        self.collect()

        items = self.assert_each_once(expected)
        self.assertEqual(a.daemon.metric("batchwatch_config_reloads_total", '{result="success"}'), 1)
        counts = {r.name: r.claim_counts() for r in (a, b)}
        for mine, peer in (("a", "b"), ("b", "a")):
            # Every item was owed by both: each replica won it or found it done, and what one won the other
            # found done by its peer (never sent twice, never taken over).
            self.assertEqual(counts[mine]["won"] + counts[mine]["peer_delivered"], items, counts)
            self.assertEqual(counts[mine]["won"], counts[peer]["peer_delivered"], counts)
            self.assertEqual((counts[mine]["failed"], counts[mine]["fenced"]), (0, 0), counts)
        print(f"\n{items} claim items; claims_total a {counts['a']}, b {counts['b']}", file=sys.stderr)

    def test_a_daemon_killed_while_it_holds_a_claim_is_taken_over_within_the_lease_and_one_period(self):
        # b's SNS requests never arrive, so the claim it wins is held, unsent, when it is killed. a's claims wait
        # until b has won: a's UpdateItem is held too until then (released with a 503, which a retries).
        sns, ddb = FaultProxy(upstream=self.moto.endpoint), FaultProxy(upstream=self.moto.endpoint)
        for proxy in (sns, ddb):
            self.addCleanup(proxy.stop)
            self.addCleanup(proxy.release)
        sns.hold("Publish")
        ddb.hold("UpdateItem")
        b = DaemonReplica(self, "b", create_table=True, endpoints={"sns": sns.url})
        a = DaemonReplica(self, "a", endpoints={"dynamodb": ddb.url})
        self.start(b, a)
        wait_for(lambda: sns.held() and ddb.held(), timeout=2 * PERIOD, what="b's send of period 0 and a's claim")
        b.daemon.proc.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        b.daemon.proc.wait()
        ddb.release()
        [(pk, claim)] = self.claims().items()
        self.assertEqual((claim["owner"], claim["done"], int(claim["token"])), ("b", False, 1), pk)

        # a finds b's claim held, defers to its lease, and takes it over once it has lapsed.
        held_key = pk.rsplit("#", 1)[0]
        wait_for(lambda: held_key in dict(self.collect()), timeout=LEASE + PERIOD + 5, what="the transition b held")
        took = time.monotonic() - killed
        self.assertEqual(dict(self.messages)[held_key], EXPECTED[0][0])
        self.assertLessEqual(took, LEASE + PERIOD, "delivered within the lease and one poll interval of the kill")
        claim = self.claims()[pk]
        self.assertEqual((claim["owner"], claim["done"], int(claim["token"])), ("a", True, 2))

        # The timeline goes on with a alone. No repeat is possible here: b sent nothing (its one Publish never
        # passed the proxy) and ran no hook (period 0 owes none), so each transition is delivered exactly once.
        expected = expected_through(1)
        wait_for(lambda: len(self.collect()) >= sum(expected.values()) and self.hook_runs(), timeout=2 * PERIOD,
                 what="period 1 delivered by a")
        wait_for(a.settled, timeout=PERIOD, what="a's outbox settled")
        counts = a.claim_counts()
        self.assertEqual(a.daemon.stop(), 0)
        self.collect()
        self.assertEqual([s.answer for s in sns.seen], ["held"], "b's Publish never reached SNS")
        items = self.assert_each_once(expected)
        self.assertTrue(all(c["owner"] == "a" for c in self.claims().values()))
        # a won every item, the held one after deferring to b's lease at least once.
        self.assertEqual((counts["won"], counts["peer_delivered"], counts["failed"], counts["fenced"]),
                         (items, 0, 0, 0), counts)
        self.assertGreaterEqual(counts["peer_held"], 1, counts)
        print(f"\ntaken over {took:.1f} s after the kill (bound {LEASE + PERIOD} s); {items} claim items; "
              f"claims_total a {counts}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
