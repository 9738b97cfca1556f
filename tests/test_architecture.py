"""The direction of the house (design brief §2), read from the source itself.

``lint-imports`` (import-linter, in ``make lint``) checks the layers; these tests check what a
contract cannot say: that no library module imports command-line code, and that modules do
not import each other in a cycle (deferred imports inside functions count; imports under
``if TYPE_CHECKING:`` do not, since they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "neuroattn"
CLI_NAMES = {"cli", "_cli", "_demo", "_simrun", "_simconfig"}  # the command and its helpers


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """Absolute names of everything ``path`` imports (``from a import b`` gives a and a.b)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _is_cli(module: str) -> bool:
    last = module.rpartition(".")[2]
    return last in CLI_NAMES or last.startswith("_cli_")  # _cli_base, _cli_translate, ...


def test_the_scan_sees_the_project() -> None:
    assert "neuroattn.dynamics._simulate" in MODULES
    assert "neuroattn.dynamics._simulate" in IMPORTS["neuroattn.dynamics"]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not _is_cli(m)))
def test_no_library_module_imports_command_line_code(module: str) -> None:
    bad = sorted(
        target
        for target in IMPORTS[module]
        if (target.startswith("neuroattn.") and _is_cli(target)) or target.split(".")[0] == "typer"
    )
    assert not bad, f"{module} imports command-line code: {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("neuroattn.dynamics")))
def test_dynamics_imports_nothing_else_of_the_project(module: str) -> None:
    bad = sorted(
        t
        for t in IMPORTS[module]
        if t.startswith("neuroattn") and not t.startswith("neuroattn.dynamics")
    )
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("neuroattn.vision")))
def test_vision_never_imports_nn_or_torch(module: str) -> None:
    bad = sorted(
        t for t in IMPORTS[module] if t.startswith("neuroattn.nn") or t.split(".")[0] == "torch"
    )
    assert not bad, f"{module} imports {bad}"


def _module_graph() -> dict[str, set[str]]:
    """Edges between plain modules (package ``__init__`` files re-export, so they are left
    out: an import of a package is not an edge)."""
    plain = {m for m, p in MODULES.items() if p.name != "__init__.py"}
    return {m: {t for t in IMPORTS[m] if t in plain and t != m} for m in plain}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_modules() -> None:
    assert _cycles(_module_graph()) == []
