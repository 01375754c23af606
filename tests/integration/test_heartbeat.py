"""The heartbeat: two `once` runs against moto (signature checking on) leave two Heartbeat datapoints in the
configured namespace with the dimension Replica, and as many without a dimension (what the sample alarm
watches); the replica defaults to HOSTNAME-PID; samples/heartbeat-alarm.json is accepted by moto's
PutMetricAlarm and valid against botocore's model.
"""
import calendar
import datetime
import json
import os
import socket
import unittest

import botocore.session
import botocore.validate

from fault_proxy import FaultProxy
from harness import once, sns_agent_yaml, temp_dir, tokens_high_rule, write
from moto_fixture import Moto, put_points, topic_with_queue

NOW = "2026-11-22T06:05:00Z"
HOUR_5 = calendar.timegm((2026, 11, 22, 5, 0, 0))
SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "heartbeat-alarm.json")


class Heartbeat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.moto.enable_auth()
        cls.topic_arn, _ = topic_with_queue(cls.moto, "ops")
        put_points(cls.moto, "NumberOfInputTokensProcessedPerMinute", "m1", HOUR_5, [400_000])

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def agent(self, heartbeat):
        d = temp_dir(self, "bw-heartbeat-")
        os.mkdir(os.path.join(d, "rules"))
        write(os.path.join(d, "rules", "r.yaml"), tokens_high_rule())
        return write(os.path.join(d, "agent.yaml"), sns_agent_yaml(
            self.moto.endpoint, self.topic_arn, tail=f"rule_files: [rules/*.yaml]\nheartbeat: {heartbeat}\n"))

    def heartbeats(self, ns, dimensions):
        """SampleCount of Heartbeat with exactly these dimensions over the last hour (moto stamps arrival time)."""
        end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        got = self.moto.client("cloudwatch").get_metric_statistics(
            Namespace=ns, MetricName="Heartbeat", Dimensions=dimensions, StartTime=end - datetime.timedelta(hours=1),
            EndTime=end, Period=3600, Statistics=["SampleCount", "Sum"])
        return sum(p["SampleCount"] for p in got["Datapoints"]), sum(p["Sum"] for p in got["Datapoints"])

    def test_two_runs_two_heartbeats_with_and_without_the_replica(self):
        agent = self.agent("{namespace: Ops/Batchwatch, replica: replica-a}")
        for _ in range(2):
            out = once(agent, now=NOW, moto=self.moto)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotIn("heartbeat not sent", out.stderr)
        self.assertEqual(self.heartbeats("Ops/Batchwatch", [{"Name": "Replica", "Value": "replica-a"}]), (2, 2.0))
        listed = self.moto.client("cloudwatch").list_metrics(Namespace="Ops/Batchwatch", MetricName="Heartbeat")
        # A set: moto lists the dimensionless metric once per datapoint.
        self.assertEqual({json.dumps(m["Dimensions"]) for m in listed["Metrics"]},
                         {"[]", '[{"Name": "Replica", "Value": "replica-a"}]'})

    def test_default_replica_is_hostname_dash_pid_and_dry_run_sends_none(self):
        agent = self.agent("{namespace: Default/Batchwatch}")
        self.assertEqual(once(agent, "--dry-run", now=NOW, moto=self.moto).returncode, 0)
        cw = self.moto.client("cloudwatch")
        self.assertEqual(cw.list_metrics(Namespace="Default/Batchwatch")["Metrics"], [])
        self.assertEqual(once(agent, now=NOW, moto=self.moto).returncode, 0)
        replicas = [d["Value"] for m in cw.list_metrics(Namespace="Default/Batchwatch")["Metrics"]
                    for d in m["Dimensions"] if d["Name"] == "Replica"]
        self.assertEqual(len(replicas), 1)
        self.assertRegex(replicas[0], "^" + socket.gethostname() + r"-\d+$")

    def test_a_failed_heartbeat_is_a_warning_not_a_failed_run(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        proxy.throttle(3, target="PutMetricData")  # every attempt of the one heartbeat
        d = temp_dir(self, "bw-heartbeat-")
        os.mkdir(os.path.join(d, "rules"))
        write(os.path.join(d, "rules", "r.yaml"), tokens_high_rule())
        agent = write(os.path.join(d, "agent.yaml"), sns_agent_yaml(
            proxy.url, self.topic_arn, tail="rule_files: [rules/*.yaml]\nheartbeat: {replica: r}\n"))
        out = once(agent, now=NOW, moto=self.moto)
        self.assertEqual(out.returncode, 0, out.stderr)  # the cycle succeeded
        self.assertRegex(out.stderr, r"warn +heartbeat not sent .*replica=r .*Throttling")
        self.assertEqual(len(proxy.matching("PutMetricData")), 3)

    def test_sample_alarm_is_valid_and_accepted(self):
        with open(SAMPLE) as f:
            alarm = json.load(f)
        model = botocore.session.get_session().get_service_model("cloudwatch").operation_model("PutMetricAlarm")
        report = botocore.validate.ParamValidator().validate(alarm, model.input_shape)
        self.assertFalse(report.has_errors(), report.generate_report())
        self.assertEqual(alarm["TreatMissingData"], "breaching")
        self.assertEqual(alarm["EvaluationPeriods"], 3)
        self.assertNotIn("Dimensions", alarm)  # the series every replica feeds
        cw = self.moto.client("cloudwatch")
        cw.put_metric_alarm(**alarm)
        stored = cw.describe_alarms(AlarmNames=[alarm["AlarmName"]])["MetricAlarms"][0]
        self.assertEqual(stored["TreatMissingData"], "breaching")
        self.assertEqual(stored["AlarmActions"], alarm["AlarmActions"])


if __name__ == "__main__":
    unittest.main()
