"""What-if: two knowledge-base versions over one caseload."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from click.testing import CliRunner

import diagnose
from diagnose.cli import cli
from diagnose.whatif import compare_knowledge_bases

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MakeKb

CASELOAD: list[tuple[str | None, dict[str, object]]] = [
    ("a", {"he_1": 3, "he_2": 3, "he_3": 3}),  # health medium
    ("b", {"he_1": 1, "he_2": 5, "he_3": 1}),  # health low
    ("c", {"mo_1": 1, "mo_2": 1}),
    (None, {"se_1": 9}),
]


def test_a_wider_rule_gains_clients(make_kb: MakeKb) -> None:
    old = diagnose.load_knowledge_base(make_kb({}))
    new_root = make_kb(
        {
            "recommend/health.yaml": (
                "when: {factor: health, level: low}",
                "when: {factor: health, level: [low, medium]}",
            )
        }
    )
    new = diagnose.load_knowledge_base(new_root)
    report = compare_knowledge_bases(old, new, CASELOAD)
    assert (report.clients, report.changed) == (3, 1)
    assert [(s.intervention, s.gained, s.lost) for s in report.shifts] == [("health_assessment", 1, 0)]
    (case,) = report.cases
    assert (case.row, case.client, case.before, case.after) == (1, "a", (), ("health_assessment",))
    assert report.rejected[0][0] == 4


def test_compare_kb_command(tmp_path: Path, make_kb: MakeKb) -> None:
    caseload = tmp_path / "caseload.jsonl"
    caseload.write_text(
        "".join(json.dumps({"id": c, "answers": a}) + "\n" for c, a in CASELOAD), encoding="utf-8"
    )
    old = make_kb({})
    result = CliRunner().invoke(cli, ["compare-kb", str(old), str(old), str(caseload)])
    assert result.exit_code == 0
    assert "3 clients assessed by both; advice changes for 0 (0.0%)" in result.stdout
    assert "1 rows rejected or unreadable (see --json)" in result.stdout
