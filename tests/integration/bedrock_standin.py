"""A Bedrock control-plane stand-in for the batch-job operations moto does not serve (ListModelInvocationJobs,
GetModelInvocationJob), for the integration tests and the demo. Python 3 stdlib + botocore only.

- Answers with botocore's `bedrock` shapes (rest-json): job summaries are checked against
  ModelInvocationJobSummary when they are set, and the required members botocore expects are filled in.
- Checks every request's SigV4 signature by recomputing it with botocore's own SigV4Auth from the request as
  received (known credentials; scope service "bedrock" and the stand-in's region); a mismatch is answered 403
  InvalidSignatureException, as Bedrock does.
- Pages at most 10 jobs (fewer if maxResults asks), newest submitTime first; filters by submitTimeAfter
  (strictly after) and statusEquals; refuses unknown or invalid query parameters with 400 ValidationException.
- Faults on demand: `fail(status, code, operation=None, times=None)` answers the next `times` matching calls
  (all of them when None) with that error, e.g. 429 ThrottlingException or 403 AccessDeniedException.

In a test:   s = BedrockStandIn(jobs=[...]); s.endpoint; s.set_jobs([...]); s.fail(429, "ThrottlingException",
             times=2); s.requests (the API calls: .operation, .query, .status); s.stop()
As a script: python3 bedrock_standin.py --port P --jobs FILE.json [--region R] [--credentials KEY:SECRET ...]
Admin paths (unsigned, loopback only): POST /_standin/jobs (a JSON list of summaries replaces the job set),
POST /_standin/faults ({"status", "code", "operation", "times"}; [] or {} clears them), GET /_standin/requests.
"""
import argparse
import base64
import datetime
import hashlib
import json
import re
import signal
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import botocore.validate
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from botocore_shapes import structural

MODEL = botocore.session.get_session().get_service_model("bedrock")
SUMMARY = MODEL.shape_for("ModelInvocationJobSummary")
STATUSES = MODEL.shape_for("ModelInvocationJobStatus").enum
PAGE_LIMIT = 10
ACCOUNT = "123456789012"
LIST_PATH = "/model-invocation-jobs"
GET_PREFIX = "/model-invocation-job/"
AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def iso(value):
    """An ISO 8601 string from a datetime, epoch seconds or a string (kept)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


def complete_job(job, region):
    """A summary with botocore's required members filled in (jobArn from the name when absent); times as ISO."""
    job = {k: (iso(v) if k.endswith("Time") and v is not None else v) for k, v in job.items()}
    name = job.setdefault("jobName", "job")
    job_id = hashlib.sha256(name.encode()).hexdigest()[:12]
    job.setdefault("jobArn", f"arn:aws:bedrock:{region}:{ACCOUNT}:model-invocation-job/{job_id}")
    job.setdefault("modelId", "anthropic.claude-3-haiku-20240307-v1:0")
    job.setdefault("roleArn", f"arn:aws:iam::{ACCOUNT}:role/bedrock-batch")
    job.setdefault("status", "Submitted")
    job.setdefault("submitTime", iso(datetime.datetime.now(datetime.timezone.utc)))
    job.setdefault("lastModifiedTime", job["submitTime"])
    job.setdefault("inputDataConfig", {"s3InputDataConfig": {"s3Uri": f"s3://batchwatch-standin/input/{name}.jsonl"}})
    job.setdefault("outputDataConfig", {"s3OutputDataConfig": {"s3Uri": f"s3://batchwatch-standin/output/{name}/"}})
    problems = []
    structural(job, SUMMARY, f"job {name!r}", problems, True)
    report = botocore.validate.ParamValidator().validate(job, SUMMARY)  # ranges and lengths too
    if report.has_errors():
        problems.append(report.generate_report())
    if problems:
        raise ValueError("; ".join(problems))
    return job


def error_response(status, code, message):
    """A rest-json error as Bedrock sends it: the code in x-amzn-ErrorType, the message in the body."""
    return status, {"Content-Type": "application/json",
                    "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"}, \
        json.dumps({"message": message}).encode()


def json_response(obj, status=200):
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


class Call:
    """One request as received: method, raw path, headers, body; then the operation and status it got."""

    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        split = urllib.parse.urlsplit(path)
        self.route = split.path
        self.query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        self.operation = None
        self.status = None

    def header(self, name):
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class BedrockStandIn:
    def __init__(self, jobs=(), region="us-east-1", credentials=None, port=0, host="127.0.0.1"):
        self.region = region
        self.credentials = dict(credentials or {"test": "test"})  # access key -> secret (moto's default pair)
        self.requests = []
        self._jobs = []
        self._faults = []
        self._lock = threading.Lock()
        self.set_jobs(jobs)
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.endpoint = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # ---- what tests and the demo change ----

    def set_jobs(self, jobs):
        completed = [complete_job(dict(j), self.region) for j in jobs]
        with self._lock:
            self._jobs = completed

    def jobs(self):
        with self._lock:
            return list(self._jobs)

    def allow(self, access_key, secret_key):
        self.credentials[access_key] = secret_key

    def fail(self, status, code, operation=None, times=None, message=None):
        """The next `times` calls of `operation` (any when None) answer status/code; every one when times is None."""
        with self._lock:
            self._faults.append({"status": status, "code": code, "operation": operation, "times": times,
                                 "message": message or f"{code} (stand-in fault)"})

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def calls(self, operation):
        return [c for c in self.requests if c.operation == operation]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # ---- serving ----

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(self.command, self.path, list(self.headers.items()), self.rfile.read(length) if length else b"")
                status, headers, payload = owner._answer(call)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        return Handler

    def _answer(self, call):
        if call.route.startswith("/_standin/"):
            return self._admin(call)
        call.operation = ("ListModelInvocationJobs" if call.route == LIST_PATH else
                          "GetModelInvocationJob" if call.route.startswith(GET_PREFIX) else None)
        self.requests.append(call)
        status, headers, payload = self._api(call)
        call.status = status
        return status, headers, payload

    def _api(self, call):
        if call.operation is None or call.method != "GET":
            return error_response(404, "UnknownOperationException", f"no operation at {call.method} {call.route}")
        denied = self.check_signature(call)
        if denied:
            return error_response(403, "InvalidSignatureException", denied)
        fault = self._take_fault(call.operation)
        if fault:
            return error_response(fault["status"], fault["code"], fault["message"])
        if call.operation == "ListModelInvocationJobs":
            return self._list(call.query)
        return self._get(urllib.parse.unquote(call.route[len(GET_PREFIX):]))

    def _take_fault(self, operation):
        with self._lock:
            for f in self._faults:
                if f["operation"] in (None, operation) and f["times"] != 0:
                    if f["times"] is not None:
                        f["times"] -= 1
                    return f
        return None

    def check_signature(self, call):
        """None when botocore's SigV4Auth, given the request as received, computes the same signature; else why not."""
        auth = call.header("Authorization") or ""
        m = AUTH_RE.match(auth)
        if not m:
            return f"missing or malformed Authorization header: {auth[:80]!r}"
        key, day, region, service, signed, signature = m.groups()
        if key not in self.credentials:
            return f"The security token included in the request is invalid (unknown access key {key})"
        amz_date = call.header("X-Amz-Date") or ""
        if service != "bedrock" or region != self.region or not amz_date.startswith(day):
            return f"Credential should be scoped to a valid region and service 'bedrock' ({day}/{region}/{service})"
        names = signed.split(";")
        if "host" not in names or "x-amz-date" not in names:
            return f"SignedHeaders must include host and x-amz-date: {signed}"
        headers = {n: call.header(n) or "" for n in names}
        request = AWSRequest(method=call.method, url=f"http://{headers['host']}{call.path}", headers=headers,
                             data=call.body)
        request.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(key, self.credentials[key], call.header("X-Amz-Security-Token")),
                           "bedrock", self.region)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != signature:
            return ("The request signature we calculated does not match the signature you provided. "
                    f"The Canonical String for this request should have been\n'{canonical}'")
        return None

    def _list(self, query):
        unknown = set(query) - {"submitTimeAfter", "submitTimeBefore", "statusEquals", "nameContains", "maxResults",
                                "nextToken", "sortBy", "sortOrder"}
        if unknown:
            return error_response(400, "ValidationException", f"unknown query parameters: {sorted(unknown)}")
        try:
            asked = int(query.get("maxResults", "1000"))
            after = parse_time(query["submitTimeAfter"]) if "submitTimeAfter" in query else None
            start = int(base64.urlsafe_b64decode(query["nextToken"]).decode()) if "nextToken" in query else 0
        except (ValueError, UnicodeDecodeError) as e:
            return error_response(400, "ValidationException", f"invalid query: {e}")
        if not 1 <= asked <= 1000:
            return error_response(400, "ValidationException", "maxResults must be between 1 and 1000")
        size = min(asked, PAGE_LIMIT)
        status = query.get("statusEquals")
        if status is not None and status not in STATUSES:
            return error_response(400, "ValidationException", f"statusEquals {status!r} is not one of {STATUSES}")
        jobs = [j for j in self.jobs() if (after is None or parse_time(j["submitTime"]) > after)
                and (status is None or j["status"] == status)]
        jobs.sort(key=lambda j: parse_time(j["submitTime"]), reverse=True)
        page = {"invocationJobSummaries": jobs[start:start + size]}
        if start + size < len(jobs):
            page["nextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return json_response(page)

    def _get(self, identifier):
        for job in self.jobs():
            if identifier in (job["jobArn"], job["jobArn"].rsplit("/", 1)[-1]):
                return json_response(job)
        return error_response(404, "ResourceNotFoundException", f"Could not find job {identifier}")

    def _admin(self, call):
        if call.route == "/_standin/requests" and call.method == "GET":
            return json_response([{"operation": c.operation, "path": c.path, "status": c.status} for c in self.requests])
        try:
            body = json.loads(call.body or b"null")
            if call.route == "/_standin/jobs" and call.method == "POST" and isinstance(body, list):
                self.set_jobs(body)
                return json_response({"jobs": len(body)})
            if call.route == "/_standin/faults" and call.method == "POST":
                self.clear_faults()
                for f in body if isinstance(body, list) else [body] if body else []:
                    self.fail(f["status"], f["code"], f.get("operation"), f.get("times"), f.get("message"))
                return json_response({"faults": len(self._faults)})
        except (ValueError, KeyError, TypeError) as e:
            return json_response({"message": f"bad admin request: {e}"}, 400)
        return json_response({"message": f"no admin path {call.method} {call.route}"}, 404)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--jobs", help="a JSON file holding a list of ModelInvocationJobSummary objects")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--credentials", action="append", default=[], metavar="KEY:SECRET",
                        help="an accepted access key and its secret (default test:test)")
    args = parser.parse_args()
    jobs = []
    if args.jobs:
        with open(args.jobs) as f:
            jobs = json.load(f)
    creds = dict(c.split(":", 1) for c in args.credentials) or None
    standin = BedrockStandIn(jobs, region=args.region, credentials=creds, port=args.port)
    print(f"bedrock stand-in on {standin.endpoint} ({len(jobs)} jobs, region {args.region})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    standin.stop()


if __name__ == "__main__":
    main()
