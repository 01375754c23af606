"""Small local stand-ins for the credential endpoints moto does not serve usefully (see MOTO.md).

Each one is a stdlib http.server bound to 127.0.0.1 on a free port, served from a thread, recording every
request it gets. They hand out credentials the test gives them (temporary credentials from moto's own STS,
so that moto with signature checking on accepts what batchwatch signs with them):

- EcsCredentialsServer: the ECS/EKS container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI),
  answering only requests carrying the expected Authorization token.
- ImdsServer: EC2 instance metadata, IMDSv2 only (a GET without a session token gets 401).
- StsWebIdentityStandIn: STS AssumeRoleWithWebIdentity (Query protocol), which moto cannot route unsigned
  while signature checking is on; it insists on an unsigned request carrying the expected token.

AcceptingWebhook answers every request with 200 and keeps what was POSTed (webhook targets).
"""
import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers of one connection, never passed on; Content-Length is always computed here.
HOP_BY_HOP = {"connection", "proxy-connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Recorded:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


class LocalServer:
    """Serves `self.handle(recorded) -> (status, headers, body bytes)` on 127.0.0.1:<free port>; headers are a
    dict or (name, value) pairs, hop-by-hop ones left out."""

    def __init__(self):
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, dict(self.headers.items()), body)
                owner.requests.append(rec)
                status, headers, payload = owner.handle(rec)
                self.send_response(status)
                for k, v in (headers.items() if isinstance(headers, dict) else headers):
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (killed while it waited, as some tests do)

            do_GET = do_PUT = do_POST = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, rec):
        raise NotImplementedError

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class AcceptingWebhook(LocalServer):
    """A webhook receiver that takes every request with 200; `bodies()` are the JSON bodies POSTed."""

    def handle(self, rec):
        return 200, {"Content-Type": "application/json"}, b"{}"

    def bodies(self):
        return [json.loads(r.body) for r in self.requests if r.method == "POST"]


def json_response(status, obj):
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


class EcsCredentialsServer(LocalServer):
    def __init__(self, credentials, token):
        self.credentials, self.token = credentials, token
        super().__init__()

    def handle(self, rec):
        if rec.method != "GET":
            return json_response(405, {"code": "MethodNotAllowed", "message": rec.method})
        if rec.header("Authorization") != self.token:
            return json_response(401, {"code": "Unauthorized", "message": "bad or missing authorization token"})
        c = self.credentials
        return json_response(200, {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                                   "Token": c["SessionToken"], "Expiration": iso(c["Expiration"]),
                                   "RoleArn": "arn:aws:iam::123456789012:role/batchwatch-task"})


class ImdsServer(LocalServer):
    TOKEN = "AQAEAImdsSessionToken=="

    def __init__(self, credentials, role="batchwatch-instance", region="us-east-1"):
        self.credentials, self.role, self.region = credentials, role, region
        super().__init__()

    def handle(self, rec):
        if rec.method == "PUT" and rec.path == "/latest/api/token":
            ttl = rec.header("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, {}, b"missing or invalid TTL"
            return 200, {"X-aws-ec2-metadata-token-ttl-seconds": ttl}, self.TOKEN.encode()
        if rec.header("X-aws-ec2-metadata-token") != self.TOKEN:
            return 401, {}, b""  # IMDSv2 only
        base = "/latest/meta-data/iam/security-credentials/"
        if rec.path == base:
            return 200, {"Content-Type": "text/plain"}, self.role.encode()
        if rec.path == base + self.role:
            c = self.credentials
            return json_response(200, {"Code": "Success", "LastUpdated": iso(datetime.datetime.now(datetime.timezone.utc)),
                                       "Type": "AWS-HMAC", "AccessKeyId": c["AccessKeyId"],
                                       "SecretAccessKey": c["SecretAccessKey"], "Token": c["SessionToken"],
                                       "Expiration": iso(c["Expiration"])})
        if rec.path == "/latest/meta-data/placement/region":
            return 200, {"Content-Type": "text/plain"}, self.region.encode()
        return 404, {}, b""


class StsWebIdentityStandIn(LocalServer):
    def __init__(self, credentials, expected_token):
        self.credentials, self.expected_token = credentials, expected_token
        super().__init__()

    def error(self, status, code, message):
        body = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>")
        return status, {"Content-Type": "text/xml"}, body.encode()

    def handle(self, rec):
        form = rec.form()
        if rec.method != "POST" or form.get("Action") != "AssumeRoleWithWebIdentity":
            return self.error(400, "InvalidAction", "only AssumeRoleWithWebIdentity is served here")
        if form.get("Version") != "2011-06-15":
            return self.error(400, "InvalidParameterValue", "bad Version")
        if rec.header("Authorization") is not None:
            return self.error(400, "InvalidParameterValue", "AssumeRoleWithWebIdentity must not be signed")
        if form.get("WebIdentityToken") != self.expected_token:
            return self.error(400, "InvalidIdentityToken", "the token is not the expected one")
        c = self.credentials
        body = (
            '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<AssumeRoleWithWebIdentityResult>"
            f"<SubjectFromWebIdentityToken>system:serviceaccount:monitoring:batchwatch</SubjectFromWebIdentityToken>"
            f"<AssumedRoleUser><Arn>{form.get('RoleArn')}/{form.get('RoleSessionName')}</Arn>"
            "<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>"
            f"<Credentials><AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
            f"<SecretAccessKey>{c['SecretAccessKey']}</SecretAccessKey>"
            f"<SessionToken>{c['SessionToken']}</SessionToken>"
            f"<Expiration>{iso(c['Expiration'])}</Expiration></Credentials>"
            "<Provider>oidc.eks.us-east-1.amazonaws.com</Provider>"
            "</AssumeRoleWithWebIdentityResult>"
            "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            "</AssumeRoleWithWebIdentityResponse>")
        return 200, {"Content-Type": "text/xml"}, body.encode()
