"""Contract tests: every request batchwatch's C++ code builds, checked against botocore's service model.

batchwatch runs against a local recording server (canned answers, via aws.endpoint_url); each recorded request
is then checked against the operation's input shape in botocore's service-2.json:
  - the protocol envelope: X-Amz-Target prefix and JSON version, or Action/Version for the Query protocol;
  - every member name exists in the shape (a typo such as "MetricDataQuerys" fails), types match
    (structure/list/map/string/integer/double/boolean/timestamp), enum values are known, required members present;
  - botocore's own ParamValidator (lengths, ranges) passes;
  - botocore's serializer, given the same parameters, produces the same body (a round trip).
"""
import datetime
import json
import os
import re
import time
import unittest
import urllib.parse

import botocore.serialize
import botocore.session
import botocore.validate

from botocore_shapes import structural
from harness import bedrock_probe, once, temp_dir, tokens_high_rule, write
from local_servers import LocalServer, Recorded

SESSION = botocore.session.get_session()
JSON_SERVICES = {"GraniteServiceVersion20100801": "cloudwatch", "AWSEvents": "events",
                 "AWSStepFunctions": "stepfunctions", "DynamoDB_20120810": "dynamodb"}
QUERY_SERVICES = {"2010-03-31": "sns", "2011-06-15": "sts", "2010-08-01": "cloudwatch"}
NOW = "2026-11-22T06:05:00Z"
MODEL_ID = "anthropic.claude-3-haiku"


# ---- the checker ----

def decode_query(flat, shape, prefix, used):
    """Form parameters ("MessageAttributes.entry.1.Name") back into nested parameters, following the shape."""
    def present(key):
        return key in flat or any(k.startswith(key + ".") for k in flat)

    t = shape.type_name
    if t == "structure":
        out = {}
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            full = f"{prefix}.{key}" if prefix else key
            if present(full):
                out[name] = decode_query(flat, member, full, used)
        return out
    if t == "list":
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        if flat.get(prefix) == "":
            used.add(prefix)
        items, i = [], 1
        while present(f"{base}.{i}"):
            items.append(decode_query(flat, shape.member, f"{base}.{i}", used))
            i += 1
        return items
    if t == "map":
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        kname, vname = shape.key.serialization.get("name", "key"), shape.value.serialization.get("name", "value")
        out, i = {}, 1
        while present(f"{base}.{i}"):
            out[decode_query(flat, shape.key, f"{base}.{i}.{kname}", used)] = \
                decode_query(flat, shape.value, f"{base}.{i}.{vname}", used)
            i += 1
        return out
    if prefix not in flat:
        return None
    used.add(prefix)
    v = flat[prefix]
    if t in ("integer", "long"):
        return int(v) if v.lstrip("-").isdigit() else v
    if t in ("double", "float"):
        try:
            return float(v)
        except ValueError:
            return v
    if t == "boolean":
        return {"true": True, "false": False}.get(v, v)
    return v


def rest_operation(model, method, path):
    """The operation of a rest-json model whose requestUri template matches method and path, and its labels."""
    for name in model.operation_names:
        http = model.operation_model(name).http
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(http["requestUri"].split("?")[0]))
        match = re.fullmatch(pattern, path)
        if http["method"] == method and match:
            return name, match.groupdict()
    return None, {}


def check_rest_request(rec, service):
    """rest-json (Bedrock): the path matches a requestUri, its labels and query parameters are the input shape's
    members, and botocore's serializer builds the same path and query from the same parameters."""
    model = SESSION.get_service_model(service)
    split = urllib.parse.urlsplit(rec.path)
    op, labels = rest_operation(model, rec.method, split.path)
    if op is None:
        return service, None, [f"no {service} operation at {rec.method} {split.path}"]
    opm = model.operation_model(op)
    by_wire = {m.serialization.get("name", n): (n, m) for n, m in opm.input_shape.members.items()}
    pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True, strict_parsing=bool(split.query))
    problems = [f"{k}: not a query parameter of {op}" for k, _ in pairs if k not in by_wire]
    if len(dict(pairs)) != len(pairs):
        problems.append("a query parameter is repeated")
    params = {}
    for wire, value in [*pairs, *((k, urllib.parse.unquote(v)) for k, v in labels.items())]:
        name, member = by_wire.get(wire, (None, None))
        if member is None:
            continue
        if member.type_name in ("integer", "long"):
            value = int(value) if value.isdigit() else value
        elif member.type_name == "timestamp":
            try:
                value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                problems.append(f"{wire}: {value!r} is not an ISO 8601 timestamp")
        params[name] = value
    structural({k: v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, datetime.datetime) else v
                for k, v in params.items()}, opm.input_shape, op, problems, True)
    report = botocore.validate.ParamValidator().validate(params, opm.input_shape)
    if report.has_errors():
        problems.append(report.generate_report())
    if not problems:
        theirs = botocore.serialize.create_serializer("rest-json").serialize_to_request(params, opm)
        ours_query = {k: v for k, v in pairs}
        theirs_query = {k: str(v) for k, v in theirs["query_string"].items()}
        if split.path != theirs["url_path"] or ours_query != theirs_query:
            problems.append(f"botocore serializes differently: ours {split.path} {ours_query} "
                            f"theirs {theirs['url_path']} {theirs_query}")
    return service, op, problems


def check_request(rec):
    """(service, operation, problems) for one recorded request."""
    if rec.method == "GET":
        return check_rest_request(rec, "bedrock")
    problems = []
    target = rec.header("X-Amz-Target")
    if target:
        prefix, op = target.rsplit(".", 1)
        service = JSON_SERVICES.get(prefix)
        if service is None:
            return None, op, [f"unknown X-Amz-Target prefix {prefix!r}"]
        model = SESSION.get_service_model(service)
        if rec.header("Content-Type") != "application/x-amz-json-" + model.metadata["jsonVersion"]:
            problems.append(f"Content-Type {rec.header('Content-Type')!r} is not JSON {model.metadata['jsonVersion']}")
        if op not in model.operation_names:
            return service, op, problems + [f"{service} has no operation {op!r}"]
        opm = model.operation_model(op)
        params = json.loads(rec.body)
        query = False
    else:
        pairs = urllib.parse.parse_qsl(rec.body.decode(), keep_blank_values=True, strict_parsing=True)
        flat = dict(pairs)
        if len(flat) != len(pairs):
            problems.append("a form parameter is repeated")
        op, version = flat.get("Action"), flat.get("Version")
        service = QUERY_SERVICES.get(version)
        if service is None:
            return None, op, [f"unknown Version {version!r}"]
        model = SESSION.get_service_model(service)
        if not (rec.header("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            problems.append(f"Content-Type {rec.header('Content-Type')!r} is not a form")
        if op not in model.operation_names:
            return service, op, problems + [f"{service} has no operation {op!r}"]
        opm = model.operation_model(op)
        used = {"Action", "Version"}
        params = decode_query(flat, opm.input_shape, "", used)
        for extra in sorted(set(flat) - used):
            problems.append(f"{extra}: not in the input shape {opm.input_shape.name}")
        query = True
    structural(params, opm.input_shape, op, problems, query)
    report = botocore.validate.ParamValidator().validate(params, opm.input_shape)
    if report.has_errors():
        problems.append(report.generate_report())
    if not problems:  # the round trip: botocore's serializer must produce the same body
        serialized = botocore.serialize.create_serializer("query" if query else "json").serialize_to_request(params, opm)
        if query:
            ours = {k: v for k, v in urllib.parse.parse_qsl(rec.body.decode(), keep_blank_values=True)}
            theirs = {k: str(v) for k, v in serialized["body"].items()}
            if ours != theirs:
                problems.append(f"botocore serializes differently: ours {ours} theirs {theirs}")
        elif json.loads(rec.body) != json.loads(serialized["body"] or b"{}"):
            problems.append(f"botocore serializes differently: ours {rec.body!r} theirs {serialized['body']!r}")
    return service, op, problems


# ---- the recording server ----

class Recorder(LocalServer):
    def operation(self, rec):
        if rec.method == "GET":
            return rest_operation(SESSION.get_service_model("bedrock"), "GET", urllib.parse.urlsplit(rec.path).path)[0]
        target = rec.header("X-Amz-Target")
        return target.rsplit(".", 1)[1] if target else rec.form().get("Action", "")

    def handle(self, rec):
        op = self.operation(rec)
        answer = getattr(self, "answer_" + (op or ""), None)
        if answer is None:
            return 400, {"Content-Type": "text/xml"}, b"<ErrorResponse><Error><Code>UnknownOperation</Code></Error></ErrorResponse>"
        return answer(rec)

    def ops(self):
        return [self.operation(r) for r in self.requests]

    @staticmethod
    def json(obj, version="1.0"):
        return 200, {"Content-Type": f"application/x-amz-json-{version}"}, json.dumps(obj).encode()

    @staticmethod
    def xml(text):
        return 200, {"Content-Type": "text/xml"}, text.encode()

    def answer_ListMetrics(self, rec):
        return self.json({"Metrics": [{"Namespace": "AWS/Bedrock/Batch", "MetricName": "NumberOfInputTokensProcessedPerMinute",
                                       "Dimensions": [{"Name": "modelId", "Value": MODEL_ID}]}]})

    def answer_GetMetricData(self, rec):
        body = json.loads(rec.body)
        start, end = int(body["StartTime"]), int(body["EndTime"])
        results = []
        for q in body["MetricDataQueries"]:
            period = q["MetricStat"]["Period"]
            ts = list(range(start - start % period, end, period))
            results.append({"Id": q["Id"], "Label": q["Id"], "Timestamps": ts, "Values": [5e6] * len(ts),
                            "StatusCode": "Complete"})
        return self.json({"MetricDataResults": results, "Messages": []})

    def answer_PutMetricData(self, rec):
        return self.json({})

    def answer_PublishBatch(self, rec):
        ids = [v for k, v in urllib.parse.parse_qsl(rec.body.decode()) if k.endswith(".Id")]
        members = "".join(f"<member><Id>{i}</Id><MessageId>m-{i}</MessageId></member>" for i in ids)
        return self.xml(f"<PublishBatchResponse><PublishBatchResult><Successful>{members}</Successful><Failed/>"
                        "</PublishBatchResult></PublishBatchResponse>")

    def answer_Publish(self, rec):
        return self.xml("<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>")

    def sts(self, op):
        exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.xml(f"<{op}Response><{op}Result><Credentials><AccessKeyId>ASIACONTRACT</AccessKeyId>"
                        f"<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>{exp}"
                        f"</Expiration></Credentials></{op}Result></{op}Response>")

    def answer_AssumeRole(self, rec):
        return self.sts("AssumeRole")

    def answer_AssumeRoleWithWebIdentity(self, rec):
        return self.sts("AssumeRoleWithWebIdentity")

    def answer_PutEvents(self, rec):
        n = len(json.loads(rec.body).get("Entries", []))
        return self.json({"FailedEntryCount": 0, "Entries": [{"EventId": f"e-{i}"} for i in range(n)]}, "1.1")

    def answer_StartExecution(self, rec):
        return self.json({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:sm:x",
                          "startDate": time.time()})

    # DynamoDB (ha:): the table is missing at first, so the agent creates it; a claim is refused without the
    # old item (as a service that ignores ReturnValuesOnConditionCheckFailure would), so it reads the item.
    def answer_DescribeTable(self, rec):
        if "CreateTable" not in self.ops():
            return 400, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(
                {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                 "message": "Requested resource not found"}).encode()
        return self.json({"Table": {"TableName": "batchwatch-ha", "TableStatus": "ACTIVE"}})

    def answer_CreateTable(self, rec):
        return self.json({"TableDescription": {"TableName": "batchwatch-ha", "TableStatus": "CREATING"}})

    def answer_UpdateTimeToLive(self, rec):
        return self.json({"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires_at"}})

    def answer_UpdateItem(self, rec):
        return 400, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(
            {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
             "message": "The conditional request failed"}).encode()

    def answer_GetItem(self, rec):
        return self.json({"Item": {"pk": json.loads(rec.body)["Key"]["pk"], "owner": {"S": "peer"},
                                   "done": {"BOOL": True}, "token": {"N": "1"}}})

    BEDROCK_JOB = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
                   "jobName": "nightly", "modelId": MODEL_ID, "status": "InProgress", "submitTime": "2026-11-22T01:00:00Z"}

    def answer_ListModelInvocationJobs(self, rec):
        # Two pages, so the second request carries nextToken.
        first = "nextToken" not in urllib.parse.parse_qs(urllib.parse.urlsplit(rec.path).query)
        return self.json({"invocationJobSummaries": [self.BEDROCK_JOB], **({"nextToken": "p2/=+"} if first else {})})

    def answer_GetModelInvocationJob(self, rec):
        return self.json(dict(self.BEDROCK_JOB, roleArn="arn:aws:iam::123456789012:role/r"))


class Contract(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self, "bw-contract-")
        os.makedirs(os.path.join(self.dir, "rules"))
        self.recorder = Recorder()
        self.addCleanup(self.recorder.stop)

    def write_agent(self, targets="", notify="[]", aws_extra=""):
        agent = os.path.join(self.dir, "agent.yaml")
        with open(agent, "w") as f:
            f.write(f"aws:\n  region: us-east-1\n  endpoint_url: {self.recorder.url}\n{aws_extra}"
                    f"state:\n  path: state.db\n{targets}rule_files:\n  - rules/*.yaml\n")
        write(os.path.join(self.dir, "rules", "r.yaml"), tokens_high_rule("tokens-high", notify=notify))
        return agent

    def run_once(self, targets="", notify="[]", env=None, dry_run=False, aws_extra=""):
        agent = self.write_agent(targets, notify, aws_extra)
        keys = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
        return once(agent, *(["--dry-run"] if dry_run else []), now=NOW, region=None, home=self.dir,
                    extra_env={**keys, **(env or {})}, cwd=self.dir)

    def check_all(self, must_include):
        seen = {}
        for rec in self.recorder.requests:
            service, op, problems = check_request(rec)
            self.assertEqual(problems, [], f"{service} {op}: {rec.body[:500]!r}")
            seen.setdefault(op, 0)
            seen[op] += 1
        for op in must_include:
            self.assertIn(op, seen, f"no {op} request was made; made: {self.recorder.ops()}")
        return seen

    def test_get_metric_data_and_list_metrics(self):
        out = self.run_once(dry_run=True)
        self.assertEqual(out.returncode, 1, out.stderr)  # ALARM: the canned values are above the threshold
        self.check_all(["ListMetrics", "GetMetricData"])

    def test_publish(self):
        out = self.run_once(targets="targets:\n  ops:\n    type: sns\n    topic_arn: arn:aws:sns:us-east-1:123456789012:ops\n",
                            notify="[ops]")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["Publish"])

    def test_put_metric_data(self):
        out = self.run_once(aws_extra="heartbeat: {namespace: Batchwatch, replica: contract}\n")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["PutMetricData"])

    def test_publish_batch(self):
        """Two rules in ALARM owe two notifications to one FIFO topic: one PublishBatch with two entries."""
        write(os.path.join(self.dir, "rules", "second.yaml"), tokens_high_rule("tokens-high-too", notify="[ops]"))
        out = self.run_once(targets="targets:\n  ops:\n    type: sns\n    topic_arn: "
                                    "arn:aws:sns:us-east-1:123456789012:ops.fifo\n", notify="[ops]")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertEqual(self.check_all(["PublishBatch"]).get("Publish"), None)

    def test_assume_role(self):
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("[profile bw]\nrole_arn = arn:aws:iam::123456789012:role/batchwatch\nsource_profile = base\n"
                    "external_id = ext-1\nduration_seconds = 3600\nrole_session_name = contract\n"
                    "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n")
        out = self.run_once(dry_run=True, env={"AWS_CONFIG_FILE": os.path.join(self.dir, "config"), "AWS_PROFILE": "bw",
                                                    "AWS_ACCESS_KEY_ID": ""})
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["AssumeRole", "GetMetricData"])

    def test_assume_role_with_web_identity(self):
        token = os.path.join(self.dir, "token")
        with open(token, "w") as f:
            f.write("eyJ.token.sig")
        out = self.run_once(dry_run=True, env={"AWS_ACCESS_KEY_ID": "", "AWS_WEB_IDENTITY_TOKEN_FILE": token,
                                               "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa"})
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["AssumeRoleWithWebIdentity", "GetMetricData"])

    def test_put_events(self):
        out = self.run_once(targets="targets:\n  t:\n    type: eventbridge\n    event_bus: default\n", notify="[t]")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["PutEvents"])

    def test_start_execution(self):
        out = self.run_once(targets="targets:\n  t:\n    type: stepfunctions\n    state_machine_arn: "
                                    "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl\n", notify="[t]")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["StartExecution"])

    def test_dynamodb_claims(self):
        """ha: with create_table: the table's setup, then the claim of the owed notification (done by a peer)."""
        out = self.run_once(targets="targets:\n  ops:\n    type: sns\n    topic_arn: arn:aws:sns:us-east-1:123456789012:ops\n",
                            notify="[ops]", aws_extra="ha: {dynamodb_table: batchwatch-ha, create_table: true, replica: a}\n")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.check_all(["DescribeTable", "CreateTable", "UpdateTimeToLive", "UpdateItem", "GetItem"])
        self.assertNotIn("Publish", self.recorder.ops(), "a notification done by a peer is not sent again")

    def probe_bedrock(self, *args):
        """The Bedrock client, built by the agent's AWS setup from the agent file run_once writes."""
        out = bedrock_probe(self.write_agent(), *args, region=None, home=self.dir, cwd=self.dir,
                            extra_env={"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"})
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_list_model_invocation_jobs(self):
        out = self.probe_bedrock("list", "InProgress", "1795068000")
        self.assertEqual(len(out.stdout.splitlines()), 2)  # both pages
        seen = self.check_all(["ListModelInvocationJobs"])
        self.assertEqual(seen["ListModelInvocationJobs"], 2)
        queries = [urllib.parse.parse_qs(urllib.parse.urlsplit(r.path).query) for r in self.recorder.requests
                   if self.recorder.operation(r) == "ListModelInvocationJobs"]
        self.assertEqual(queries[1]["nextToken"], ["p2/=+"])
        self.assertEqual(queries[0]["submitTimeAfter"], ["2026-11-19T06:00:00Z"])

    def test_get_model_invocation_job(self):
        self.probe_bedrock("get", Recorder.BEDROCK_JOB["jobArn"])
        self.check_all(["GetModelInvocationJob"])

    def test_the_rest_checker_catches_typos(self):
        def problems(path):
            return check_request(Recorded("GET", path, {}, b""))[2]

        self.assertEqual(problems("/model-invocation-jobs?maxResults=10&submitTimeAfter=2026-11-19T06%3A00%3A00Z"), [])
        self.assertTrue(any("maxResult: not a query parameter" in p for p in problems("/model-invocation-jobs?maxResult=10")))
        self.assertTrue(any("not an ISO 8601" in p for p in problems("/model-invocation-jobs?submitTimeAfter=yesterday")))
        self.assertTrue(any("Running" in p for p in problems("/model-invocation-jobs?statusEquals=Running")))
        self.assertTrue(any("serializes differently" in p for p in problems("/model-invocation-job/arn:aws:bedrock:x")))
        self.assertTrue(any("no bedrock operation" in p for p in problems("/model-invocation-jobz")))

    def test_the_checker_catches_typos(self):
        """The checker is not vacuous: a misspelt member, a wrong type, a missing member and an unknown enum fail."""
        self.run_once(dry_run=True)
        gmd = next(r for r in self.recorder.requests if self.recorder.operation(r) == "GetMetricData")
        body = json.loads(gmd.body)

        def problems_with(mutated, rec=gmd):
            copy = type(rec)(rec.method, rec.path, rec.headers, json.dumps(mutated).encode())
            return check_request(copy)[2]

        self.assertEqual(problems_with(body), [])
        typo = dict(body)
        typo["MetricDataQuerys"] = typo.pop("MetricDataQueries")
        self.assertTrue(any("MetricDataQuerys: not a member" in p for p in problems_with(typo)))
        self.assertTrue(any("MetricDataQueries: required member missing" in p for p in problems_with(typo)))
        wrong_type = json.loads(gmd.body)
        wrong_type["MetricDataQueries"][0]["MetricStat"]["Period"] = "3600"
        self.assertTrue(any("Period: expected an integer" in p for p in problems_with(wrong_type)))
        bad_enum = dict(body, ScanBy="Newest")
        self.assertTrue(any("ScanBy" in p for p in problems_with(bad_enum)))

        self.run_once(targets="targets:\n  ops:\n    type: sns\n    topic_arn: arn:aws:sns:us-east-1:123456789012:ops\n",
                      notify="[ops]")
        pub = next(r for r in self.recorder.requests if self.recorder.operation(r) == "Publish")
        form_typo = pub.body.replace(b"TopicArn=", b"TopicARN=")
        copy = type(pub)(pub.method, pub.path, pub.headers, form_typo)
        problems = check_request(copy)[2]
        self.assertTrue(any("TopicARN: not in the input shape" in p for p in problems), problems)


if __name__ == "__main__":
    unittest.main()
