"""The planted-problem example finds both problems it plants, and writes the files the commands read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_example_finds_the_wrong_key_and_the_declined_group(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(  # noqa: S603 - this interpreter running the project's own example
        [sys.executable, str(ROOT / "examples" / "quality_audit.py"), str(tmp_path), "--clients", "3000"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=600,  # a hang guard only
    )
    lines = done.stdout.splitlines()
    warnings = [line for line in lines if line.startswith("  warning [negative_item_rest]")]
    assert [w.split("'")[1] for w in warnings] == ["se_2"]
    declined = [line for line in lines if line.startswith("  flag [decline_at_equal_levels]")]
    assert declined
    assert all("at equal factor levels, 'c' gets a decline of the advice" in line for line in declined)
    assert not [line for line in lines if line.startswith("  flag [advice_at_equal_levels]")]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "decisions.jsonl",
        "diagnoses.jsonl",
        "groups.csv",
        "intakes.jsonl",
        "outcomes.csv",
    ]
