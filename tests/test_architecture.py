"""The layout follows docs/architecture.md: no import circles, imports only downwards, small modules.

Every import counts, also one inside a function; only imports under `if TYPE_CHECKING:` do not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from diagnose._moved import MOVED

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "diagnose"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
API = ROOT / "docs" / "api.md"
MAX_LINES = 500

#: The documented modules, each shown in docs/api.md.
PUBLIC_MODULES = [
    "diagnose", "diagnose.assessment.preferences", "diagnose.assessment.recommendation",
    "diagnose.assessment.scoring", "diagnose.assessment.explain", "diagnose.assessment.questions", "diagnose.assessment.warnings", "diagnose.authoring.analysis", "diagnose.authoring.catalog",
    "diagnose.authoring.checks", "diagnose.authoring.whatif", "diagnose.batch", "diagnose.batch.tabular",
    "diagnose.chart", "diagnose.cycle.evaluation", "diagnose.cycle.monitoring", "diagnose.cycle.plan",
    "diagnose.cycle.trajectory", "diagnose.engine", "diagnose.errors", "diagnose.knowledge",
    "diagnose.knowledge.cases", "diagnose.knowledge.conditions", "diagnose.knowledge.cycle_rules",
    "diagnose.knowledge.fairness", "diagnose.knowledge.schema", "diagnose.quality", "diagnose.store",
]  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The modules of the package that `name` imports at run time (in functions too)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            candidates = [base, *(f"{base}.{a.name}" for a in node.names)]
        else:
            continue
        found |= {c for c in candidates if c in MODULES and c != name}
    return found


GRAPH = {name: imports(name) for name in MODULES}


def rules() -> dict[str, str]:
    """The table of docs/architecture.md: part → what it may import, as written."""
    table = ARCHITECTURE.read_text(encoding="utf-8").split("## What each part may import", 1)[1]
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+) \|$", table.split("\n## ", 1)[0], re.MULTILINE)
    return {
        part.replace("`", "").strip(): allowed.strip()
        for part, allowed in rows
        if part not in {"part", "---"}
    }


RULES = rules()


def part_of(name: str) -> str:
    """The row of the table that governs module `name`."""
    if name in MOVED:
        return "deprecated paths"
    if name == "diagnose":
        return "diagnose (the package)"
    if name == "diagnose.__main__":
        return "diagnose.cli"
    parts = [p for p in RULES if p.startswith("diagnose") and (name == p or name.startswith(p + "."))]
    assert parts, f"{name} is in no row of docs/architecture.md"
    return max(parts, key=len)


def allowed(part: str, target: str) -> bool:
    """Whether a module of `part` may import module `target`, by the table."""
    words = RULES[part]
    if words == "nothing":
        return False
    if words in {"everything but the deprecated paths", "`_moved` and the modules that now hold their names"}:
        return target not in MOVED
    entries = ["diagnose." + e for e in re.findall(r"`([^`]+)`", words)]
    return any(target == e or target.startswith(e + ".") for e in entries)


def test_the_table_has_a_row_for_every_part() -> None:
    assert sorted(RULES) == sorted(
        [
            "diagnose.errors", "diagnose._base", "diagnose._moved", "diagnose._consistency", "diagnose.engine",
            "diagnose.knowledge", "diagnose.assessment", "diagnose.cycle", "diagnose.authoring", "diagnose.batch",
            "diagnose.quality", "diagnose.store", "diagnose.chart", "diagnose.cli", "diagnose (the package)", "deprecated paths",
        ]
    )  # fmt: skip


def test_no_import_circle() -> None:
    """Invariant: following imports from any module never leads back to it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                circles.append(sorted([v, *component]))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert circles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_imports_only_what_the_table_allows(name: str) -> None:
    part = part_of(name)
    own = name.rpartition(".")[0] if MODULES[name].name != "__init__.py" else name
    refused = sorted(t for t in GRAPH[name] if not allowed(part, t) and not t.startswith(own + "."))
    assert refused == [], f"{name} ({part}: {RULES[part]})"


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if n != "diagnose" and part_of(n) != "diagnose.cli")
)
def test_inside_the_library_a_name_comes_from_its_module_not_a_package(name: str) -> None:
    packages = {n for n, p in MODULES.items() if p.name == "__init__.py"}
    own = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    assert sorted(t for t in GRAPH[name] if t in packages and t != own and not own.startswith(t + ".")) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_stays_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_the_api_page_shows_every_public_module() -> None:
    shown = re.findall(r"^::: (\S+)$", API.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(shown) == sorted(PUBLIC_MODULES)


@pytest.mark.parametrize(
    ("part", "target", "expected"),
    [
        ("diagnose.errors", "diagnose._base", False),
        ("diagnose.engine", "diagnose.knowledge.conditions", True),
        ("diagnose.engine", "diagnose.knowledge._loader", False),
        ("diagnose.assessment", "diagnose.cycle.plan", False),
        ("diagnose.cli", "diagnose.batch._compiled", True),
        ("diagnose.cli", "diagnose.scoring", False),
    ],
)
def test_the_table_is_read_as_written(part: str, target: str, expected: bool) -> None:  # noqa: FBT001 - parametrized
    assert allowed(part, target) is expected
