"""The agent runs on nodes with Python 3.6: syntax and standard-library use are checked here, in the
assembled file that is deployed and in every module it is assembled from.

The grammar check is exact (ast with feature_version=(3, 6)). APIs newer than 3.6 cannot be
seen by the grammar, so known ones are looked for in the syntax tree; those the agent uses on
purpose (os.pidfd_open, os.setns, os.unshare) must sit behind a hasattr() test.
"""

import ast
import sys
import unittest

from kwtlab import AGENT_PATH, AGENT_SOURCES

# attribute or name -> the Python version that added it
NEWER_THAN_36 = {
    "capture_output": "3.7 (subprocess.run)", "text": "3.7 (subprocess.run keyword)",
    "asyncio.run": "3.7", "asyncio.create_task": "3.7", "get_running_loop": "3.7",
    "dataclasses": "3.7", "time_ns": "3.7", "monotonic_ns": "3.7", "isascii": "3.7",
    "nullcontext": "3.7", "removeprefix": "3.9", "removesuffix": "3.9", "cached_property": "3.8",
    "shlex.join": "3.8", "math.isqrt": "3.8", "is_relative_to": "3.9", "readlink_path": "3.9",
    "waitstatus_to_exitcode": "3.9", "Literal": "3.8", "Protocol": "3.8", "TypedDict": "3.8",
    "TYPE_ALIAS": "3.10", "zip_strict": "3.10",
}
GUARDED = {"pidfd_open", "setns", "unshare"}
FORBIDDEN_IMPORTS = {"dataclasses", "contextvars", "graphlib", "zoneinfo", "tomllib"}
PACKAGE_DIR = AGENT_SOURCES / "keepwatch_agent"


def agent_sources():
    """(name, text) of the assembled file and of every module of the package."""
    sources = [("the assembled %s" % AGENT_PATH.name, AGENT_PATH.read_text())]
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        sources.append(("keepwatch_agent/%s" % path.name, path.read_text()))
    return sources


class Py36Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sources = [(name, source, ast.parse(source)) for name, source in agent_sources()]

    def test_there_are_modules_besides_the_assembled_file(self):
        self.assertGreater(len(self.sources), 2, "the package keepwatch_agent is where the agent's modules are")

    def test_grammar_is_python_36(self):
        if sys.version_info < (3, 8):
            self.skipTest("ast feature_version needs Python 3.8 or newer to check")
        for name, source, _ in self.sources:
            with self.subTest(name):
                ast.parse(source, feature_version=(3, 6))

    def test_no_future_annotations_and_no_walrus(self):
        for name, source, tree in self.sources:
            with self.subTest(name):
                self.assertNotIn("from __future__ import annotations", source)
                self.assertFalse([n for n in ast.walk(tree) if type(n).__name__ == "NamedExpr"])

    def test_no_newer_stdlib_api(self):
        for name, _, tree in self.sources:
            with self.subTest(name):
                self.assertEqual(self.newer_stdlib_api(tree), [])

    @staticmethod
    def newer_stdlib_api(tree):
        problems = []
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("capture_output", "text"):
                problems.append("keyword %s= at line %d (3.7)" % (node.arg, node.value.lineno))
            if isinstance(node, ast.Attribute):
                owner = node.value.id if isinstance(node.value, ast.Name) else ""
                dotted = "%s.%s" % (owner, node.attr)
                for key, version in NEWER_THAN_36.items():
                    if key in (dotted, node.attr) and key not in ("text",):
                        problems.append("%s at line %d (%s)" % (dotted, node.lineno, version))
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    if name and name.split(".")[0] in FORBIDDEN_IMPORTS:
                        problems.append("import %s at line %d" % (name, node.lineno))
        return problems

    def test_newer_os_functions_are_guarded(self):
        """os.pidfd_open / os.setns / os.unshare are only called inside `if hasattr(os, ...)`."""
        for name, _, tree in self.sources:
            with self.subTest(name):
                self.check_guarded(tree)

    def check_guarded(self, tree):
        guarded_ranges = []
        for node in ast.walk(tree):
            if isinstance(node, ast.If):
                test = ast.dump(node.test)
                for name in GUARDED:
                    if "hasattr" in test and repr(name) in test:
                        guarded_ranges.append((name, node.body[0].lineno, node.body[-1].end_lineno
                                               if hasattr(node.body[-1], "end_lineno") else node.body[-1].lineno))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "os" \
                    and node.func.attr in GUARDED:
                self.assertTrue(any(n == node.func.attr and lo <= node.lineno <= hi for n, lo, hi in guarded_ranges),
                                "os.%s at line %d is not behind hasattr()" % (node.func.attr, node.lineno))

    def test_standard_library_only(self):
        """The standard library, and in a module the package's own modules (`from .log import LOG`): nothing else."""
        allowed_roots = set(getattr(sys, "stdlib_module_names", ())) or None
        package = {p.stem for p in PACKAGE_DIR.glob("*.py")}
        for name, _, tree in self.sources:
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    roots = [a.name.split(".")[0] for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level > 0:
                    with self.subTest(name):
                        self.assertFalse(name.startswith("the assembled"), "the one file imports no module of its own")
                        self.assertEqual(node.level, 1, "from .module import name, at line %d" % node.lineno)
                        self.assertIn(node.module, package, "line %d imports no module of the agent" % node.lineno)
                    continue
                elif isinstance(node, ast.ImportFrom):
                    roots = [(node.module or "").split(".")[0]]
                else:
                    continue
                for root in roots:
                    if allowed_roots is not None:
                        with self.subTest(name):
                            self.assertIn(root, allowed_roots | {"_sha256"}, "import %s is not stdlib" % root)

    def test_typing_is_not_imported_at_run_time(self):
        """typing (and logging, argparse, hashlib) would cost megabytes of RSS on every node."""
        for name, _, tree in self.sources:
            top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            names = {a.name for n in top_level for a in n.names} | {n.module for n in top_level if isinstance(n, ast.ImportFrom)}
            for heavy in ("typing", "logging", "argparse", "hashlib", "asyncio", "datetime", "shutil", "random"):
                with self.subTest(name):
                    self.assertNotIn(heavy, names)


if __name__ == "__main__":
    unittest.main()
