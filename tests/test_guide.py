"""The rule-authoring guide's running example: every command runs in the state its prose describes.

`docs/rule-authoring.md` edits scratch copies of a knowledge base step by step (a factor, an
intervention, rules, cases, and many deliberate mistakes) and shows what `diagnose` says about
each. The states and the mapping of the guide's blocks onto them are data, in
`tests/data/guide/scenarios.yaml` (with the snippets the states are built from); every state is
built by `tests/guide_states.py` under tmp_path from the frozen first edition in
`tests/data/guide/base/`, never from the live `rules/`. This module checks that every ```text block
after a ```bash block is what the command prints (up to the values of content hashes), that every
```yaml block stands where the guide says, and that the loose excerpts are real output.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from tests.guide_states import (
    BASE,
    BASH,
    BLOCKS,
    COMMANDS,
    LOOSE,
    SCENARIOS,
    STATES,
    YAML,
    EditError,
    apply_edit,
    build,
    mask_hashes,
    run,
    same_output,
)

if TYPE_CHECKING:
    from pathlib import Path


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
    assert same_output(shown.body + "\n", out), (
        f"guide line {shown.line}: the {stream} of `{command.body}` differs "
        "(after a change to tests/data/guide/, run `python docs/_refresh_guide.py` and review the diff)"
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
    out = mask_hashes(result.stdout).rstrip("\n").split("\n")
    want = mask_hashes(BLOCKS[n].body).split("\n")
    assert any(out[i : i + len(want)] == want for i in range(len(out) - len(want) + 1)), BLOCKS[n].line


def _shown(digest: str, word: str = "ok") -> str:
    return f"{word}: diagnose_default 0.1.0: 11 factors, 49 items; 0 error(s), 0 warning(s); sha256:{digest}"


A, B = "a" * 64, "b" * 64
#: (what the guide shows, what the command printed, whether the test takes them as the same)
COMPARISONS = [
    (_shown(A), _shown(A), True),
    (_shown(A), _shown(B), True),  # a content edit of the fixture only moves the hash
    (_shown(A), _shown(A, word="failed"), False),  # one word differs
    (_shown(A), _shown(A) + "\n", False),  # a line more
    (_shown(A[:-1]), _shown(A[:-1] + "c"), False),  # not a hash: 63 digits are plain text
    (f"{_shown(A)}\n{_shown(A)}", f"{_shown(A)}\n{_shown(B)}", False),  # repeated in the guide only
    (f"{_shown(A)}\n{_shown(B)}", f"{_shown(B)}\n{_shown(A)}", True),
    (f"{_shown(A)}\n{_shown(B)}", f"{_shown(A)}\n{_shown(A)}", False),  # repeated in the output only
]


@pytest.mark.parametrize(("shown", "actual", "same"), COMPARISONS)
def test_outputs_compare_equal_up_to_the_values_of_hashes(shown: str, actual: str, *, same: bool) -> None:
    assert same_output(shown, actual) is same


HEALTH = "rules:\n  - id: low_health\n    priority: 1\n  - id: low_health_2\n    priority: 1\n    en: >-\n      x\n      y\n"
#: (an edit of scenarios.yaml, the file it makes of HEALTH or the message it stops with)
EDITS: list[tuple[dict[str, Any], str]] = [
    (
        {"after": "- id: low_health_2\n", "replace": ["priority: 1", "priority: 2"]},
        HEALTH.replace("2\n    priority: 1", "2\n    priority: 2"),
    ),
    ({"replace": ["priority: 1", "priority: 3"], "count": 2}, HEALTH.replace("priority: 1", "priority: 3")),
    ({"after": "_2\n", "delete": ["en: >-", "y"]}, HEALTH.removesuffix("    en: >-\n      x\n      y\n")),
    (
        {"delete": ["- id: low_health_2", "priority"]},
        HEALTH.replace("  - id: low_health_2\n    priority: 1\n", ""),
    ),
    (
        {"after": "- id: low_helth\n", "replace": ["priority: 1", "priority: 2"]},
        "h_x: health.yaml: '- id: low_helth\\n' occurs 0 times; the edit needs it exactly once",
    ),
    (
        {"after": "- id: low_health", "replace": ["priority: 1", "priority: 2"]},
        "h_x: health.yaml: '- id: low_health' occurs 2 times; the edit needs it exactly once",
    ),
    (
        {"after": "- id: low_health_2\n", "replace": ["id: low_health", "id: x"]},
        "h_x: health.yaml: 'id: low_health' does not occur after '- id: low_health_2\\n'",
    ),
    (
        {"replace": ["priority: 1", "priority: 2"]},
        "h_x: health.yaml: 'priority: 1' occurs 2 times; the edit needs it exactly 1 times",
    ),
    (
        {"delete": ["priority: 1", "y"]},
        "h_x: health.yaml: 'priority: 1' occurs 2 times; the edit needs it exactly once",
    ),
    (
        {"after": "_2\n", "delete": ["en: >-", "z"]},
        "h_x: health.yaml: 'z' does not occur after 'en: >-'",
    ),
    (
        {"insert": "r_never.yaml", "before": "priority"},
        "h_x: health.yaml: 'priority' occurs 2 times; the edit needs it exactly once",
    ),
    (
        {"line": 3, "replace": ["priority: 1", "priority: 2"]},
        "h_x: health.yaml: an edit has the keys ['file', 'line', 'replace'], not one of the forms in scenarios.yaml",
    ),
]


@pytest.mark.parametrize(("edit", "want"), EDITS)
def test_an_edit_finds_its_place_by_text_or_says_which_text_it_misses(
    edit: dict[str, Any], want: str, tmp_path: Path
) -> None:
    (tmp_path / "health.yaml").write_text(HEALTH, encoding="utf-8")
    edit = {"file": "health.yaml", **edit}
    if want.startswith("h_x: "):
        with pytest.raises(EditError) as caught:
            apply_edit(tmp_path, edit, where="h_x")
        assert str(caught.value) == want
        assert (tmp_path / "health.yaml").read_text(encoding="utf-8") == HEALTH
    else:
        apply_edit(tmp_path, edit, where="h_x")
        assert (tmp_path / "health.yaml").read_text(encoding="utf-8") == want


def test_every_state_starts_from_the_frozen_first_edition(tmp_path: Path) -> None:
    """The unchanged state is the copy in tests/data/guide/base/, byte for byte (not rules/)."""
    assert STATES["base_ok"] == {}
    rules = build("base_ok", tmp_path) / "rules"
    assert _tree(rules) == _tree(BASE / "rules")
