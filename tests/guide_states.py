"""The states of the rule-authoring guide's running example, for tests/test_guide.py and docs/_refresh_guide.py.

`docs/rule-authoring.md` edits scratch copies of a knowledge base step by step and shows what
`diagnose` says about each. Every state starts from a FROZEN copy of the first edition of the
default knowledge base, `tests/data/guide/base/` (its `rules/`, and the one intake of `examples/`
the guide assesses), never from the live `rules/`: the default may grow and change while the
guide's outputs stay true. The states and their edits are data (`tests/data/guide/scenarios.yaml`);
every edit finds its place by text, never by line number, and an anchor that is missing or not
unique stops the build with an `EditError` that names the state, the file and the text.

Content hashes (`sha256:` and 64 hex digits) change with every byte of a knowledge base, so the
guide's outputs are compared with `same_output`, which reads each hash only as "the n-th distinct
hash of this block": every other character must match.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from click.testing import CliRunner, Result

from diagnose.cli._main import cli

if TYPE_CHECKING:
    import pytest

__all__ = [
    "BASE",
    "BASH",
    "BLOCKS",
    "COMMANDS",
    "DATA",
    "GUIDE",
    "HASH",
    "LOOSE",
    "SCENARIOS",
    "STATES",
    "YAML",
    "Block",
    "EditError",
    "apply_edit",
    "build",
    "mask_hashes",
    "parse",
    "run",
    "same_output",
]

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "rule-authoring.md"
DATA = Path(__file__).parent / "data" / "guide"
#: The frozen first edition: `rules/` and the `examples/` the guide uses, as in the repository root.
BASE = DATA / "base"
SCENARIOS: dict[str, Any] = yaml.safe_load((DATA / "scenarios.yaml").read_text(encoding="utf-8"))
STATES: dict[str, dict[str, Any]] = SCENARIOS["states"]
HASH = re.compile(r"sha256:[0-9a-f]{64}")


class EditError(Exception):
    """An edit of scenarios.yaml that cannot be applied: its text is missing or not unique."""


@dataclass(frozen=True)
class Block:
    """A fenced block of the guide: language, line of the opening fence, body, prose before it."""

    lang: str
    line: int
    body: str
    before: str


def parse(doc: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order."""
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
#: (index of the bash block, its entry in scenarios.yaml), in the guide's order.
COMMANDS: list[tuple[int, dict[str, Any]]] = list(zip(BASH, SCENARIOS["commands"], strict=False))


def mask_hashes(text: str) -> str:
    """`text` with each distinct content hash replaced by its number of first appearance.

    Examples:
        >>> mask_hashes("a sha256:" + "1" * 64 + " b sha256:" + "2" * 64 + " c sha256:" + "1" * 64)
        'a sha256:<hash 1> b sha256:<hash 2> c sha256:<hash 1>'
    """
    numbers: dict[str, int] = {}
    return HASH.sub(lambda m: f"sha256:<hash {numbers.setdefault(m.group(), len(numbers) + 1)}>", text)


def same_output(shown: str, actual: str) -> bool:
    """Whether `actual` is what the guide `shown`, up to the values of the content hashes.

    A hash must still stand in the same place, be well formed, and repeat where the shown one
    repeats.
    """
    return mask_hashes(shown) == mask_hashes(actual)


_KEYS = {
    frozenset({"file", "write"}),
    frozenset({"file", "append"}),
    frozenset({"file", "insert", "before"}),
    frozenset({"file", "replace"}),
    frozenset({"file", "replace", "count"}),
    frozenset({"file", "replace", "after"}),
    frozenset({"file", "delete"}),
    frozenset({"file", "delete", "after"}),
}


def _once(text: str, needle: str, where: str) -> int:
    """The index of the one occurrence of `needle` in `text`."""
    found = text.count(needle)
    if found != 1:
        msg = f"{where}: {needle!r} occurs {found} times; the edit needs it exactly once"
        raise EditError(msg)
    return text.index(needle)


def _after(text: str, needle: str, start: int, anchor: str, where: str) -> int:
    """The index of the first `needle` in `text` from `start` (the end of `anchor`)."""
    at = text.find(needle, start)
    if at < 0:
        msg = f"{where}: {needle!r} does not occur after {anchor!r}"
        raise EditError(msg)
    return at


def _edited(text: str, edit: dict[str, Any], snippet: str | None, where: str) -> str:
    """The text of a file after one edit (anything but `write`)."""
    start, anchor = 0, "the start of the file"
    if "after" in edit:
        anchor = edit["after"]
        start = _once(text, anchor, where) + len(anchor)
    if "append" in edit:
        return text + str(snippet)
    if "insert" in edit:
        at = _once(text, edit["before"], where)
        return text[:at] + str(snippet) + text[at:]
    if "delete" in edit:
        first, last = edit["delete"]
        if "after" not in edit:
            _once(text, first, where)
        begin = text.rfind("\n", 0, _after(text, first, start, anchor, where)) + 1
        end = text.find("\n", _after(text, last, begin, first, where))
        return text[:begin] + text[len(text) if end < 0 else end + 1 :]
    pair: list[str] = edit["replace"]
    old, new = pair
    if "after" in edit:
        at = _after(text, old, start, anchor, where)
        return text[:at] + new + text[at + len(old) :]
    found, want = text.count(old), edit.get("count", 1)
    if found != want:
        msg = f"{where}: {old!r} occurs {found} times; the edit needs it exactly {want} times"
        raise EditError(msg)
    return text.replace(old, new)


def apply_edit(rules: Path, edit: dict[str, Any], where: str = "") -> None:
    """Apply one edit of scenarios.yaml (see the comment at its top) to the files under `rules`.

    Raises:
        EditError: the edit has unknown keys, or a text it needs is missing or not unique; the
            message begins with `where` and the file's name.
    """
    where = f"{where}: {edit.get('file')}" if where else str(edit.get("file"))
    if frozenset(edit) not in _KEYS:
        msg = f"{where}: an edit has the keys {sorted(edit)}, not one of the forms in scenarios.yaml"
        raise EditError(msg)
    path = rules / edit["file"]
    name = edit.get("write", edit.get("append", edit.get("insert")))
    snippet = None if name is None else (DATA / name).read_text(encoding="utf-8")
    if "write" in edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(snippet), encoding="utf-8")
        return
    path.write_text(_edited(path.read_text(encoding="utf-8"), edit, snippet, where), encoding="utf-8")


def build(state: str, folder: Path) -> Path:
    """Make `folder` hold the state's knowledge base as rules/ (and its `folders`); returns it."""
    chain = []
    name: str | None = state
    while name is not None:
        chain.append((name, STATES[name]))
        name = STATES[name].get("from")
    shutil.copytree(BASE / "rules", folder / "rules")
    for step, spec in reversed(chain):
        for edit in spec.get("edits", []):
            apply_edit(folder / "rules", edit, where=step)
    for extra in STATES[state].get("folders", []):
        shutil.copytree(BASE / extra, folder / extra)
    return folder


def run(command: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Run a `diagnose ...` command line as the guide shows it, in `folder`."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)  # the guide shows plain output, as in a pipe
    monkeypatch.chdir(folder)
    args = shlex.split(command)
    if args[0] != "diagnose":
        msg = f"not a diagnose command: {command}"
        raise ValueError(msg)
    return CliRunner().invoke(cli, args[1:], prog_name="diagnose")
