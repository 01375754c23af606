"""`cmake --install build --prefix DIR` into a scratch folder installs a tree that works: the binary
runs, `check` accepts the installed configuration and the examples, the unit, man page, completions
and docs are where the packaging puts them, with paths rewritten for DIR."""
import gzip
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ.get("BATCHWATCH_BUILD_DIR", "")
# The sample agent file reads its SNS topic from the environment (with a default); pin it.
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
       "AWS_REGION": "us-east-1",
       "BATCHWATCH_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:bedrock-batch-ops"}


@unittest.skipUnless(BUILD, "BATCHWATCH_BUILD_DIR (set by ctest) names the build to install")
class InstallIntoAPrefix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="bw-install-")
        out = subprocess.run(["cmake", "--install", BUILD, "--prefix", cls.prefix],
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError("cmake --install failed:\n" + out.stdout + out.stderr)
        cls.install_log = out.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix)

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def batchwatch(self, *args):
        return subprocess.run([self.path("bin", "batchwatch"), *args], capture_output=True, text=True,
                              timeout=60, env=ENV)

    def test_tree(self):
        for rel in ["bin/batchwatch",
                    "etc/batchwatch/agent.yaml", "etc/batchwatch/pricing.yaml",
                    "etc/batchwatch/rules/bedrock-batch.yaml", "etc/batchwatch/rules/bedrock-batch-kinds.yaml",
                    "lib/systemd/system/batchwatch.service",
                    "share/batchwatch/examples/agent.yaml", "share/batchwatch/examples/pricing.yaml",
                    "share/batchwatch/examples/rules/bedrock-batch.yaml",
                    "share/batchwatch/examples/night/agent.yaml",
                    "share/batchwatch/examples/night/bedrock-night.jsonl",
                    "share/batchwatch/examples/grafana/batchwatch.json",
                    "share/doc/batchwatch/README.md", "share/doc/batchwatch/configuration.md",
                    "share/doc/batchwatch/rules.md",
                    "share/man/man1/batchwatch.1.gz",
                    "share/bash-completion/completions/batchwatch",
                    "share/zsh/vendor-completions/_batchwatch"]:
            self.assertTrue(os.path.isfile(self.path(rel)), rel + " missing; installed:\n" + self.install_log)
        self.assertTrue(os.access(self.path("bin", "batchwatch"), os.X_OK))

    def test_installed_binary_checks_the_installed_configuration(self):
        out = self.batchwatch("version")
        self.assertEqual(out.returncode, 0, out.stderr)
        for config in [self.path("etc", "batchwatch", "agent.yaml"),
                       self.path("share", "batchwatch", "examples", "agent.yaml"),
                       self.path("share", "batchwatch", "examples", "night", "agent.yaml")]:
            out = self.batchwatch("check", "--config", config)
            self.assertEqual(out.returncode, 0, config + ":\n" + out.stdout + out.stderr)
            self.assertIn("OK", out.stdout + out.stderr)

    def test_installed_examples_backtest(self):
        night = self.path("share", "batchwatch", "examples", "night")
        out = self.batchwatch("backtest", "--config", os.path.join(night, "agent.yaml"),
                              "--input", os.path.join(night, "bedrock-night.jsonl"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("DRAINED", out.stdout)

    def test_unit_names_this_prefix(self):
        with open(self.path("lib", "systemd", "system", "batchwatch.service")) as f:
            unit = f.read()
        exec_start = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
        self.assertEqual(exec_start, [f"ExecStart={self.prefix}/bin/batchwatch run --config "
                                      f"{self.prefix}/etc/batchwatch/agent.yaml --log-format json"])
        self.assertIn(f"EnvironmentFile=-{self.prefix}/etc/batchwatch/env", unit)
        self.assertIn("Type=notify", unit)
        self.assertRegex(unit, r"(?m)^WatchdogSec=\S+")

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_unit_verifies(self):
        out = subprocess.run(["systemd-analyze", "verify", "--man=no",
                              self.path("lib", "systemd", "system", "batchwatch.service")],
                             capture_output=True, text=True, timeout=60)
        # Lines about this unit only: the host's other units are not ours to judge.
        ours = [line for line in (out.stdout + out.stderr).splitlines() if "batchwatch.service" in line]
        self.assertEqual(ours, [], out.stdout + out.stderr)

    def test_man_page_renders(self):
        with gzip.open(self.path("share", "man", "man1", "batchwatch.1.gz"), "rt") as f:
            roff = f.read()
        self.assertIn(".TH BATCHWATCH 1", roff)
        self.assertNotIn("@PROJECT_VERSION@", roff)
        if shutil.which("groff"):
            out = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=roff, capture_output=True,
                                 text=True, timeout=30)
            self.assertEqual((out.returncode, out.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
