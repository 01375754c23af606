"""The man page and the bash/zsh completions cannot drift from the CLI: every subcommand and flag that
`batchwatch --help` (and each `batchwatch SUB --help`) lists is described in packaging/batchwatch.1,
offered by the bash completion (run for real) and named by the zsh completion."""
import os
import re
import shutil
import subprocess
import unittest

SOURCE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PACKAGING = os.path.join(SOURCE, "packaging")
# Accepted by every command; described once, under COMMON OPTIONS.
COMMON = {"--help", "--log-level", "--log-format"}


def cli_help(path):
    """(subcommands, long options) that `batchwatch PATH... --help` lists."""
    out = subprocess.run([os.environ["BATCHWATCH_BIN"], *path, "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    subs, options, section = [], set(), None
    for line in out.stdout.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1].strip().upper()
        elif line.startswith("  ") and section == "SUBCOMMANDS":
            subs.append(line.split()[0])
        elif line.startswith("  ") and section == "OPTIONS":
            options.update(re.findall(r"--[a-z][a-z-]*", line.strip().split("  ")[0]))
    return subs, options


def cli_tree(path=()):
    """{subcommand path (tuple): its long options} for every command, nested ones included."""
    subs, options = cli_help(list(path))
    tree = {tuple(path): options}
    for sub in subs:
        tree.update(cli_tree((*path, sub)))
    return tree


def roff_text(roff):
    """The words of a roff source: escapes for '-' and font changes undone."""
    return re.sub(r"\\f[BIRP]", "", roff).replace("\\-", "-").replace("\\&", "")


def man_blocks(roff):
    """{top-level command: its description, nested .RS/.RE blocks included} from the COMMANDS section,
    and the COMMON OPTIONS section's text."""
    section = re.search(r"(?ms)^\.SH COMMANDS\n(.*?)^\.SH ", roff).group(1)
    blocks, depth, current, previous = {}, 0, None, ""
    for line in section.splitlines():
        if line.startswith(".RS"):
            depth += 1
        elif line.startswith(".RE"):
            depth -= 1
        elif depth == 0 and previous == ".TP" and line.startswith(".B "):
            current = line[3:].strip()
            blocks[current] = ""
        if current:
            blocks[current] += line + "\n"
        previous = line
    common = re.search(r"(?ms)^\.SH COMMON OPTIONS\n(.*?)^\.SH ", roff).group(1)
    return {k: roff_text(v) for k, v in blocks.items()}, roff_text(common)


def bash_complete(words):
    """What the bash completion offers for `batchwatch WORDS...` (the last word being completed)."""
    script = (f"source {PACKAGING}/completions/batchwatch.bash\n"
              'COMP_WORDS=(batchwatch "$@"); COMP_CWORD=$#; _batchwatch; printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", script, "bash", *words], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


class ManPageAndCompletions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = cli_tree()
        with open(os.path.join(PACKAGING, "batchwatch.1")) as f:
            cls.roff = f.read()
        with open(os.path.join(PACKAGING, "completions", "_batchwatch")) as f:
            cls.zsh = f.read()

    def test_the_cli_is_what_this_test_expects_to_read(self):
        self.assertIn(("run",), self.tree)
        self.assertIn(("silence", "add"), self.tree)
        self.assertIn("--config", self.tree[("once",)])
        self.assertIn("--help", self.tree[()])

    def test_man_page_describes_every_command_and_flag(self):
        blocks, common = man_blocks(self.roff)
        top = sorted({path[0] for path in self.tree if path})
        self.assertEqual(sorted(blocks), top)
        for option in COMMON:
            self.assertIn(option, common)
        for path, options in self.tree.items():
            if not path:
                continue
            text = blocks[path[0]]
            for word in path[1:]:
                self.assertRegex(text, r"\b" + re.escape(" ".join(path)) + r"\b", path)
            for option in options - COMMON:
                self.assertRegex(text, re.escape(option) + r"\b", f"{' '.join(path)} {option}")

    def test_bash_completes_every_command_and_flag(self):
        for path, options in self.tree.items():
            subs = {p[len(path)] for p in self.tree if len(p) == len(path) + 1 and p[:len(path)] == path}
            if subs:
                self.assertLessEqual(subs, bash_complete([*path, ""]), path)
            self.assertLessEqual(options, bash_complete([*path, "--"]), path)
        self.assertEqual(bash_complete(["ba"]), {"backtest"})
        self.assertEqual(bash_complete(["once", "--format", ""]), {"text", "json"})
        self.assertEqual(bash_complete(["run", "--log-level", "w"]), {"warn"})

    def test_zsh_names_every_command_and_flag(self):
        for path, options in self.tree.items():
            if path:
                self.assertIn(f"'{path[-1]}:", self.zsh, path)
            for option in options:
                spelled = {f"'{option}[", f"{option}}}", f"{option}["}  # '--x[..]', {-h,--help}
                self.assertTrue(any(s in self.zsh for s in spelled), f"{' '.join(path)} {option}")

    @unittest.skipUnless(shutil.which("zsh"), "zsh not installed")
    def test_zsh_completion_parses(self):
        subprocess.run(["zsh", "-n", os.path.join(PACKAGING, "completions", "_batchwatch")], check=True, timeout=30)


if __name__ == "__main__":
    unittest.main()
