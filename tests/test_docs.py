"""The documentation runs: every Python session, command and YAML block in the docs is checked."""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from mkdocs.exceptions import PluginError

import diagnose
from diagnose.cli._main import cli

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


# The built site: one `mkdocs build --strict` per test session, shared by the checks below.

#: Dutch pages: their front matter says `lang: nl`, and the built page must say so to browsers.
DUTCH_PAGES = ("advies-lezen", "rule-authoring", "catalogue")
#: A reference in the built HTML or CSS that makes the browser fetch something: a stylesheet, a
#: script, an image or frame, a CSS import or url(). Plain links (<a href>) fetch nothing.
FETCHES = re.compile(
    r"<(?:link|script|img|iframe|source|audio|video)\b[^>]*?\s(?:href|src|srcset)=[\"']([^\"']+)"
    r"|@import\s+(?:url\()?[\"']?([^\"');\s]+)"
    r"|url\([\"']?([^\"')]+)",
    re.IGNORECASE,
)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built as CI builds it (strict), into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(  # noqa: S603 - a fixed command line: this interpreter's mkdocs
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def _external(reference: str) -> bool:
    return bool(
        re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE)
    ) and not reference.startswith("data:")


def test_the_site_fetches_nothing_from_other_hosts(site: Path) -> None:
    """No page or stylesheet makes a reader's browser ask another host (fonts or anything else)."""
    built = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(built) > len(PAGES)  # every page, and the theme's and our stylesheets
    fetched = {
        (path.relative_to(site).as_posix(), ref)
        for path in built
        for match in FETCHES.finditer(path.read_text(encoding="utf-8"))
        for ref in match.groups()
        if ref and _external(ref)
    }
    assert fetched == set()
    for path in built:
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text, path
        assert "fonts.gstatic.com" not in text, path


def test_only_pages_and_their_assets_are_published(site: Path) -> None:
    published = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert not {p for p in published if p.endswith((".py", ".pyc", ".md"))}
    assert "stylesheets/extra.css" in published
    assert {f"{page}/index.html" for page in DUTCH_PAGES} <= published


@pytest.mark.parametrize("page", ["", "getting-started", "cli", *DUTCH_PAGES])
def test_pages_declare_their_language(site: Path, page: str) -> None:
    html = (site / page / "index.html").read_text(encoding="utf-8")
    (declared,) = re.findall(r'<html lang="([^"]*)"', html)
    assert declared == ("nl" if page in DUTCH_PAGES else "en")


def test_the_catalogue_tables_are_labelled_for_narrow_screens(site: Path) -> None:
    html = (site / "catalogue" / "index.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table[^>]*>.*?</table>", html, re.DOTALL)
    assert tables
    for table in tables:
        assert table.startswith("<table data-catalogue>")
        assert "<td>" not in table  # every cell has its column's name
    assert '<td data-label="bronnen">' in html
    assert '<td data-label="id"><code>self_efficacy</code></td>' in html
    assert 'href="../stylesheets/extra.css"' in html


def test_the_home_page_sends_client_managers_to_the_dutch_page_first(site: Path) -> None:
    """The first link of the home page's text, in a block marked Dutch, is "Het advies lezen"."""
    html = (site / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") :]
    assert re.findall(r'<a href="([^"#]+)"', article)[0] == "advies-lezen/"
    dutch = article[article.index('<div lang="nl">') :]
    assert dutch.index('href="advies-lezen/"') < dutch.index("</div>")
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    (row,) = [line for line in index.splitlines() if line.startswith("| client managers")]
    assert re.findall(r"\]\(([^)]+)\)", row)[0] == "advies-lezen.md"


def test_the_build_hooks_examples_run() -> None:
    failures, tried = doctest.testmod(_hooks(), optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert (failures, tried > 0) == (0, True)


def test_a_page_language_must_be_a_language_code() -> None:
    page = types.SimpleNamespace(meta={"lang": "Nederlands"}, file=types.SimpleNamespace(src_uri="x.md"))
    with pytest.raises(
        PluginError,
        match=r"^x\.md: front matter lang: expected a two-letter language code, got 'Nederlands'$",
    ):
        _hooks().on_post_page('<html lang="en">', page=page)  # type: ignore[attr-defined]
