"""The status page in a real browser: `batchwatch run` against moto with series firing, `/` loaded by
headless Chromium with JavaScript on; the DOM it built is checked (alert rows, sparklines with drawn
curves, job progress), every URL it asked for is read from Chromium's network log, and screenshots at
1280x800 and 390x844 are written into the build folder (BATCHWATCH_BUILD_DIR, else the temp dir)."""
import html.parser
import json
import os
import re
import shutil
import subprocess
import time
import unittest

from bedrock_standin import BedrockStandIn
from harness import BACKLOG_HIGH, Daemon, temp_dir, wait_for, write
from moto_fixture import Moto, put_points, topic_with_queue

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

RULES = BACKLOG_HIGH.rstrip(" ") + """\
      - name: backlog-drained
        kind: drained
        metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
                 dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
        for: 5m
        notify: [ops]
    """



def jobs(now):
    """Two jobs the Bedrock stand-in lists (every request's signature checked); names and messages that
    would be markup if the page did not escape them."""
    return [
        {"jobName": "night-<1>", "modelId": "m-hot", "status": "InProgress", "submitTime": now - 3600,
         "lastModifiedTime": now - 3000, "totalRecordCount": 5000, "processedRecordCount": 1200,
         "successRecordCount": 1190, "errorRecordCount": 10, "message": "<script>alert(1)</script>"},
        {"jobName": "night-2", "modelId": "m-calm", "status": "Completed", "submitTime": now - 7200,
         "lastModifiedTime": now - 600, "endTime": now - 600, "totalRecordCount": 300,
         "processedRecordCount": 300, "successRecordCount": 300, "errorRecordCount": 0},
    ]


class Dom(html.parser.HTMLParser):
    """The elements of a dumped DOM, as (tag, attributes, ancestors' tags and ids) in document order."""

    def __init__(self, text):
        super().__init__()
        self.elements, self.stack = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, [t for t, _ in self.stack] + [a.get("id") for _, a in self.stack]))
        if tag not in ("meta", "link", "br", "input", "img", "path", "line"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):  # </path> of a void-listed tag closes nothing
            while self.stack.pop()[0] != tag:
                pass

    def find(self, tag, section=None, **attrs):
        return [a for t, a, up in self.elements
                if t == tag and (section is None or section in up) and all(a.get(k) == v for k, v in attrs.items())]


def requests_in(netlog):
    """(url, initiator) of every request in Chromium's net log; the initiator is the origin of the page
    that asked for it (the navigation and the browser's own update and account checks have none)."""
    with open(netlog) as f:
        log = json.load(f)
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return {(e["params"]["url"], e["params"].get("initiator")) for e in log["events"]
            if e["type"] == start and "url" in e.get("params", {})}


@unittest.skipUnless(CHROMIUM, "chromium is not installed (.ci/install-deps installs it)")
class StatusPageInChromium(unittest.TestCase):

    def setUp(self):
        self.moto = Moto()
        self.addCleanup(self.moto.stop)
        self.dir = temp_dir(self, "bw-page-")
        self.out = os.environ.get("BATCHWATCH_BUILD_DIR") or self.dir
        self.bedrock = BedrockStandIn()
        self.addCleanup(self.bedrock.stop)

    def config(self):
        """The agent file: moto for CloudWatch and SNS, the stand-in for Bedrock, jobs watched."""
        topic_arn, _ = topic_with_queue(self.moto, "ops")
        os.makedirs(os.path.join(self.dir, "rules"), exist_ok=True)
        write(os.path.join(self.dir, "rules", "rules.yaml"), RULES)
        bedrock = f', endpoints: {{bedrock: "{self.bedrock.endpoint}"}}'
        return write(os.path.join(self.dir, "agent.yaml"), f"""\
aws: {{region: us-east-1, endpoint_url: "{self.moto.endpoint}"{bedrock}}}
poll: {{delay: 0s}}
state: {{path: state.db}}
server: {{listen: "127.0.0.1:0"}}
jobs: {{every: 1m}}
targets:
  ops: {{type: sns, topic_arn: "{topic_arn}"}}
rule_files: [rules/*.yaml]
""")

    def chromium(self, url, *args):
        """Runs headless Chromium on `url` (fresh profile, no network beyond loopback); returns stdout."""
        profile = temp_dir(self, "bw-chromium-")
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
               "--disable-extensions", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-default-browser-check", "--metrics-recording-only",
               f"--user-data-dir={profile}", *args, url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        return done.stdout

    def test_page_renders_alerts_sparklines_jobs_and_asks_for_nothing_else(self):
        config = self.config()
        now = int(time.time()) // 60 * 60
        self.bedrock.set_jobs(jobs(now))
        # 40 minutes and 3 to come, so the newest period has its point even when a minute turns meanwhile.
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m-hot", now - 40 * 60,
                   [30_000 + 1_000 * i for i in range(43)])
        put_points(self.moto, "NumberOfRecordsPendingProcessing", "m-calm", now - 40 * 60,
                   [max(0, 400 - 20 * i) for i in range(43)])
        daemon = Daemon(self.moto, config)
        self.addCleanup(daemon.stop)
        wait_for(lambda: daemon.get("/readyz")[0] == 200, what="ready")
        wait_for(lambda: len(json.loads(daemon.get("/api/v1/jobs")[1])["jobs"]) == 2, what="two jobs tracked")

        netlog = os.path.join(self.dir, "netlog.json")
        dom = Dom(self.chromium(daemon.base + "/", "--dump-dom", "--virtual-time-budget=3000",
                                f"--log-net-log={netlog}"))

        # Alerts: the firing series has a row, its state in words.
        rows = dom.find("tr", "alerts", **{"data-rule": "backlog-high"})
        self.assertEqual([(r["data-series"], r["data-state"]) for r in rows], [("modelId=m-hot", "ALARM")])
        # Series: one sparkline per (rule, series), each with a drawn curve and the threshold or zero line.
        svgs = dom.find("svg", "series")
        self.assertEqual(sorted((s["data-rule"], s["data-series"]) for s in svgs),
                         [("backlog-drained", "modelId=m-calm"), ("backlog-drained", "modelId=m-hot"),
                          ("backlog-high", "modelId=m-calm"), ("backlog-high", "modelId=m-hot")])
        curves = [p["d"] for p in dom.find("path", "series") if "sparkline" in p.get("class", "").split()]
        self.assertEqual(len(curves), 4)
        for d in curves:  # 30 periods, all present: a move and 29 steps
            self.assertEqual(d.count("M"), 1, d)
            self.assertEqual(len(re.findall(r"-?\d+", d.split("l", 1)[1])), 58, d)
        self.assertEqual(len([p for p in dom.find("path", "series") if "class" not in p]), 4)  # reference lines
        for section in ("alerts", "series", "jobs", "deliveries", "silences"):
            self.assertTrue(dom.find("section", id=section), section)

        # Jobs: one row each (newest submitted first), progress equal to Bedrock's counts; the name and
        # the message that look like markup are text, not elements.
        rows = [r for r in dom.find("tr", "jobs") if "data-job" in r]
        self.assertEqual([(j["data-job"], j["data-status"]) for j in rows],
                         [("night-<1>", "InProgress"), ("night-2", "Completed")])
        progress = dom.find("progress", "jobs")
        self.assertEqual([(p["value"], p["max"]) for p in progress], [("1200", "5000"), ("300", "300")])
        self.assertEqual(dom.find("script"), [])
        self.assertTrue(all(r.status == 200 for r in self.bedrock.requests), "every signature accepted")

        # Everything the page asked for came from the status server: Chromium's network log names the
        # initiator of each request (the browser's own update and account checks have none).
        requests = requests_in(netlog)
        self.assertIn(daemon.base + "/", {url for url, _ in requests})
        self.assertEqual({url for url, initiator in requests
                          if initiator == daemon.base and not url.startswith(daemon.base + "/")}, set())
        source = daemon.get("/")[1]
        self.assertIsNone(re.search(r"https?://", source))
        self.assertIsNone(re.search(r"""\s(?:src|href)=(?:"(?![#/])|'(?![#/])|(?!["'#/]))""", source))  # only /x, #x

        for width, height in ((1280, 800), (390, 844)):
            shot = os.path.join(self.out, f"status-page-{width}x{height}.png")
            self.chromium(daemon.base + "/", f"--screenshot={shot}", f"--window-size={width},{height}",
                          "--virtual-time-budget=3000")
            self.assertGreater(os.path.getsize(shot), 10_000, shot)


if __name__ == "__main__":
    unittest.main()
