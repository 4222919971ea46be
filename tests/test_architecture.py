"""The architecture the layer contracts cannot see: imports of the project's modules sit at the top
of a module (an import inside a function hides a cycle), and only the transaction decorator and the
batch loops commit."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("engine", "web", "cli", "config")
# the one transaction decorator, the loops that commit each batch or message on its own, and the
# timer worker's record of a case its watchdog stopped (kept even when the next batch fails)
COMMIT_OWNERS = {
    ("engine/core/transaction.py", "wrapper"),
    ("engine/process/timers.py", "fire_batch"),
    ("engine/process/timers.py", "_fire_one"),
    ("engine/process/timers.py", "_retire_stuck_case"),
    ("engine/collab/notifications.py", "send_pending"),
    ("engine/collab/deadlines.py", "sweep"),
}


def _sources() -> list[Path]:
    found = [p for folder in ("engine", "web", "cli") for p in (ROOT / folder).rglob("*.py")]
    return sorted(p for p in found if "migrations" not in p.parts)


def _inner_imports(path: Path) -> list[str]:
    """Every import of a project module (or a relative one) inside a function of `path`."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." if node.level else node.module or ""]
            else:
                continue
            if any(name == "." or name.split(".")[0] in PROJECT_PACKAGES for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}")
    return found


def _commits(path: Path) -> list[tuple[str, str, int]]:
    """(file, function, line) of every argument-less `.commit()` call, named after the innermost
    function around it (so a decorator's inner wrapper is not also blamed on the decorator)."""
    file = str(path.relative_to(ROOT))
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "commit" and not child.args):
                found.append((file, function, child.lineno))
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return found


def test_the_sources_are_there() -> None:
    assert len(_sources()) > 100


def test_no_project_module_is_imported_inside_a_function() -> None:
    assert [site for path in _sources() for site in _inner_imports(path)] == []


def test_only_the_transaction_decorator_and_the_batch_loops_commit() -> None:
    commits = {site for path in _sources() for site in _commits(path)}
    outside = sorted(f"{file}:{line} in {name}" for file, name, line in commits if (file, name) not in COMMIT_OWNERS)
    assert outside == []


@pytest.mark.parametrize("owner", sorted(COMMIT_OWNERS))
def test_each_allowed_commit_site_still_commits(owner: tuple[str, str]) -> None:
    """A stale entry in the allow-list would let a new commit hide behind its name."""
    file, name = owner
    assert any((f, n) == owner for f, n, _ in _commits(ROOT / file))
