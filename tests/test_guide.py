"""The rule-authoring guide's running example: every command runs in the state its prose describes.

`docs/rule-authoring.md` edits scratch copies of `rules/` step by step (a factor, an intervention,
rules, cases, and many deliberate mistakes) and shows what `diagnose` says about each. The states
and the mapping of the guide's blocks onto them are data, in `tests/data/guide/scenarios.yaml`
(with the snippets the states are built from); this module builds each state under tmp_path and
checks that every ```text block after a ```bash block is exactly what the command prints, that
every ```yaml block stands where the guide says, and that the loose excerpts are real output.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from diagnose.cli._main import cli

ROOT = Path(__file__).parents[1]
RULES = ROOT / "rules"
GUIDE = ROOT / "docs" / "rule-authoring.md"
DATA = Path(__file__).parent / "data" / "guide"
SCENARIOS: dict[str, Any] = yaml.safe_load((DATA / "scenarios.yaml").read_text(encoding="utf-8"))
STATES: dict[str, dict[str, Any]] = SCENARIOS["states"]


@dataclass(frozen=True)
class Block:
    """A fenced block of the guide: language, line of the opening fence, body, prose before it."""

    lang: str
    line: int
    body: str
    before: str


def parse(doc: str) -> list[Block]:
    lines = doc.split("\n")
    found: list[Block] = []
    i = prose_start = 0
    while i < len(lines):
        fence = re.match(r"^```(\S*)\s*$", lines[i])
        if fence:
            start = i
            i += 1
            while not lines[i].startswith("```"):
                i += 1
            body = "\n".join(lines[start + 1 : i])
            found.append(Block(fence.group(1), start + 1, body, "\n".join(lines[prose_start:start])))
            prose_start = i + 1
        i += 1
    return found


BLOCKS = parse(GUIDE.read_text(encoding="utf-8"))
BASH = [n for n, b in enumerate(BLOCKS) if b.lang == "bash"]
YAML = [n for n, b in enumerate(BLOCKS) if b.lang == "yaml"]
LOOSE = [n for n, b in enumerate(BLOCKS) if b.lang == "text" and (n == 0 or BLOCKS[n - 1].lang != "bash")]


def _snippet(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _apply(rules: Path, edit: dict[str, Any]) -> None:
    """Apply one edit of scenarios.yaml (see the comment at its top) to the copy in `rules`."""
    path = rules / edit["file"]
    if "write" in edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_snippet(edit["write"]), encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    if "append" in edit:
        text += _snippet(edit["append"])
    elif "insert" in edit:
        assert text.count(edit["before"]) == 1, edit
        text = text.replace(edit["before"], _snippet(edit["insert"]) + edit["before"])
    elif "delete_lines" in edit:
        first, last = edit["delete_lines"]
        lines = text.splitlines(keepends=True)
        del lines[first - 1 : last]
        text = "".join(lines)
    elif "line" in edit:
        old, new = edit["replace"]
        lines = text.splitlines(keepends=True)
        assert old in lines[edit["line"] - 1], (edit, lines[edit["line"] - 1])
        lines[edit["line"] - 1] = lines[edit["line"] - 1].replace(old, new, 1)
        text = "".join(lines)
    else:
        old, new = edit["replace"]
        assert text.count(old) == edit.get("count", 1), edit
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def build(state: str, folder: Path) -> Path:
    """Make `folder` hold the state's knowledge base as rules/ (and its `folders`); returns it."""
    chain = []
    name: str | None = state
    while name is not None:
        chain.append(STATES[name])
        name = STATES[name].get("from")
    shutil.copytree(RULES, folder / "rules")
    for spec in reversed(chain):
        for edit in spec.get("edits", []):
            _apply(folder / "rules", edit)
    for extra in STATES[state].get("folders", []):
        shutil.copytree(ROOT / extra, folder / extra)
    return folder


def run(command: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Run a `diagnose ...` command line as the guide shows it, in `folder`."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)  # the guide shows plain output, as in a pipe
    monkeypatch.chdir(folder)
    args = shlex.split(command)
    assert args[0] == "diagnose", command
    return CliRunner().invoke(cli, args[1:], prog_name="diagnose")


def test_every_block_of_the_guide_is_mapped() -> None:
    assert {b.lang for b in BLOCKS} <= {"bash", "yaml", "text"}
    assert len(BASH) == len(SCENARIOS["commands"])
    assert len(YAML) == len(SCENARIOS["yaml"])
    assert len(LOOSE) == len(SCENARIOS["excerpts"])
    states = [c["state"] for c in SCENARIOS["commands"]]
    states += [y[0] for y in SCENARIOS["yaml"]] + [e["state"] for e in SCENARIOS["excerpts"]]
    assert set(states) == set(STATES), "a state is missing or never used"
    for n in BASH:
        assert BLOCKS[n].body.startswith("diagnose "), BLOCKS[n]
        assert "\n" not in BLOCKS[n].body, "one command per bash block"
        assert n + 1 < len(BLOCKS), BLOCKS[n]
        assert BLOCKS[n + 1].lang == "text", f"no text block right after line {BLOCKS[n].line}"


COMMANDS = list(zip(BASH, SCENARIOS["commands"], strict=False))


@pytest.mark.parametrize(
    ("n", "scenario"),
    COMMANDS,
    ids=[f"{k:02d}-{s['state']}-line{BLOCKS[n].line}" for k, (n, s) in enumerate(COMMANDS)],
)
def test_command_output(
    n: int, scenario: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, shown = BLOCKS[n], BLOCKS[n + 1]
    stream = scenario.get("stream", "stdout")
    result = run(command.body, build(scenario["state"], tmp_path), monkeypatch)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    out, other = (result.stdout, result.stderr) if stream == "stdout" else (result.stderr, result.stdout)
    assert out == shown.body + "\n", (
        f"guide line {shown.line}: the {stream} of `{command.body}` differs "
        "(after a change to rules/, run `python docs/_refresh_guide.py` and review the diff)"
    )
    assert other == "", f"`{command.body}` also wrote to the stream the guide does not show"
    assert result.exit_code == scenario["exit"]
    # the prose says so where a block shows stderr, and only there
    if stream == "stderr":
        assert "stderr" in command.before + shown.before, "the block shows stderr; the prose must say so"
    else:
        assert re.search(r"\bstderr\b", shown.before) is None, "the prose says stderr, the block is stdout"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _next_command(n: int) -> str | None:
    """The state of the command right after yaml block n, if only a little prose stands between."""
    if n + 1 >= len(BLOCKS) or BLOCKS[n + 1].lang != "bash":
        return None
    prose = [line for line in BLOCKS[n + 1].before.split("\n") if line.strip()]
    if len(prose) > 3 or any(line.startswith("#") for line in prose):
        return None
    state: str = SCENARIOS["commands"][BASH.index(n + 1)]["state"]
    return state


YAMLS = list(zip(YAML, SCENARIOS["yaml"], strict=False))


@pytest.mark.parametrize(
    ("n", "where"),
    YAMLS,
    ids=[f"{k:02d}-{s}-{f}:{line}" for k, (_, (s, f, line)) in enumerate(YAMLS)],
)
def test_yaml_block_stands_where_the_guide_says(n: int, where: list[Any], tmp_path: Path) -> None:
    state, file, line = where
    rules = build(state, tmp_path / "state") / "rules"
    want = textwrap.dedent(BLOCKS[n].body).split("\n")
    have = (rules / file).read_text(encoding="utf-8").split("\n")[line - 1 : line - 1 + len(want)]
    assert textwrap.dedent("\n".join(have)).split("\n") == want, f"guide line {BLOCKS[n].line}"
    # a yaml block shown right before a command is the state that command runs in
    command_state = _next_command(n)
    if command_state is not None and command_state != state:
        assert _tree(rules) == _tree(build(command_state, tmp_path / "command") / "rules")


LOOSES = list(zip(LOOSE, SCENARIOS["excerpts"], strict=False))


@pytest.mark.parametrize(
    ("n", "excerpt"), LOOSES, ids=[f"{k:02d}-{e['state']}" for k, (_, e) in enumerate(LOOSES)]
)
def test_excerpt_is_part_of_the_output(
    n: int, excerpt: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(excerpt["command"], build(excerpt["state"], tmp_path), monkeypatch)
    out = result.stdout.rstrip("\n").split("\n")
    want = BLOCKS[n].body.split("\n")
    assert any(out[i : i + len(want)] == want for i in range(len(out) - len(want) + 1)), BLOCKS[n].line
