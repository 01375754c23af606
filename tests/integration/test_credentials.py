"""Every credential provider, end to end: each test ends in a signed GetMetricData that moto, with signature
checking on, accepts (`batchwatch once --dry-run` exits 0). Local stand-ins serve what moto cannot (ECS, IMDSv2,
unsigned STS AssumeRoleWithWebIdentity); they hand out temporary credentials from moto's own STS AssumeRole.
Also here: retries against a fault proxy (throttling, x-amz-retry-after) and HTTP proxies from the environment.
"""
import os
import socket
import sys
import textwrap
import threading
import unittest

from fault_proxy import FaultProxy
from harness import once, temp_dir, tokens_high_rule, write
from local_servers import EcsCredentialsServer, ImdsServer, StsWebIdentityStandIn
from moto_fixture import Moto, REGION

ACCOUNT = "123456789012"
ROLE_NAME = "batchwatch-role"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.moto.enable_auth()
        import json
        iam = cls.moto.client("iam")
        trust = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
        allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        arn = iam.create_policy(PolicyName="batchwatch-role-all", PolicyDocument=json.dumps(allow))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=arn)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.dir = temp_dir(self, "bw-creds-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(os.path.join(self.dir, "rules"))
        os.makedirs(self.home)
        write(os.path.join(self.dir, "rules", "tokens.yaml"),
              tokens_high_rule("tokens-high", model="anthropic.claude-3-haiku", notify=None))

    def temp_credentials(self):
        """Temporary credentials moto accepts (its STS AssumeRole, signed with the IAM user's key)."""
        return self.moto.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="handed-out")["Credentials"]

    def agent(self, aws_lines=""):
        path = os.path.join(self.dir, "agent.yaml")
        with open(path, "w") as f:
            f.write("aws:\n" + textwrap.indent(textwrap.dedent(aws_lines), "  ") if aws_lines else "")
            f.write(textwrap.dedent("""\
                state:
                  path: state.db
                rule_files:
                  - rules/*.yaml
                """))
        return path

    def write(self, name, text, mode=0o600):
        return write(os.path.join(self.dir, name), text, mode)

    def once(self, env, aws_lines=None, timeout=60):
        if aws_lines is None:
            aws_lines = f"region: {REGION}\nendpoint_url: {self.moto.endpoint}\n"
        return once(self.agent(aws_lines), "--dry-run", region=None, home=self.home, extra_env=env, timeout=timeout,
                    cwd=self.dir)

    def assertAccepted(self, out):
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("error", out.stderr)
        self.assertIn("tokens-high", out.stdout)


class Providers(Base):
    def test_environment(self):
        self.assertAccepted(self.once({"AWS_ACCESS_KEY_ID": self.moto.access_key,
                                       "AWS_SECRET_ACCESS_KEY": self.moto.secret_key}))

    def test_environment_with_session_token(self):
        c = self.temp_credentials()
        self.assertAccepted(self.once({"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                                       "AWS_SESSION_TOKEN": c["SessionToken"]}))

    def test_signature_checking_is_on(self):
        out = self.once({"AWS_ACCESS_KEY_ID": self.moto.access_key, "AWS_SECRET_ACCESS_KEY": "wrong"})
        self.assertEqual(out.returncode, 2)
        self.assertIn("monitoring GetMetricData: SignatureDoesNotMatch (HTTP 403)", out.stderr)

    def profile_files(self):
        self.write("credentials", f"""\
            [base]
            aws_access_key_id = {self.moto.access_key}
            aws_secret_access_key = {self.moto.secret_key}
            """)
        self.write("config", f"""\
            [profile bw]
            role_arn = {ROLE_ARN}
            source_profile = base
            external_id = batchwatch-ext
            role_session_name = batchwatch-test
            duration_seconds = 1800
            """)
        return {"AWS_CONFIG_FILE": os.path.join(self.dir, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.dir, "credentials")}

    def test_profile_role_arn_with_source_profile(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)  # to see what went over the wire
        self.addCleanup(proxy.stop)
        env = self.profile_files()
        env["AWS_PROFILE"] = "bw"
        self.assertAccepted(self.once(env, f"region: {REGION}\nendpoint_url: {proxy.url}\n"))
        assume = proxy.matching("AssumeRole")
        self.assertEqual(len(assume), 1)
        body = assume[0].body.decode()
        for part in ("RoleSessionName=batchwatch-test", "ExternalId=batchwatch-ext", "DurationSeconds=1800"):
            self.assertIn(part, body)
        self.assertIn(f"Credential={self.moto.access_key}/", assume[0].header("Authorization"))
        gmd = proxy.matching("GetMetricData")
        self.assertEqual(len(gmd), 1)
        self.assertIn("Credential=ASIA", gmd[0].header("Authorization"))  # signed with the role's session
        self.assertTrue(gmd[0].header("X-Amz-Security-Token"))

    def test_profile_from_the_agent_file_wins_over_environment_keys(self):
        env = self.profile_files()
        env.update({"AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG0", "AWS_SECRET_ACCESS_KEY": "wrong"})
        self.assertAccepted(self.once(env, f"region: {REGION}\nendpoint_url: {self.moto.endpoint}\nprofile: bw\n"))

    def test_profile_credential_process(self):
        c = self.temp_credentials()
        script = self.write("creds.py", f"""\
            import json, sys
            assert sys.argv[1:] == ["--arg", "with space"], sys.argv
            print(json.dumps({{"Version": 1, "AccessKeyId": "{c['AccessKeyId']}",
                              "SecretAccessKey": "{c['SecretAccessKey']}", "SessionToken": "{c['SessionToken']}",
                              "Expiration": "{c['Expiration'].strftime('%Y-%m-%dT%H:%M:%SZ')}"}}))
            """)
        self.write("config", f"""\
            [default]
            credential_process = {sys.executable} {script} --arg 'with space'
            """)
        self.assertAccepted(self.once({"AWS_CONFIG_FILE": os.path.join(self.dir, "config")}))

    def test_web_identity(self):
        sts = StsWebIdentityStandIn(self.temp_credentials(), expected_token="eyJhbGciOiJSUzI1NiJ9.pod.token")
        self.addCleanup(sts.stop)
        token = self.write("token", "eyJhbGciOiJSUzI1NiJ9.pod.token\n")
        aws = f"region: {REGION}\nendpoint_url: {self.moto.endpoint}\nendpoints:\n  sts: {sts.url}\n"
        self.assertAccepted(self.once({"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": ROLE_ARN,
                                       "AWS_ROLE_SESSION_NAME": "batchwatch-pod"}, aws))
        self.assertEqual(len(sts.requests), 1)
        form = sts.requests[0].form()
        self.assertEqual(form["RoleArn"], ROLE_ARN)
        self.assertEqual(form["RoleSessionName"], "batchwatch-pod")
        self.assertIsNone(sts.requests[0].header("Authorization"))

    def test_web_identity_refused_token_stops_the_chain(self):
        sts = StsWebIdentityStandIn(self.temp_credentials(), expected_token="the-real-one")
        self.addCleanup(sts.stop)
        token = self.write("token", "a-stale-token")
        aws = f"region: {REGION}\nendpoint_url: {self.moto.endpoint}\nendpoints:\n  sts: {sts.url}\n"
        out = self.once({"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": ROLE_ARN}, aws)
        self.assertEqual(out.returncode, 2)
        self.assertIn("InvalidIdentityToken", out.stderr)
        self.assertNotIn("a-stale-token", out.stderr)

    def test_ecs_full_uri_with_token_file(self):
        ecs = EcsCredentialsServer(self.temp_credentials(), token="Bearer task-token-1")
        self.addCleanup(ecs.stop)
        token = self.write("ecs-token", "Bearer task-token-1\n")
        self.assertAccepted(self.once({"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + "/v1/credentials",
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token}))
        self.assertEqual([r.path for r in ecs.requests], ["/v1/credentials"])

    def test_ecs_full_uri_must_be_loopback_or_https(self):
        out = self.once({"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://credentials.example.com/v1"})
        self.assertEqual(out.returncode, 2)
        self.assertIn("InvalidConfig", out.stderr)
        self.assertIn("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https", out.stderr)

    def test_imds_v2_credentials_and_region(self):
        imds = ImdsServer(self.temp_credentials(), region=REGION)
        self.addCleanup(imds.stop)
        # No region anywhere but instance metadata.
        self.assertAccepted(self.once({"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url},
                                      f"endpoint_url: {self.moto.endpoint}\n"))
        paths = [(r.method, r.path) for r in imds.requests]
        self.assertIn(("GET", "/latest/meta-data/placement/region"), paths)
        self.assertIn(("GET", "/latest/meta-data/iam/security-credentials/batchwatch-instance"), paths)
        self.assertEqual(paths[0], ("PUT", "/latest/api/token"))
        self.assertTrue(all(r.header("X-aws-ec2-metadata-token") == ImdsServer.TOKEN
                            for r in imds.requests if r.method == "GET"))

    def test_nothing_found_lists_every_provider(self):
        out = self.once({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"})
        self.assertEqual(out.returncode, 2)
        for part in ("no AWS credentials found", "environment: AWS_ACCESS_KEY_ID is not set",
                     "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set", 'profile: profile "default" not found',
                     "ecs: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "imds: no instance metadata service"):
            self.assertIn(part, out.stderr)

    def test_unreadable_ca_bundle_is_reported(self):
        out = self.once({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_CA_BUNDLE": "/nonexistent/ca.pem"})
        self.assertEqual(out.returncode, 2)
        self.assertIn("CA bundle /nonexistent/ca.pem cannot be read", out.stderr)


    def test_unreadable_ca_bundle_from_the_agent_file_is_reported(self):
        aws = f"region: {REGION}\nendpoint_url: {self.moto.endpoint}\nca_bundle: certs/missing.pem\n"
        out = self.once({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, aws)
        self.assertEqual(out.returncode, 2)
        self.assertIn(f"CA bundle {os.path.join(self.dir, 'certs', 'missing.pem')} cannot be read", out.stderr)

    def test_use_fips_from_the_agent_file_picks_the_fips_endpoint(self):
        # No network here: an HTTPS proxy on loopback records which host the agent asks to tunnel to, and refuses.
        asked = []
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        self.addCleanup(listener.close)

        def refuse():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    asked.append(data.split(b"\r\n", 1)[0].decode())
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        threading.Thread(target=refuse, daemon=True).start()
        proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
        out = self.once({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "HTTPS_PROXY": proxy},
                        f"region: {REGION}\nuse_fips: true\n")
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertTrue(asked, out.stderr)
        self.assertEqual(asked[0], f"CONNECT monitoring-fips.{REGION}.amazonaws.com:443 HTTP/1.1")


class RetriesAndProxies(Base):
    def keys(self, **extra):
        return {"AWS_ACCESS_KEY_ID": self.moto.access_key, "AWS_SECRET_ACCESS_KEY": self.moto.secret_key, **extra}

    def through(self, proxy):
        return f"region: {REGION}\nendpoint_url: {proxy.url}\n"

    def test_two_throttles_then_success_with_bounded_backoff(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        proxy.throttle(2)
        self.assertAccepted(self.once(self.keys(), self.through(proxy)))
        seen = proxy.matching("GetMetricData")
        self.assertEqual([s.answer for s in seen], ["fault", "fault", 200])
        # delay = random(0,1) * min(1 s * 2^n, 20 s): below 1 s, then below 2 s (plus process and network slack).
        self.assertLess(seen[1].at - seen[0].at, 1.0 + 0.5)
        self.assertLess(seen[2].at - seen[1].at, 2.0 + 0.5)

    def test_five_throttles_fail_naming_operation_code_and_attempts(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        proxy.throttle(5)
        out = self.once(self.keys(), self.through(proxy))
        self.assertEqual(out.returncode, 2)
        self.assertIn("monitoring GetMetricData: Throttling (HTTP 400): Rate exceeded [after 3 attempts]", out.stderr)
        self.assertEqual(len(proxy.matching("GetMetricData")), 3)

    def test_retry_after_header_is_honoured(self):
        proxy = FaultProxy(upstream=self.moto.endpoint)
        self.addCleanup(proxy.stop)
        proxy.throttle(1, retry_after_ms=1500)
        self.assertAccepted(self.once(self.keys(), self.through(proxy)))
        seen = proxy.matching("GetMetricData")
        self.assertEqual(len(seen), 2)
        self.assertGreaterEqual(seen[1].at - seen[0].at, 1.45)

    def test_http_proxy_from_the_environment(self):
        # moto.test resolves nowhere but inside the proxy: success proves the request went through it.
        proxy = FaultProxy(hosts={"moto.test": "127.0.0.1"})
        self.addCleanup(proxy.stop)
        aws = f"region: {REGION}\nendpoint_url: http://moto.test:{self.moto.port}\n"
        self.assertAccepted(self.once(self.keys(http_proxy=proxy.url), aws))
        seen = proxy.matching("GetMetricData")
        self.assertEqual(len(seen), 1)
        self.assertEqual(seen[0].url, f"http://moto.test:{self.moto.port}/")

    def test_no_proxy_goes_direct(self):
        proxy = FaultProxy(hosts={"moto.test": "127.0.0.1"})
        self.addCleanup(proxy.stop)
        aws = f"region: {REGION}\nendpoint_url: http://moto.test:{self.moto.port}\n"
        out = self.once(self.keys(HTTP_PROXY=proxy.url, NO_PROXY="localhost,.test"), aws)
        self.assertEqual(out.returncode, 2)
        self.assertIn("moto.test", out.stderr)  # direct: the name does not resolve
        self.assertEqual(proxy.seen, [])


if __name__ == "__main__":
    unittest.main()
