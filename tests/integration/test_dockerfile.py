"""The container recipe (Dockerfile at the top of the tree), checked by reading it: the image cannot be
built here (no registry). Multi-stage: built on debian:12, run on debian:12-slim with runtime
libraries only, as a non-root user, with a HEALTHCHECK on the status server's /healthz."""
import os
import re
import shlex
import unittest

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def instructions(text):
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    out, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):  # a comment inside a continued instruction
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        word, _, args = full.partition(" ")
        out.append((word.upper(), args.strip()))
    return out


def stages(text):
    """Each stage as {"from": image, "name": alias or None, "steps": [(INSTRUCTION, args), ...]}."""
    out = []
    for word, args in instructions(text):
        if word == "FROM":
            m = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
            out.append({"from": m.group(1), "name": m.group(2), "steps": []})
        elif out:
            out[-1]["steps"].append((word, args))
    return out


class Dockerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(SOURCE, "Dockerfile")) as f:
            cls.text = f.read()
        cls.stages = stages(cls.text)
        cls.build, cls.runtime = cls.stages[0], cls.stages[-1]

    def steps(self, stage, word):
        return [args for w, args in stage["steps"] if w == word]

    def test_builds_on_debian_12_and_runs_on_slim(self):
        self.assertEqual(len(self.stages), 2)
        self.assertEqual((self.build["from"], self.build["name"]), ("debian:12", "build"))
        self.assertEqual(self.runtime["from"], "debian:12-slim")
        build_runs = " ".join(self.steps(self.build, "RUN"))
        for step in ["install-deps --build-only", "cmake -S", "cmake --build", "cpack -G DEB"]:
            self.assertIn(step, build_runs)
        self.assertIn("-DBATCHWATCH_TESTS=OFF", build_runs)

    def test_runtime_has_the_package_and_no_build_tools(self):
        copies = self.steps(self.runtime, "COPY")
        self.assertTrue(any(c.startswith("--from=build ") and ".deb" in c for c in copies), copies)
        runs = " ".join(self.steps(self.runtime, "RUN"))
        self.assertIn("--no-install-recommends", runs)
        installed = [w for w in shlex.split(runs.split("apt-get install", 1)[1].split("&&", 1)[0]) if not w.startswith("-")]
        self.assertTrue(any(w.endswith(".deb") for w in installed), installed)
        for w in installed:
            self.assertFalse(w.endswith("-dev") or w in {"build-essential", "cmake", "ninja-build", "g++", "gcc"}, w)
        self.assertIn("rm -rf /var/lib/apt/lists/*", runs)

    def test_runs_as_a_non_root_user(self):
        users = self.steps(self.runtime, "USER")
        self.assertEqual(len(users), 1, users)
        user = users[0].split(":")[0]
        self.assertNotIn(user, {"root", "0"})
        self.assertIn(user, self.steps(self.runtime, "RUN")[-1])  # the user is created in the image
        # Nothing runs as root after the switch.
        words = [w for w, _ in self.runtime["steps"]]
        self.assertNotIn("RUN", words[words.index("USER"):])

    def test_healthcheck_asks_healthz_of_the_sample_status_address(self):
        checks = self.steps(self.runtime, "HEALTHCHECK")
        self.assertEqual(len(checks), 1, checks)
        m = re.search(r"\bCMD\s+(.*)", checks[0])
        self.assertIsNotNone(m, checks[0])
        self.assertIn("/healthz", m.group(1))
        with open(os.path.join(SOURCE, "samples", "agent.yaml")) as f:
            listen = re.search(r"(?m)^\s+listen:\s*(\S+)", f.read()).group(1)
        self.assertIn(f"http://{listen}/healthz", m.group(1))
        self.assertRegex(self.text, r"curl")  # the probe's client is installed in the runtime stage
        self.assertIn("curl", " ".join(self.steps(self.runtime, "RUN")))

    def test_entrypoint_runs_the_daemon_on_the_packaged_configuration(self):
        self.assertEqual(self.steps(self.runtime, "ENTRYPOINT"), ['["/usr/bin/batchwatch"]'])
        cmd = self.steps(self.runtime, "CMD")
        self.assertEqual(len(cmd), 1)
        self.assertIn('"run", "--config", "/etc/batchwatch/agent.yaml"', cmd[0])
        self.assertIn("/var/lib/batchwatch", " ".join(self.steps(self.runtime, "VOLUME")))

    def test_build_context_leaves_out_builds_and_git(self):
        with open(os.path.join(SOURCE, ".dockerignore")) as f:
            ignored = f.read().split()
        self.assertIn(".git", ignored)
        self.assertIn("build*/", ignored)


if __name__ == "__main__":
    unittest.main()
