"""A corpus of broken knowledge bases, each pinned to the exact messages it must produce.

The cases are data, not code (like the JSON-Schema-Test-Suite): every `tests/data/broken/*.yaml`
file holds a list of `cases`, and every case is the frozen fixture knowledge base
(`tests/data/kb`) plus a small edit. A case has these keys:

* `id`: unique over the whole corpus; the test id.
* `description`: what is broken, in one sentence.
* `edits`: file (relative to the knowledge base) → `[old, new]` (replace the first `old`, which
  must occur), a list of such pairs (applied in turn), a string (the whole new file), or null
  (delete the file, or the folder). Or, for what text cannot say, a mapping of one of:
  * `link: TARGET`: a symbolic link (TARGET absolute, or relative to the link's folder), in
    place of the file if there is one;
  * `fifo: true`: a FIFO (named pipe) in place of the file;
  * `generate: {before, repeat, times, after, close, end}`: a file of `before`, `repeat` written
    `times` times, `after`, `close` written `times` times, then `end` (a file too large or too
    deep to keep in the corpus as text).
* `stage`: where the problem shows:
  * `load`: `diagnose.load_knowledge_base` raises `KnowledgeBaseError`, whose problems render as
    `expected` (in order); an empty `expected` means it loads without a problem;
  * `analysis`: the knowledge base loads, and `diagnose.authoring.analysis.analyse` finds `expected`;
  * `check`: `diagnose check DIR` exits with `exit_code` and prints `expected`, line by line.
* `exit_code`: for `check` cases only.
* `summary`: optionally, for `check` cases, the final summary line without its content hash.
* `defect`: what is wrong with what the library says today. Such a case pins the current
  behaviour, so that it is seen, and fails once the library changes (then pin the better one).
* `crash`: for `load` cases, the exception type that loading raises today instead of
  `KnowledgeBaseError` (always with a `defect`); `expected`, if not empty, is its message.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import diagnose
from diagnose.authoring.analysis import analyse
from diagnose.cli._main import cli
from tests.conftest import FIXTURE_KB

if TYPE_CHECKING:
    from tests.conftest import Edits, MakeKb

CORPUS = Path(__file__).parent / "data" / "broken"
Stage = Literal["load", "analysis", "check"]
_KEYS = frozenset(
    {"id", "description", "edits", "stage", "expected", "exit_code", "summary", "defect", "crash"}
)
_HASH = re.compile(r"; sha256:[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class BrokenCase:
    """One broken knowledge base and what the library must say about it."""

    id: str
    description: str
    file: str
    edits: Edits
    removed_folders: tuple[str, ...]
    specials: tuple[tuple[str, dict[str, Any]], ...]
    stage: Stage
    expected: tuple[str, ...]
    exit_code: int | None
    summary: str | None
    defect: str | None
    crash: str | None


def _text(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        msg = f"{where}: {key!r} must be non-empty text"
        raise ValueError(msg)
    return value


def _is_pair(edit: object) -> bool:
    return isinstance(edit, list) and len(edit) == 2 and all(isinstance(e, str) for e in edit)


def _replace_all(name: str, pairs: list[tuple[str, str]], where: str) -> str:
    """The fixture file's text with each (old, new) applied in turn, as `make_kb` applies one."""
    text = (FIXTURE_KB / name).read_text(encoding="utf-8")
    for old, new in pairs:
        if old not in text:
            msg = f"{where}: {old!r} not in {name}"
            raise ValueError(msg)
        text = text.replace(old, new, 1)
    return text


_SPECIALS = frozenset({"link", "fifo", "generate"})
_GENERATE = frozenset({"before", "repeat", "times", "after", "close", "end"})


def _special(edit: dict[str, Any], where: str) -> dict[str, Any]:
    if len(edit) != 1 or not set(edit) <= _SPECIALS:
        msg = f"{where}: a mapping edit has one key of {sorted(_SPECIALS)}"
        raise ValueError(msg)
    generate = edit.get("generate")
    if generate is not None and (
        not isinstance(generate, dict)
        or not set(generate) <= _GENERATE
        or not isinstance(generate.get("times"), int)
    ):
        msg = f"{where}: 'generate' takes {sorted(_GENERATE)}, with a whole number of 'times'"
        raise ValueError(msg)
    return edit


def _edits(raw: object, where: str) -> tuple[Edits, tuple[str, ...], tuple[tuple[str, dict[str, Any]], ...]]:
    if not isinstance(raw, dict) or not raw:
        msg = f"{where}: 'edits' must be a non-empty mapping of file to edit"
        raise ValueError(msg)
    edits: Edits = {}
    folders: list[str] = []
    specials: list[tuple[str, dict[str, Any]]] = []
    for name, edit in raw.items():
        if isinstance(edit, dict):
            specials.append((name, _special(edit, where)))
        elif edit is None and (FIXTURE_KB / name).is_dir():
            folders.append(name)
        elif edit is None or isinstance(edit, str):
            edits[name] = edit
        elif _is_pair(edit):
            edits[name] = (edit[0], edit[1])
        elif isinstance(edit, list) and edit and all(_is_pair(pair) for pair in edit):
            edits[name] = _replace_all(name, [(old, new) for old, new in edit], where)
        else:
            msg = f"{where}: the edit of {name!r} must be [old, new], a list of them, a whole text, or null"
            raise ValueError(msg)
    return edits, tuple(folders), tuple(specials)


def _case(raw: object, file: str) -> BrokenCase:
    if not isinstance(raw, dict):
        msg = f"{file}: every case must be a mapping"
        raise TypeError(msg)
    where = f"{file}: case {raw.get('id')!r}"
    if unknown := set(raw) - _KEYS:
        msg = f"{where}: unknown keys {sorted(unknown)}"
        raise ValueError(msg)
    stage = raw.get("stage")
    if stage not in {"load", "analysis", "check"}:
        msg = f"{where}: 'stage' must be load, analysis or check"
        raise ValueError(msg)
    expected = raw.get("expected")
    if not isinstance(expected, list) or not all(isinstance(line, str) for line in expected):
        msg = f"{where}: 'expected' must be a list of text"
        raise ValueError(msg)
    exit_code = raw.get("exit_code")
    if (stage == "check") != isinstance(exit_code, int):
        msg = f"{where}: 'exit_code' is required for check cases, and only for them"
        raise ValueError(msg)
    edits, folders, specials = _edits(raw.get("edits"), where)
    ident, description = _text(raw, "id", where), _text(raw, "description", where)
    if ident is None or description is None:
        msg = f"{where}: 'id' and 'description' are required"
        raise ValueError(msg)
    return BrokenCase(
        id=ident,
        description=description,
        file=file,
        edits=edits,
        removed_folders=folders,
        specials=specials,
        stage=stage,
        expected=tuple(expected),
        exit_code=exit_code,
        summary=_text(raw, "summary", where),
        defect=_text(raw, "defect", where),
        crash=_text(raw, "crash", where),
    )


def load_corpus() -> list[BrokenCase]:
    """Every case of every corpus file, in file order."""
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or set(data) != {"cases"} or not isinstance(data["cases"], list):
            msg = f"{path.name}: expected a mapping with one key, 'cases', holding a list"
            raise ValueError(msg)
        cases += [_case(raw, path.name) for raw in data["cases"]]
    return cases


CASES = load_corpus()


def build(make_kb: MakeKb, case: BrokenCase) -> Path:
    """The fixture knowledge base with the case's edits applied."""
    root = make_kb(case.edits)
    for folder in case.removed_folders:
        shutil.rmtree(root / folder)
    for name, special in case.specials:
        if sys.platform == "win32" and ("link" in special or "fifo" in special):
            pytest.skip("links and FIFOs as on POSIX")
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        if "link" in special:
            path.symlink_to(special["link"])
        elif "fifo" in special:
            os.mkfifo(path)
        else:
            part = special["generate"]
            times = part["times"]
            text = part.get("before", "") + part.get("repeat", "") * times + part.get("after", "")
            text += part.get("close", "") * times + part.get("end", "")
            path.write_text(text, encoding="utf-8")
    return root


def test_the_corpus_is_well_formed() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(CASES) >= 34
    for case in CASES:
        assert case.crash is None or (case.stage == "load" and case.defect), case.id
        # An empty list pins "no problem at all": only a known defect may be accepted like that.
        assert case.expected or case.stage == "check" or case.defect, case.id
        assert case.summary is None or case.stage == "check", case.id


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "load"], ids=lambda c: c.id)
def test_load(make_kb: MakeKb, case: BrokenCase) -> None:
    root = build(make_kb, case)
    if case.crash is not None:
        crash = getattr(builtins, case.crash)
        assert isinstance(crash, type)
        assert issubclass(crash, Exception)
        with pytest.raises(crash) as crashed:
            diagnose.load_knowledge_base(root)
        assert not isinstance(crashed.value, diagnose.KnowledgeBaseError)
        if case.expected:
            assert [str(crashed.value)] == list(case.expected)
        return
    if not case.expected:
        diagnose.load_knowledge_base(root)  # a known defect: this broken knowledge base is accepted
        return
    with pytest.raises(diagnose.KnowledgeBaseError) as err:
        diagnose.load_knowledge_base(root)
    assert [str(p) for p in err.value.problems] == list(case.expected)


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "analysis"], ids=lambda c: c.id)
def test_analysis(make_kb: MakeKb, case: BrokenCase) -> None:
    kb = diagnose.load_knowledge_base(build(make_kb, case))
    assert [str(f) for f in analyse(kb)] == list(case.expected)


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "check"], ids=lambda c: c.id)
def test_check(make_kb: MakeKb, case: BrokenCase) -> None:
    root = build(make_kb, case)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stdout.splitlines()
    # The last line is a summary (`ok: ...` or `failed: ...`). When the knowledge base loads it ends
    # in the content hash, which changes with every edit, so the summary is left out of `expected`
    # and compared apart, without the hash, only when the case pins it.
    summary = lines.pop() if lines and lines[-1].startswith(("ok: ", "failed: ")) else None
    assert (result.exit_code, lines) == (case.exit_code, list(case.expected))
    if case.summary is not None:
        assert summary is not None
        assert _HASH.sub("", summary) == case.summary


# --- Random mutations of the fixture ---------------------------------------------------------------

FIXTURE_FILES = sorted(p.relative_to(FIXTURE_KB).as_posix() for p in FIXTURE_KB.rglob("*.yaml"))
FIXTURE_TEXTS = {name: (FIXTURE_KB / name).read_text(encoding="utf-8") for name in FIXTURE_FILES}
TOKEN = re.compile(r"[^\s:,\[\]{}]+")
TOKEN_SPANS = {name: [m.span() for m in TOKEN.finditer(text)] for name, text in FIXTURE_TEXTS.items()}
#: Replacements that mean something to YAML or to the knowledge base, besides random text, including
#: the ones that once crashed the loader: core tags on values that do not fit, self-referencing
#: anchors and dates as keys (now each reported as a located problem).
SNIPPETS = (
    "!!int",
    "!!int high",
    "!!float x",
    "!!bool maybe",
    "!!timestamp x",
    "!!binary aGk=",
    "&x [*x]",
    "2024-01-01",
    "",
    "~",
    "null",
    "true",
    "no",
    "0",
    "-1",
    "2.5",
    "1e9",
    ".inf",
    ".nan",
    "[]",
    "{}",
    "[",
    "]",
    "{",
    "}",
    ":",
    "- ",
    "#",
    "&a",
    "*a",
    "!!str",
    "!!python/name:os.system",
    "'",
    '"',
    "|",
    ">",
    "?",
    "@",
    "\t",
    "\n",
    "low",
    "health",
    "self_efficacy",
    "agree5",
    "not_rated",
    "job_matching",
)


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, str]:
    """A fixture file and its text after one random mutation."""
    name = draw(st.sampled_from(FIXTURE_FILES))
    text = FIXTURE_TEXTS[name]
    lines = text.splitlines(keepends=True)
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "truncate"]))
    index = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif kind == "replace":
        start, end = draw(st.sampled_from(TOKEN_SPANS[name]))
        new = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(st.characters(codec="utf-8"), max_size=8)))
        return name, text[:start] + new + text[end:]
    else:
        return name, text[: draw(st.integers(0, len(text)))]
    return name, "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_file())
def test_random_mutations_load_or_raise_knowledge_base_error(
    make_kb: MakeKb, mutation: tuple[str, str]
) -> None:
    """Invariant: a mutated fixture either loads, or raises `KnowledgeBaseError` listing its problems.

    Deleting, duplicating or swapping a line, replacing a token by random text or a YAML-ish
    snippet, or truncating a file, never makes `load_knowledge_base` raise any other exception
    (the known exceptions to this, listed at `SNIPPETS`, are pinned as defects in the corpus).
    """
    name, text = mutation
    root = make_kb({name: text})
    try:
        diagnose.load_knowledge_base(root)
    except diagnose.KnowledgeBaseError as err:
        problems = err.problems
    else:
        return
    assert problems
    assert all(p.message for p in problems)
