"""The shape of the package (docs/architecture.md): every module imports on its own, the import
graph has no cycle, nobody imports another module's private names, and no module outgrows
400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"
MAX_MODULE_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import statement, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def graph() -> dict[str, set[str]]:
    """Edges between portal's modules; ``from portal.x import y`` points at portal.x.y when y is a module."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for module, names in imports_of(path):
            if module not in MODULES:
                continue
            targets = {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
            if len(targets) < len(names):
                targets.add(module)
            edges[name] |= targets - {name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_no_module_imports_another_modules_private_names():
    private = [f"{name} takes {module}.{n}" for name, path in MODULES.items()
               for module, names in imports_of(path) if module.startswith("portal")
               for n in names if n.startswith("_")]
    assert private == []


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


# Runs in a subprocess: the libraries portal uses are imported once, then each portal module is
# imported in a forked child that has imported no portal module yet (a circular import that only
# works in a lucky order fails here). A fresh interpreter per module would take a minute.
IMPORT_EACH_ALONE = """
import importlib, os, sys, traceback
for library in sys.argv[2].split(","):
    try:
        importlib.import_module(library)
    except Exception:
        pass
failed = 0
for name in sys.argv[1].split(","):
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            print(name, traceback.format_exc().strip().splitlines()[-1], flush=True)
            os._exit(1)
        os._exit(0)
    failed += os.waitpid(pid, 0)[1] != 0
print("failed", failed)
"""


def test_every_module_imports_on_its_own():
    libraries = sorted({module.split(".")[0] for path in MODULES.values() for module, _names in imports_of(path)
                        if not module.startswith("portal")})
    assert "portal" not in libraries
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, ",".join(MODULES), ",".join(libraries)],  # noqa: S603
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.stdout.strip().splitlines()[-1:] == ["failed 0"], result.stdout + result.stderr
    assert len(MODULES) > 50


def test_a_module_that_fails_to_import_is_reported(tmp_path):
    (tmp_path / "broken_mod.py").write_text("import broken_mod_b\n")
    (tmp_path / "broken_mod_b.py").write_text("from broken_mod import missing\n")
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, "broken_mod", "json"], cwd=tmp_path,  # noqa: S603
                            capture_output=True, text=True, timeout=60, check=False)
    assert "failed 1" in result.stdout and "ImportError" in result.stdout
