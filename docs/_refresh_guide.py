"""Refresh the command outputs in docs/rule-authoring.md after its running example or `diagnose` changed.

    python docs/_refresh_guide.py

The guide shows real output of `diagnose` on states of a knowledge base that `tests/guide_states.py`
builds from the frozen first edition in `tests/data/guide/base/` and the edits in
`tests/data/guide/scenarios.yaml` (never from the live `rules/`, so a change there needs no
refresh). After a change to that data or to what `diagnose` prints, `tests/test_guide.py` fails
(it reads content hashes only for where they stand, not their value). This script runs every
command of the guide in its state, as the test does, and writes the current output, hashes
included, into the ```text block after it; hashes quoted elsewhere in the guide are updated to
match. Review the diff (`git diff docs/rule-authoring.md`): it should only show what your change
explains.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import guide_states as guide  # noqa: E402 - needs the repository root on the path first


def main() -> None:
    """Rewrite every stale output block of the guide and print what changed."""
    text = guide.GUIDE.read_text(encoding="utf-8")
    lines = text.split("\n")
    renamed: dict[str, str] = {}
    for n, scenario in guide.COMMANDS:
        command, shown = guide.BLOCKS[n], guide.BLOCKS[n + 1]
        with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
            result = guide.run(command.body, guide.build(scenario["state"], Path(tmp)), patch)
        stream = result.stdout if scenario.get("stream", "stdout") == "stdout" else result.stderr
        new = stream.rstrip("\n").split("\n")
        old = shown.body.split("\n")
        if new == old:
            continue
        renamed.update(zip(guide.HASH.findall(shown.body), guide.HASH.findall("\n".join(new)), strict=False))
        start = shown.line  # the fence's 1-based line number is the body's 0-based index
        if lines[start : start + len(old)] != old:
            sys.exit(f"the guide changed while refreshing near line {start}; run again")
        lines[start : start + len(old)] = new
        print(f"line {shown.line}: `{command.body}` ({scenario['state']}) updated")
    text = "\n".join(lines)
    for before, after in renamed.items():
        text = text.replace(before, after)
    guide.GUIDE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
