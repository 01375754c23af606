"""A fast local stand-in for CloudWatch's ListMetrics and GetMetricData (AWS JSON 1.0), for the cost model.

moto answers a 500-query GetMetricData in ~5 s on this machine once a few thousand datapoints are stored,
so an hour of 1-minute cycles at 1,000 modelIds is out of reach with it. The cost model only needs an
endpoint that speaks the protocol and answers at once; what is counted comes from batchwatch's own
counters. This one knows `models` modelIds for each metric name it is asked about, in one namespace,
and answers every GetMetricData query with one datapoint per period of the asked range, at a constant
value per metric (chosen by the caller so that no rule leaves OK: nothing to notify). Like CloudWatch,
ListMetrics pages by 500 and GetMetricData refuses more than 500 queries. It counts what it is asked.
"""
import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "integration"))

from local_servers import LocalServer, json_response  # noqa: E402

TARGET = "GraniteServiceVersion20100801."


class CloudWatchStandIn(LocalServer):
    def __init__(self, namespace, models, values):
        self.namespace = namespace
        self.models = [f"model-{i:04}" for i in range(models)]
        self.values = values  # metric name -> the value of every datapoint
        self.counts = {"ListMetrics": 0, "GetMetricData": 0, "queries": 0}
        self.lock = threading.Lock()
        super().__init__()

    def handle(self, r):
        target = (r.header("X-Amz-Target") or "")
        op = target[len(TARGET):] if target.startswith(TARGET) else ""
        body = json.loads(r.body or b"{}")
        with self.lock:
            if op in self.counts:
                self.counts[op] += 1
        if op == "ListMetrics":
            return self.list_metrics(body)
        if op == "GetMetricData":
            return self.get_metric_data(body)
        return json_response(400, {"__type": "UnknownOperationException", "message": f"not served here: {target}"})

    def list_metrics(self, body):
        if body.get("Namespace") != self.namespace:
            return json_response(200, {"Metrics": []})
        start = int(body.get("NextToken") or 0)
        page = self.models[start:start + 500]
        out = {"Metrics": [{"Namespace": self.namespace, "MetricName": body.get("MetricName"),
                            "Dimensions": [{"Name": "modelId", "Value": m}]} for m in page]}
        if start + 500 < len(self.models):
            out["NextToken"] = str(start + 500)
        return json_response(200, out)

    def get_metric_data(self, body):
        queries = body["MetricDataQueries"]
        if len(queries) > 500:
            return json_response(400, {"__type": "ValidationError", "message": "more than 500 MetricDataQueries"})
        with self.lock:
            self.counts["queries"] += len(queries)
        start, end = int(body["StartTime"]), int(body["EndTime"])
        results = []
        for q in queries:
            stat = q["MetricStat"]
            period = int(stat["Period"])
            first = -(-start // period) * period
            stamps = list(range(first, end, period))
            value = self.values.get(stat["Metric"]["MetricName"], 0.0)
            results.append({"Id": q["Id"], "Label": stat["Metric"]["MetricName"], "StatusCode": "Complete",
                            "Timestamps": stamps, "Values": [value] * len(stamps)})
        return json_response(200, {"MetricDataResults": results, "Messages": []})
