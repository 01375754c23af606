"""What the integration tests share, so that each test module keeps only what it varies.

- temp_dir(): a directory per test, removed when the test is cleaned up;
- write(), sns_agent_yaml() and write_agent_config(): agent and rule files (write() dedents, so YAML
  can be indented with the code);
- tokens_high_rule(): the rule file most end-to-end tests watch (hourly input tokens above 1,000,000);
- batchwatch_env(), run_batchwatch(), once(): the environment the binary runs in, and one run of it;
- bedrock_probe(): the Bedrock client alone, built from an agent file (no `batchwatch` command needed);
- wait_for() and Daemon: `batchwatch run` as a process, with its status server.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
import urllib.error
import urllib.request

from moto_fixture import REGION

PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def temp_dir(test, prefix):
    """A fresh directory, removed with its contents once `test` (a TestCase) is done."""
    path = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, path, ignore_errors=True)
    return path


def write(path, text, mode=None):
    """Writes `text`, dedented, to `path` (with `mode` if given); returns the path."""
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    if mode:
        os.chmod(path, mode)
    return path


def tokens_high_rule(name="input-tokens-high", model='"*"', notify="[ops-email]", extra=""):
    """A rule file: hourly average input tokens per minute above 1,000,000 in one period, per model
    (`model` '"*"': one series per modelId found); `notify` None leaves notify out; `extra` adds keys."""
    return textwrap.dedent(f"""\
        rules:
          - name: {name}
            kind: threshold
            metric:
              namespace: AWS/Bedrock/Batch
              name: NumberOfInputTokensProcessedPerMinute
              dimensions: {{modelId: {model}}}
              stat: Average
              period: 1h
            comparison: ">"
            threshold: 1000000
            evaluation_periods: 1
        """) + "".join(f"    {line}\n" for line in textwrap.dedent(extra).splitlines()) + (
        f"    notify: {notify}\n" if notify is not None else "")


def sns_agent_yaml(endpoint, topic_arn, aws_extra="", tail=""):
    """An agent file against ENDPOINT in us-east-1: a 2m delay, state in state.db, and the target ops-email
    publishing to TOPIC_ARN. AWS_EXTRA adds keys under aws: (written unindented), TAIL top-level keys."""
    return textwrap.dedent(f"""\
        aws:
          region: us-east-1
          endpoint_url: {endpoint}
        """) + textwrap.indent(textwrap.dedent(aws_extra), "  ") + textwrap.dedent(f"""\
        poll:
          delay: 2m
        state:
          path: state.db
        targets:
          ops-email:
            type: sns
            topic_arn: {topic_arn}
        """) + textwrap.dedent(tail)


BACKLOG_HIGH = """\
    rules:
      - name: backlog-high
        kind: threshold
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                 dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
        comparison: ">"
        threshold: 40000
        evaluation_periods: 3
        notify: [ops]
    """


def write_agent_config(directory, moto, topic_arn, rules):
    """DIRECTORY/agent.yaml against moto (no poll delay, status server on a free port, target `ops`
    publishing to TOPIC_ARN) and RULES in DIRECTORY/rules/rules.yaml; returns the agent file's path."""
    os.makedirs(os.path.join(directory, "rules"), exist_ok=True)
    write(os.path.join(directory, "rules", "rules.yaml"), rules)
    return write(os.path.join(directory, "agent.yaml"), f"""\
        aws: {{region: us-east-1, endpoint_url: "{moto.endpoint}"}}
        poll: {{delay: 0s}}
        state: {{path: state.db}}
        server: {{listen: "127.0.0.1:0"}}
        targets:
          ops: {{type: sns, topic_arn: "{topic_arn}"}}
        rule_files: [rules/*.yaml]
        """)


def batchwatch_env(moto=None, access_key=None, secret_key=None, region=REGION, home=None, extra_env=None):
    """This process's environment without AWS settings or proxies, so only what a test gives counts:
    AWS_REGION (unless region is None), moto's keys when given a moto, and with `home` neither the
    machine's own ~/.aws nor instance metadata (a closed local port answers at once)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() not in PROXY_VARS}
    if region:
        env["AWS_REGION"] = region
    if moto is not None:
        env["AWS_ACCESS_KEY_ID"] = access_key or moto.access_key
        env["AWS_SECRET_ACCESS_KEY"] = secret_key or moto.secret_key
    if home is not None:
        env.update(HOME=home, AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:9")
    env.update(extra_env or {})
    return env


def run_batchwatch(args, moto=None, timeout=60, cwd=None, **env):
    """One run of the binary with `args`, in batchwatch_env(moto, **env); returns the CompletedProcess."""
    return subprocess.run([os.environ["BATCHWATCH_BIN"]] + args, capture_output=True, text=True, timeout=timeout,
                          env=batchwatch_env(moto, **env), cwd=cwd)


def bedrock_probe(config, *args, moto=None, timeout=60, cwd=None, **env):
    """The Bedrock client as the agent builds it from `config` (tests/support/bedrock_probe.cpp: `list [STATUS
    [EPOCH]]` or `get ID`, one JSON job a line), in batchwatch_env(moto, **env); returns the CompletedProcess."""
    return subprocess.run([os.environ["BEDROCK_PROBE"], config, *args], capture_output=True, text=True,
                          timeout=timeout, env=batchwatch_env(moto, **env), cwd=cwd)


def once(config, *extra, now=None, moto=None, **kw):
    """`batchwatch once --config CONFIG [--now NOW] EXTRA...` through run_batchwatch."""
    return run_batchwatch(["once", "--config", config] + (["--now", now] if now else []) + list(extra), moto, **kw)


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Daemon:
    """A `batchwatch run` process whose stderr is collected in a file."""

    def __init__(self, moto, config, extra_env=None, args=()):
        self.log_path = config + ".log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([os.environ["BATCHWATCH_BIN"], "run", "--config", config, "--log-level", "debug",
                                      *args],
                                     stdout=subprocess.DEVNULL, stderr=self.log,
                                     env=batchwatch_env(moto, extra_env=extra_env))
        port = wait_for(lambda: self.proc.poll() is not None or re.search(r"status server listening .*port=(\d+)",
                                                                            self.stderr()), what="status port")
        if self.proc.poll() is not None:
            raise AssertionError("batchwatch run exited: " + self.stderr())
        self.base = f"http://127.0.0.1:{port.group(1)}"

    def stderr(self):
        with open(self.log_path) as f:
            return f.read()

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metric(self, name, labels=""):
        _, body = self.get("/metrics")
        m = re.search(r"^" + re.escape(name + labels) + r" ([0-9.e+]+)$", body, re.M)
        return float(m.group(1)) if m else None

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode
