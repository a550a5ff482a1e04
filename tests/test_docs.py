"""The documentation runs: every Python session, command and YAML block in the docs is checked."""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import diagnose
from diagnose.cli import cli

ROOT = Path(__file__).parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: The rule-authoring guide's commands run against scratch copies it describes in prose, not against
#: the unchanged rules/: its YAML is parsed here, its commands, outputs, YAML positions and excerpts
#: are checked in the states they belong to by tests/test_guide.py (data in tests/data/guide/).
SCENARIO_PAGES = {"rule-authoring.md"}


def blocks(kind: str) -> list[tuple[str, int, str, str | None]]:
    """(page, block number, code, the text block right after it) for every block of a kind."""
    out = []
    for page in PAGES:
        found = list(FENCE.finditer(page.read_text(encoding="utf-8")))
        for n, match in enumerate(found):
            if match.group(1) == kind:
                following = found[n + 1] if n + 1 < len(found) else None
                between = (
                    page.read_text(encoding="utf-8")[match.end() : following.start()] if following else ""
                )
                text = (
                    following.group(2)
                    if following and following.group(1) == "text" and not between.strip()
                    else None
                )
                out.append((page.name, n, match.group(2), text))
    return out


PYCON = blocks("pycon")
YAML = blocks("yaml")
BASH = [b for b in blocks("bash") if b[0] not in SCENARIO_PAGES]
SESSIONS = sorted({page for page, *_ in PYCON})


@pytest.mark.parametrize("page", SESSIONS)
def test_python_sessions(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python sessions of a page run in order, as one session, with their output checked."""
    monkeypatch.chdir(ROOT)  # pages refer to files such as examples/ from the repository root
    globs: dict[str, object] = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for _, n, code, _ in (b for b in PYCON if b[0] == page):
        test = doctest.DocTestParser().get_doctest(code, globs, f"{page}#{n}", page, 0)
        runner.run(test, clear_globs=False)
        globs = test.globs  # DocTest copies the globals it is given; carry them to the next block
    assert runner.failures == 0


def _shows_syntax_error(page: str, n: int) -> bool:
    """Whether one of the next few blocks of a page is output showing a YAML syntax error."""
    found = list(
        FENCE.finditer((ROOT / ("docs" if page != "README.md" else "") / page).read_text(encoding="utf-8"))
    )
    return any("YAML syntax error" in m.group(2) for m in found[n + 1 : n + 4] if m.group(1) == "text")


@pytest.mark.parametrize(("page", "n", "code", "text"), YAML, ids=[f"{p}#{n}" for p, n, _, _ in YAML])
def test_yaml_blocks_parse(page: str, n: int, code: str, text: str | None) -> None:
    del text
    try:
        yaml.safe_load(code)
    except yaml.YAMLError:
        assert _shows_syntax_error(page, n), "invalid YAML that is not a demonstrated error"


@pytest.mark.parametrize(("page", "n", "code", "text"), BASH, ids=[f"{p}#{n}" for p, n, _, _ in BASH])
def test_commands(  # noqa: PLR0913, PLR0917 - four parametrized values and two fixtures
    page: str, n: int, code: str, text: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    del page, n
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for line in code.splitlines():
        command = line.split("  #")[0].strip()
        if not command.startswith("diagnose "):
            continue  # install steps and the like are for a fresh machine, not for the tests
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.stdout)
    if text is not None:
        assert "".join(outputs) == text


def test_every_page_has_checked_code() -> None:
    checked = {p for p, *_ in PYCON + BASH}
    assert {"README.md", "index.md", "getting-started.md", "concepts.md", "errors.md"} <= checked


def _hooks() -> object:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_hooks_generate_the_catalogue_and_cli_reference() -> None:
    hooks = _hooks()
    catalogue = hooks.expand("<!-- generated: catalogue -->")  # type: ignore[attr-defined]
    kb = diagnose.load_knowledge_base()
    assert all(f"`{rule.id}`" in catalogue for rule in kb.rules)
    reference = hooks.expand("<!-- generated: cli -->")  # type: ignore[attr-defined]
    for command in ("assess", "batch", "catalog", "check", "compare-kb", "schema", "plan", "review", "chart"):
        assert f"## diagnose {command}" in reference
    chart = hooks.expand("<!-- generated: chart -->")  # type: ignore[attr-defined]
    assert chart.startswith('<div class="profile-chart"><svg')
