#!/usr/bin/env python3
"""Assembles the agent's source modules (keepwatch_agent/*.py) into the one file that is deployed.

The agent ships as one file with one SHA-256 (AgentScript, docs/protocol.md), and is written as modules with one
responsibility each (ADR 0006). The file is their plain concatenation: the package's docstring, then every module in
dependency order (a module after the modules it imports; the entry module, ENTRY_MODULE, last), each under a banner
naming its source, with the package-relative imports (`from .log import LOG`) left out: in the one file every module's
names are already there. Nothing else is changed, so the file reads and greps like its sources, and it runs as they do.

The output depends on the sources only (no time, no path, no environment): the same sources give the same bytes and so
the same hash. Run by the build at generate-resources, and by the Python tests before they load the file.

    python3 assemble_agent.py OUTPUT_FILE

It runs where the project is built (Python 3.8 or newer, for the syntax tree's end lines), not on a node.
"""

import ast
import os
import sys
from pathlib import Path
from typing import Dict, List, Set

PACKAGE = "keepwatch_agent"
SOURCE_DIR = Path(__file__).resolve().parent / PACKAGE
ENTRY_MODULE = "main"           # the module with main(); it comes last, after everything it uses
HEADER = "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"
GENERATED = ("# Generated at build time from the modules in agent-client/src/main/python/%s/ by assemble_agent.py\n"
             "# (ADR 0006): change those, not this file. Each section below is one module; the imports between\n"
             "# them are left out, since here they share one namespace.\n" % PACKAGE)
BANNER_WIDTH = 110
MIN_PYTHON = (3, 8)


class AssemblyError(Exception):
    """The modules cannot be put together into one file (a cycle, an import the one file cannot keep)."""


def module_names(source_dir: Path = SOURCE_DIR) -> List[str]:
    """The package's modules, without __init__ (which holds the package's docstring only)."""
    return sorted(p.stem for p in source_dir.glob("*.py") if p.stem != "__init__")


def read_source(source_dir: Path, name: str) -> str:
    return (source_dir / (name + ".py")).read_text(encoding="utf-8")


def package_imports(tree: ast.Module, name: str) -> Set[str]:
    """The package's modules this module imports when it runs (`from .x import a` at top level); those imported in
    `if TYPE_CHECKING:` only, for annotations, do not order the file."""
    found = {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.level > 0}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            if node.level != 1 or not node.module:
                raise AssemblyError("%s.py: write package imports as `from .module import name`" % name)
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == PACKAGE for a in node.names):
            raise AssemblyError("%s.py: write package imports as `from .module import name`" % name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            raise AssemblyError("%s.py: write package imports as `from .module import name`" % name)
    return found


def removable_import_lines(tree: ast.Module, name: str) -> Set[int]:
    """Line numbers (1-based) of the package-relative imports, which must sit at top level or directly in a
    top-level `if TYPE_CHECKING:`; anywhere else their names would not be there in the one file."""
    lines = set()  # type: Set[int]
    allowed = set()  # type: Set[int]
    for node in tree.body:
        candidates = [node]
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            candidates = list(node.body)
            if all(isinstance(c, ast.ImportFrom) and c.level > 0 for c in candidates):
                raise AssemblyError("%s.py: an `if TYPE_CHECKING:` block must keep its typing import" % name)
        for candidate in candidates:
            if isinstance(candidate, ast.ImportFrom) and candidate.level > 0:
                allowed.add(id(candidate))
                lines.update(range(candidate.lineno, candidate.end_lineno + 1))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0 and id(node) not in allowed:
            raise AssemblyError("%s.py line %d: package imports go at top level" % (name, node.lineno))
    return lines


def dependency_order(imports: Dict[str, Set[str]], entry: str = ENTRY_MODULE) -> List[str]:
    """Every module after the modules it imports, the entry module last; ties in name order. A cycle, an import of a
    module that does not exist, and a module the entry module does not reach are errors."""
    order = []  # type: List[str]
    done = set()  # type: Set[str]
    visiting = []  # type: List[str]

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise AssemblyError("import cycle: %s" % " -> ".join(visiting[visiting.index(name):] + [name]))
        if name not in imports:
            raise AssemblyError("%s imports %s, which is not a module of %s" % (visiting[-1], name, PACKAGE))
        visiting.append(name)
        for dependency in sorted(imports[name]):
            visit(dependency)
        visiting.pop()
        done.add(name)
        order.append(name)

    if entry not in imports:
        raise AssemblyError("no entry module %s.py in %s" % (entry, PACKAGE))
    visit(entry)
    unused = sorted(set(imports) - done)
    if unused:
        raise AssemblyError("modules the agent does not use: %s" % ", ".join(unused))
    return order


def ordered_modules(source_dir: Path = SOURCE_DIR) -> List[str]:
    """The package's modules in the order the one file holds them."""
    imports = {}  # type: Dict[str, Set[str]]
    for name in module_names(source_dir):
        imports[name] = package_imports(ast.parse(read_source(source_dir, name)), name)
    return dependency_order(imports)


def section(name: str, source: str) -> str:
    """One module as it stands in the file: a banner, then its text without the package-relative imports."""
    tree = ast.parse(source)
    drop = removable_import_lines(tree, name)
    kept = [line for number, line in enumerate(source.splitlines(), 1) if number not in drop]
    banner = "# " + ("---- %s/%s.py " % (PACKAGE, name)).ljust(BANNER_WIDTH - 2, "-")
    return banner + "\n\n" + "\n".join(kept).strip("\n") + "\n"


def assemble(source_dir: Path = SOURCE_DIR) -> bytes:
    """The one file, as bytes: the same sources always give the same bytes."""
    docstring = ast.get_docstring(ast.parse(read_source(source_dir, "__init__")), clean=False)
    if not docstring:
        raise AssemblyError("%s/__init__.py must hold the agent's docstring" % PACKAGE)
    parts = [HEADER + GENERATED + '"""' + docstring + '"""\n']
    for name in ordered_modules(source_dir):
        parts.append(section(name, read_source(source_dir, name)))
    text = "\n\n".join(parts)
    compile(text, "%s.py" % PACKAGE, "exec", dont_inherit=True)     # fails the build, not a node
    return text.encode("utf-8")


def write_if_changed(output: Path, data: bytes) -> bool:
    """Writes data to output unless it already holds exactly that (a temporary file renamed over, so a reader
    never sees half of it). True when written."""
    try:
        if output.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(".%s.%d.tmp" % (output.name, os.getpid()))
    tmp.write_bytes(data)
    os.replace(str(tmp), str(output))
    return True


def main(argv: List[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        sys.stderr.write("assemble_agent.py needs Python %d.%d or newer to build the agent\n" % MIN_PYTHON)
        return 2
    if len(argv) != 1:
        sys.stderr.write("usage: assemble_agent.py OUTPUT_FILE\n")
        return 2
    try:
        write_if_changed(Path(argv[0]), assemble())
    except (AssemblyError, SyntaxError) as exc:
        sys.stderr.write("assemble_agent.py: %s\n" % exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
