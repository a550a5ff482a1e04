"""What-if: two knowledge-base versions over one caseload."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.authoring.whatif import (
    ChangedCase,
    PriorityChange,
    WhatIfReport,
    compare_knowledge_bases,
    render_report,
)
from diagnose.cli._main import cli

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Edits, MakeKb

CASELOAD: list[tuple[str | None, dict[str, object]]] = [
    ("a", {"he_1": 3, "he_2": 3, "he_3": 3}),  # health medium
    ("b", {"he_1": 1, "he_2": 5, "he_3": 1}),  # health low
    ("c", {"mo_1": 1, "mo_2": 1}),
    (None, {"se_1": 9}),
]
#: Health low and motivation high: health_assessment (1), then individual_placement_support (2).
HEALTH_LOW_MOTIVATED: list[tuple[str | None, dict[str, object]]] = [
    ("d", {"he_1": 1, "he_2": 5, "he_3": 1, "mo_1": 5, "mo_2": 5}),
]
BUMP: Edits = {"instrument.yaml": ('version: "0.1.0"', 'version: "0.2.0"')}
WIDER: Edits = {
    "recommend/health.yaml": (
        "when: {factor: health, level: low}",
        "when: {factor: health, level: [low, medium]}",
    )
}
SAME_VERSION = (
    "both knowledge bases have version 0.1.0 but different content (another hash): give the new one "
    "its own version, or advice cannot be traced to the one that gave it"
)


def _compare(
    make_kb: MakeKb, edits: Edits, caseload: list[tuple[str | None, dict[str, object]]]
) -> WhatIfReport:
    old = diagnose.load_knowledge_base(make_kb({}))
    new = diagnose.load_knowledge_base(make_kb(edits))
    return compare_knowledge_bases(old, new, caseload)


def test_a_wider_rule_gains_clients(make_kb: MakeKb) -> None:
    report = _compare(make_kb, {**WIDER, **BUMP}, CASELOAD)
    assert (report.clients, report.changed) == (3, 1)
    assert [(s.intervention, s.gained, s.lost, s.reprioritised) for s in report.shifts] == [
        ("health_assessment", 1, 0, 0)
    ]
    (case,) = report.cases
    assert case == ChangedCase(
        row=1,
        client="a",
        before=(),
        after=("health_assessment",),
        after_priorities=(1,),
        added=("health_assessment",),
    )
    assert report.names["health_assessment"].nl == "Arbeidsgerichte gezondheidsverkenning"
    assert report.rejected[0][0] == 4
    assert report.warnings == ()


def test_a_priority_change_that_keeps_the_order_is_reported(make_kb: MakeKb) -> None:
    """Same interventions in the same order, one at another priority: the advice changed."""
    edits: Edits = {"recommend/health.yaml": ("priority: 2", "priority: 3"), **BUMP}
    report = _compare(make_kb, edits, HEALTH_LOW_MOTIVATED)
    (case,) = report.cases
    assert (case.before, case.after) == (
        ("health_assessment", "individual_placement_support"),
        ("health_assessment", "individual_placement_support"),
    )
    assert (case.before_priorities, case.after_priorities) == ((1, 2), (1, 3))
    assert case.priorities == (
        PriorityChange(intervention="individual_placement_support", before=2, after=3),
    )
    assert (case.added, case.removed, case.reordered) == ((), (), False)
    assert [(s.intervention, s.gained, s.lost, s.reprioritised) for s in report.shifts] == [
        ("individual_placement_support", 0, 0, 1)
    ]


def test_a_priority_change_that_reorders_is_reported(make_kb: MakeKb) -> None:
    edits: Edits = {"recommend/health.yaml": ("priority: 1", "priority: 3"), **BUMP}
    report = _compare(make_kb, edits, HEALTH_LOW_MOTIVATED)
    (case,) = report.cases
    assert case.after == ("individual_placement_support", "health_assessment")
    assert case.priorities == (PriorityChange(intervention="health_assessment", before=1, after=3),)
    assert case.reordered


def test_same_version_with_other_content_warns(make_kb: MakeKb) -> None:
    report = _compare(make_kb, WIDER, CASELOAD)
    assert [w.en for w in report.warnings] == [SAME_VERSION]
    assert report.warnings[0].nl.startswith(
        "beide kennisbanken hebben versie 0.1.0, maar hun inhoud verschilt"
    )


def test_the_same_knowledge_base_twice_gives_no_warning(fixture_kb: diagnose.KnowledgeBase) -> None:
    report = compare_knowledge_bases(fixture_kb, fixture_kb, CASELOAD)
    assert (report.changed, report.warnings, report.shifts) == (0, (), ())


def test_the_report_reads_back_from_json(make_kb: MakeKb) -> None:
    report = _compare(
        make_kb, {"recommend/health.yaml": ("priority: 1", "priority: 3")}, HEALTH_LOW_MOTIVATED
    )
    assert WhatIfReport.model_validate_json(report.model_dump_json()) == report


@pytest.fixture
def two_kbs(tmp_path: Path, make_kb: MakeKb) -> tuple[Path, Path, Path]:
    """An old folder, a new one where health_assessment has priority 3 (same version), a caseload.

    Client b keeps the same advice at another priority; client d gets it in another order.
    """
    old = tmp_path / "old"
    shutil.copytree(make_kb({}), old)
    new = make_kb({"recommend/health.yaml": ("priority: 1", "priority: 3")})
    caseload = tmp_path / "caseload.jsonl"
    lines = [json.dumps({"id": c, "answers": a}) for c, a in CASELOAD + HEALTH_LOW_MOTIVATED]
    caseload.write_text("\n".join([*lines[:2], "{not json", *lines[2:]]) + "\n", encoding="utf-8")
    return old, new, caseload


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["compare-kb", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _hashes(old: Path, new: Path) -> tuple[str, str]:
    return diagnose.load_knowledge_base(old).content_hash[:19], diagnose.load_knowledge_base(
        new
    ).content_hash[:19]


def test_compare_kb_command_in_dutch(two_kbs: tuple[Path, Path, Path]) -> None:
    old, new, caseload = two_kbs
    before, after = _hashes(old, new)
    table = (
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━┳━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ interventie                           ┃ id                ┃ erbij ┃ eraf ┃ andere prioriteit ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━╇━━━━━━━━━━━━━━━━━━━┩\n"
        "│ Arbeidsgerichte gezondheidsverkenning │ health_assessment │ +0    │ -0   │ 2                 │\n"
        "└───────────────────────────────────────┴───────────────────┴───────┴──────┴───────────────────┘\n"
    )
    assert _run(str(old), str(new), str(caseload)) == (
        f"oud:   0.1.0 {before}\n"
        f"nieuw: 0.1.0 {after}\n"
        "waarschuwing: beide kennisbanken hebben versie 0.1.0, maar hun inhoud verschilt (een andere "
        "hash): geef de nieuwe een eigen versie, anders is niet te zien welke een advies gaf\n"
        "4 klanten door beide beoordeeld; advies verandert voor 2 (50.0%)\n"
        "2 rijen afgewezen of onleesbaar (zie --json)\n"
        f"{table}"
        "b\n"
        "  oud:   Arbeidsgerichte gezondheidsverkenning (1)\n"
        "  nieuw: Arbeidsgerichte gezondheidsverkenning (3)\n"
        "  andere prioriteit: Arbeidsgerichte gezondheidsverkenning 1 -> 3\n"
        "d\n"
        "  oud:   Arbeidsgerichte gezondheidsverkenning (1), Individuele plaatsing en steun (IPS) (2)\n"
        "  nieuw: Individuele plaatsing en steun (IPS) (2), Arbeidsgerichte gezondheidsverkenning (3)\n"
        "  andere prioriteit: Arbeidsgerichte gezondheidsverkenning 1 -> 3\n"
        "  andere volgorde\n"
    )


def test_compare_kb_command_in_english_lists_cases_up_to_a_limit(two_kbs: tuple[Path, Path, Path]) -> None:
    old, new, caseload = two_kbs
    out = _run(str(old), str(new), str(caseload), "--lang", "en", "--cases", "0").splitlines()
    assert out[2] == f"warning: {SAME_VERSION}"
    assert out[3:5] == [
        "4 clients assessed by both; advice changes for 2 (50.0%)",
        "2 rows rejected or unreadable (see --json)",
    ]
    assert "Work-focused health assessment" in out[8]
    assert out[-1] == "... and 2 more (see --json)"


def test_compare_kb_json_keeps_the_files_row_numbers(two_kbs: tuple[Path, Path, Path]) -> None:
    """Row numbers are the caseload file's, also after an unreadable row, and none is lost."""
    old, new, caseload = two_kbs
    report = WhatIfReport.model_validate_json(_run(str(old), str(new), str(caseload), "--json"))
    assert [case.row for case in report.cases] == [2, 6]
    assert [row for row, _ in report.rejected] == [3, 5]
    assert report.rejected[0][1].startswith("not valid JSON")


def test_render_report_without_clients_or_advice() -> None:
    report = WhatIfReport(
        old_version="1 sha256:a",
        new_version="2 sha256:b",
        clients=0,
        changed=0,
        rejected=(),
        shifts=(),
        cases=(ChangedCase(row=1, client=None, before=("x",), after=(), before_priorities=(1,)),),
    )
    assert render_report(report, "en") == (
        "old: 1 sha256:a\nnew: 2 sha256:b\n0 clients assessed by both; advice changes for 0 (-)\n"
        "row 1\n  old: x (1)\n  new: no advice"
    )
