"""`cpack -G DEB` builds a Debian package that installs the agent the way ops teams expect: Depends
computed by dpkg-shlibdeps, the configuration as conffiles, the unit in /lib/systemd/system enabled
by postinst but not started, no user to create (the unit runs with DynamicUser). Inspected with
dpkg-deb; nothing is installed on this machine."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ.get("BATCHWATCH_BUILD_DIR", "")


def dpkg_deb(*args):
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True, timeout=60).stdout


@unittest.skipUnless(BUILD, "BATCHWATCH_BUILD_DIR (set by ctest) names the build to package")
class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bw-deb-")
        out = subprocess.run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                              "-B", cls.dir], capture_output=True, text=True, timeout=180, cwd=BUILD)
        debs = glob.glob(os.path.join(cls.dir, "*.deb"))
        if out.returncode != 0 or len(debs) != 1:
            shutil.rmtree(cls.dir)
            raise AssertionError("cpack -G DEB failed:\n" + out.stdout + out.stderr)
        cls.deb = debs[0]
        cls.control = dpkg_deb("--info", cls.deb)
        cls.contents = dpkg_deb("--contents", cls.deb)
        cls.control_dir = os.path.join(cls.dir, "DEBIAN")
        subprocess.run(["dpkg-deb", "--control", cls.deb, cls.control_dir], check=True, timeout=60)
        cls.root = os.path.join(cls.dir, "root")
        subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def field(self, name):
        return dpkg_deb("--field", self.deb, name).strip()

    def control_file(self, name):
        with open(os.path.join(self.control_dir, name)) as f:
            return f.read()

    def test_file_name_and_fields(self):
        self.assertRegex(os.path.basename(self.deb), r"^batchwatch_\d+\.\d+\.\d+-1_[a-z0-9]+\.deb$")
        self.assertEqual(self.field("Package"), "batchwatch")
        self.assertEqual(self.field("Section"), "admin")
        self.assertTrue(self.field("Maintainer"))
        self.assertTrue(self.field("Description"))

    def test_depends_come_from_the_shared_libraries(self):
        depends = [d.strip().split()[0] for d in self.field("Depends").split(",")]
        # One package per library the binary links, with the library package's own names.
        for expected in [r"libc6", r"libcurl4", r"libssl3", r"libfmt\d+", r"libstdc\+\+6", r"libcpp-httplib[0-9.]+"]:
            self.assertTrue(any(re.fullmatch(expected, d) for d in depends), f"{expected} not in {depends}")
        # SQLite, yaml-cpp and pugixml are linked statically where Debian ships the archive
        # (BATCHWATCH_STATIC_DEPS): a dependency exactly when the packaged binary still loads the library.
        binary = os.path.join(self.root, "usr", "bin", "batchwatch")
        dynamic = subprocess.run(["objdump", "-p", binary], capture_output=True, text=True, check=True, timeout=60).stdout
        needed = re.findall(r"^\s*NEEDED\s+(\S+)", dynamic, re.M)
        for soname, package in [("libyaml-cpp.so", r"libyaml-cpp0\.\d+"), ("libsqlite3.so", r"libsqlite3-0"),
                                ("libpugixml.so", r"libpugixml1v5")]:
            linked = any(n.startswith(soname) for n in needed)
            listed = any(re.fullmatch(package, d) for d in depends)
            self.assertEqual(linked, listed, f"{soname} in NEEDED: {linked}; {package} in Depends {depends}")
        self.assertFalse([d for d in depends if d.endswith("-dev")], depends)
        # Versioned, as dpkg-shlibdeps writes them (e.g. "libc6 (>= 2.34)").
        self.assertRegex(self.field("Depends"), r"libc6 \(>= [0-9.]+\)")

    def test_configuration_is_conffiles(self):
        conffiles = self.control_file("conffiles").split()
        self.assertIn("/etc/batchwatch/agent.yaml", conffiles)
        self.assertIn("/etc/batchwatch/pricing.yaml", conffiles)
        self.assertIn("/etc/batchwatch/rules/bedrock-batch.yaml", conffiles)
        # Every conffile is in the package, and every file under /etc is a conffile.
        shipped_etc = sorted("/" + os.path.relpath(os.path.join(d, f), self.root)
                             for d, _, files in os.walk(os.path.join(self.root, "etc")) for f in files)
        self.assertEqual(sorted(conffiles), shipped_etc)

    def test_layout(self):
        for path in ["./usr/bin/batchwatch", "./lib/systemd/system/batchwatch.service",
                     "./usr/share/batchwatch/examples/agent.yaml", "./usr/share/doc/batchwatch/README.md",
                     "./usr/share/man/man1/batchwatch.1.gz", "./usr/share/bash-completion/completions/batchwatch",
                     "./usr/share/zsh/vendor-completions/_batchwatch"]:
            self.assertRegex(self.contents, r"(?m) " + re.escape(path) + "$", path)
        self.assertNotIn("./usr/etc", self.contents)
        self.assertNotIn("./usr/lib/systemd", self.contents)
        self.assertRegex(self.contents, r"(?m)^-rwxr-xr-x root/root .* \./usr/bin/batchwatch$")
        out = subprocess.run(["file", os.path.join(self.root, "usr", "bin", "batchwatch")],
                             capture_output=True, text=True, timeout=30).stdout
        self.assertIn("stripped", out)
        self.assertNotIn("not stripped", out)

    def test_unit_runs_the_packaged_binary_under_systemd_notify(self):
        with open(os.path.join(self.root, "lib", "systemd", "system", "batchwatch.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/bin/batchwatch run --config /etc/batchwatch/agent.yaml", unit)
        self.assertIn("EnvironmentFile=-/etc/batchwatch/env", unit)
        self.assertIn("Type=notify", unit)
        self.assertRegex(unit, r"(?m)^WatchdogSec=\S+")
        self.assertIn("DynamicUser=yes", unit)  # hence no adduser in the maintainer scripts
        self.assertIn("StateDirectory=batchwatch", unit)
        self.assertIn("WantedBy=multi-user.target", unit)

    def test_postinst_enables_but_does_not_start(self):
        postinst = self.control_file("postinst")
        code = "\n".join(line for line in postinst.splitlines() if not line.lstrip().startswith("#"))
        self.assertRegex(code, r"deb-systemd-helper enable \"?\$unit\"?|deb-systemd-helper enable batchwatch")
        # Nothing starts it: no `start`, `restart`, `enable --now` or invoke-rc.d; an upgrade may only
        # try-restart (restart if it is already running).
        self.assertNotRegex(code, r"systemctl[ \t]+(\S+[ \t]+)*(start|restart|reload-or-restart)\b")
        self.assertNotRegex(code, r"--now|invoke-rc\.d|deb-systemd-invoke\s+start")
        self.assertNotIn("adduser", code)
        for script in ["postinst", "prerm", "postrm"]:
            mode = os.stat(os.path.join(self.control_dir, script)).st_mode & 0o777
            self.assertEqual(mode, 0o755, script)
            subprocess.run(["sh", "-n", os.path.join(self.control_dir, script)], check=True, timeout=30)


if __name__ == "__main__":
    unittest.main()
