"""The agent's modules and the one file assembled from them (ADR 0006).

The one file is what nodes run, and the tests run it; its modules must also stand on their own: each imports what it
uses (in the one file every name is there anyway, so a missing import would go unseen), they import each other in one
direction only, and the same modules always make the same file. test_py36 checks the syntax and imports of each.
"""

import ast
import os
import subprocess
import symtable
import sys
import unittest

import builtins

from kwtlab import AGENT_PATH, AGENT_SOURCES, AGENT_UNDER_TEST_ENV, HERE, UNDER_TEST_MODULES, assembler

PACKAGE_DIR = AGENT_SOURCES / "keepwatch_agent"
# Test modules whose tests run in this process against agent_module(): run again against the modules.
IN_PROCESS_TESTS = ("test_units", "test_claims", "test_dumps", "test_check_output", "test_config_files",
                    "test_configured", "test_discovery", "test_apply", "test_apply_safety", "test_protocol",
                    "test_daemon_ops")
MODULE_TESTS_TIMEOUT_S = 600


def module_sources():
    return [(path.stem, path.read_text()) for path in sorted(PACKAGE_DIR.glob("*.py"))]


def global_names_used(table: symtable.SymbolTable):
    """Names any scope of a module looks up as globals (not bound in a function or class around it)."""
    used = set()
    for child in table.get_children():
        for symbol in child.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                used.add(symbol.get_name())
        used |= global_names_used(child)
    return used


def global_names_assigned(table: symtable.SymbolTable):
    """Names a function binds in the module's namespace (`global X` then X = ...)."""
    names = set()
    for child in table.get_children():
        names |= {s.get_name() for s in child.get_symbols() if s.is_declared_global() and s.is_assigned()}
        names |= global_names_assigned(child)
    return names


class AgentModulesTest(unittest.TestCase):
    def test_modules_import_each_other_in_one_direction_and_all_are_used(self):
        order = assembler().ordered_modules()      # raises on a cycle or a module nothing uses
        self.assertEqual(sorted(order), sorted(name for name, _ in module_sources() if name != "__init__"))

    def test_the_same_modules_make_the_same_file(self):
        tool = assembler()
        first = tool.assemble()
        self.assertEqual(tool.assemble(), first)
        self.assertEqual(AGENT_PATH.read_bytes(), first, "the tests run the file assembled from these modules")

    def test_every_name_a_module_uses_is_its_own_imported_or_builtin(self):
        """In the one file every module sees every name; on its own a module sees only what it defines and imports."""
        for name, source in module_sources():
            with self.subTest(name):
                table = symtable.symtable(source, name + ".py", "exec")
                bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
                bound |= global_names_assigned(table) | set(dir(builtins)) | {"__file__", "__name__", "__doc__"}
                used = global_names_used(table) | {s.get_name() for s in table.get_symbols() if s.is_referenced()}
                self.assertEqual(sorted(used - bound), [])

    def test_no_two_modules_define_one_name(self):
        """In the one file they share a namespace: the later definition would replace the earlier everywhere."""
        defined = {}
        for name, source in module_sources():
            for node in ast.parse(source).body:
                for top in top_level_names(node):
                    if top != "TYPE_CHECKING":
                        with self.subTest(top):
                            self.assertNotIn(top, defined, "%s is defined in %s and %s" % (top, defined.get(top), name))
                        defined[top] = name

    def test_a_global_set_at_run_time_is_imported_by_no_other_module(self):
        """`from .m import X` copies X once: a module that sets X later (`global X`) would leave the copy behind."""
        reassigned = {}
        for name, source in module_sources():
            for top in global_names_assigned(symtable.symtable(source, name + ".py", "exec")):
                reassigned[top] = name
        for name, source in module_sources():
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and node.level > 0:
                    for alias in node.names:
                        with self.subTest(name):
                            self.assertNotIn(alias.name, reassigned, "%s imports %s, which %s sets at run time"
                                             % (name, alias.name, reassigned.get(alias.name)))

    def test_every_function_has_type_hints(self):
        for name, source in module_sources() + [("the assembled file", AGENT_PATH.read_text())]:
            with self.subTest(name):
                self.assertEqual(unhinted_functions(ast.parse(source)), [])

    def test_in_process_tests_pass_against_the_modules(self):
        """The in-process tests again, with agent_module() giving the modules instead of the one file."""
        if os.environ.get(AGENT_UNDER_TEST_ENV) == UNDER_TEST_MODULES:
            self.skipTest("this run is the one against the modules")
        env = dict(os.environ)
        env[AGENT_UNDER_TEST_ENV] = UNDER_TEST_MODULES
        run = subprocess.run([sys.executable, "-m", "unittest"] + list(IN_PROCESS_TESTS), cwd=str(HERE), env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                             timeout=MODULE_TESTS_TIMEOUT_S)
        self.assertEqual(run.returncode, 0, run.stdout[-20000:])


def top_level_names(node: ast.stmt):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]


def unhinted_functions(tree: ast.Module):
    """Functions with an argument (other than a method's self or cls) or a return without a type hint."""
    found = []

    def visit(node: ast.AST, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = list(getattr(child.args, "posonlyargs", [])) + child.args.args + child.args.kwonlyargs
                if in_class and args and args[0].arg in ("self", "cls"):
                    args = args[1:]
                args += [a for a in (child.args.vararg, child.args.kwarg) if a is not None]
                if child.returns is None or any(a.annotation is None for a in args):
                    found.append("%s at line %d" % (child.name, child.lineno))
                visit(child, False)
            else:
                visit(child, True if isinstance(child, ast.ClassDef) else in_class)

    visit(tree, False)
    return found


if __name__ == "__main__":
    unittest.main()
