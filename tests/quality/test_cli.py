"""`diagnose quality` and `diagnose audit`: HTML that stands alone, JSON equal to the API, located failures."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.cli._main import cli
from diagnose.quality._simulate import simulate_caseload, simulate_decisions
from tests.conftest import FIXTURE_KB, frozen_kb

if TYPE_CHECKING:
    from pathlib import Path

#: Anything a page could fetch: scripts, styles, images, fonts, frames, links to load.
FETCHES = re.compile(r"<script|<link|<img|<iframe|@import|url\(|src=|href=", re.IGNORECASE)


def run(*arguments: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*map(str, arguments), "--kb", str(FIXTURE_KB)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A simulated caseload of 300 clients as the files the commands read."""
    folder = tmp_path_factory.mktemp("caseload")
    caseload = simulate_caseload(frozen_kb(), 300, seed=21, group_shares={"a": 0.7, "b": 0.3})
    ids = [f"c-{n}" for n in range(300)]
    diagnoses = list(diagnose.assess_many(caseload.rows, knowledge_base=frozen_kb()))
    decisions = simulate_decisions(diagnoses, caseload.groups)
    paths = {
        name: folder / name
        for name in (
            "intakes.jsonl",
            "outcomes.csv",
            "diagnoses.jsonl",
            "groups.csv",
            "decisions.jsonl",
            "intakes.csv",
        )
    }
    paths["intakes.jsonl"].write_text(
        "".join(json.dumps({"id": i, "answers": r}) + "\n" for i, r in zip(ids, caseload.rows, strict=True)),
        encoding="utf-8",
    )
    header = [item.id for item in frozen_kb().items]
    paths["intakes.csv"].write_text(
        ",".join(header)
        + "\n"
        + "".join(",".join(str(r.get(h, "")) for h in header) + "\n" for r in caseload.rows),
        encoding="utf-8",
    )
    paths["outcomes.csv"].write_text(
        "id,work_6m\n"
        + "".join(f"{i},{str(w).lower()}\n" for i, w in zip(ids, caseload.outcomes["work_6m"], strict=True)),
        encoding="utf-8",
    )
    paths["diagnoses.jsonl"].write_text(
        "".join(
            f'{{"row": {n}, "id": "{i}", "diagnosis": {d.model_dump_json()}}}\n'
            for n, (i, d) in enumerate(zip(ids, diagnoses, strict=True), start=1)
        ),
        encoding="utf-8",
    )
    paths["groups.csv"].write_text(
        "id,group\n" + "".join(f"{i},{g}\n" for i, g in zip(ids, caseload.groups, strict=True)),
        encoding="utf-8",
    )
    paths["decisions.jsonl"].write_text(
        "".join(json.dumps({"id": i, "decisions": d}) + "\n" for i, d in zip(ids, decisions, strict=True)),
        encoding="utf-8",
    )
    return paths


def test_quality_json_is_the_api_report(files: dict[str, Path]) -> None:
    code, out, err = run("quality", files["intakes.jsonl"], "--outcomes", files["outcomes.csv"], "--json")
    assert (code, err) == (0, "")
    rows = [
        json.loads(line)["answers"]
        for line in files["intakes.jsonl"].read_text(encoding="utf-8").splitlines()
    ]
    outcomes = [
        line.split(",")[1] == "true"
        for line in files["outcomes.csv"].read_text(encoding="utf-8").splitlines()[1:]
    ]
    expected = diagnose.instrument_quality(rows, knowledge_base=frozen_kb(), outcomes={"work_6m": outcomes})
    assert diagnose.InstrumentQuality.model_validate_json(out) == expected


def test_a_csv_caseload_gives_the_same_report(files: dict[str, Path]) -> None:
    _, from_csv, _ = run("quality", files["intakes.csv"], "--json")
    _, from_jsonl, _ = run("quality", files["intakes.jsonl"], "--json")
    assert from_csv == from_jsonl


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pages_stand_alone(files: dict[str, Path], tmp_path: Path, lang: str) -> None:
    quality, audit = tmp_path / "quality.html", tmp_path / "audit.html"
    assert (
        run(
            "quality",
            files["intakes.jsonl"],
            "--outcomes",
            files["outcomes.csv"],
            "--lang",
            lang,
            "-o",
            quality,
        )[0]
        == 0
    )
    arguments = (
        "audit",
        files["diagnoses.jsonl"],
        "--groups",
        files["groups.csv"],
        "--decisions",
        files["decisions.jsonl"],
    )
    assert run(*arguments, "--lang", lang, "-o", audit)[0] == 0
    for page in (quality, audit):
        text = page.read_text(encoding="utf-8")
        assert text.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
        assert FETCHES.findall(text) == []
        assert text.count("<svg") >= 2
    assert (
        "Kwaliteit van het instrument" if lang == "nl" else "Quality of the instrument"
    ) in quality.read_text(encoding="utf-8")


def test_audit_json_is_the_api_audit(files: dict[str, Path]) -> None:
    arguments = (
        "audit",
        files["diagnoses.jsonl"],
        "--groups",
        files["groups.csv"],
        "--decisions",
        files["decisions.jsonl"],
    )
    code, out, err = run(*arguments, "--json")
    assert (code, err) == (0, "")
    records = [json.loads(line) for line in files["diagnoses.jsonl"].read_text(encoding="utf-8").splitlines()]
    diagnoses = [diagnose.Diagnosis.model_validate(r["diagnosis"]) for r in records]
    groups = [line.split(",")[1] for line in files["groups.csv"].read_text(encoding="utf-8").splitlines()[1:]]
    decisions = [
        json.loads(line)["decisions"]
        for line in files["decisions.jsonl"].read_text(encoding="utf-8").splitlines()
    ]
    assert diagnose.FairnessAudit.model_validate_json(out) == diagnose.fairness_audit(
        diagnoses, groups, decisions, knowledge_base=frozen_kb()
    )


def test_groups_line_up_by_id_in_any_order(files: dict[str, Path], tmp_path: Path) -> None:
    lines = files["groups.csv"].read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "groups.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    _, expected, _ = run("audit", files["diagnoses.jsonl"], "--groups", files["groups.csv"], "--json")
    _, found, _ = run("audit", files["diagnoses.jsonl"], "--groups", shuffled, "--json")
    assert found == expected


def test_failures_say_which_file_and_row(files: dict[str, Path], tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text("group\na\nb\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"answers": {"se_1": 1}}\n{"answers": {"se_1": 9}}\n', encoding="utf-8")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("id,group\nc-1,a\n", encoding="utf-8")
    grouped = tmp_path / "grouped.jsonl"
    grouped.write_text('{"answers": {"se_1": 1, "nationaliteit": "x"}}\n', encoding="utf-8")
    nogroup = tmp_path / "nogroup.csv"
    nogroup.write_text("id,sex\nc-1,a\n", encoding="utf-8")
    cases = [
        (
            ("audit", files["diagnoses.jsonl"], "--groups", short),
            f"error: {short}: 2 rows for 300 diagnoses; give one row per entry, in the same order (or an 'id' column in both)\n",
        ),
        (
            ("audit", files["diagnoses.jsonl"], "--groups", unknown),
            f"error: {unknown}: no row for id 'c-0' (299 ids of the diagnoses have none)\n",
        ),
        (
            ("audit", files["diagnoses.jsonl"], "--groups", nogroup),
            f"error: {nogroup}: expected a 'group' column (and optionally 'id'); got ['sex']\n",
        ),
        (
            ("quality", bad),
            f"error: {bad}: row 2: item 'se_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 9\n",
        ),
        (
            ("quality", grouped),
            f"error: {grouped}: column 'nationaliteit' (row 1): reads as a group attribute (nationality or citizenship), not an answer; groups never enter the intake: give them to fairness_audit separately\n",
        ),
        (
            ("quality", files["intakes.jsonl"], "--outcomes", files["groups.csv"]),
            f"error: {files['groups.csv']}: outcome 'group', row 1: expected true/false, 1/0 or None; got 'b'\n",
        ),
        (
            ("audit", files["intakes.jsonl"], "--groups", files["groups.csv"]),
            f"error: {files['intakes.jsonl']}:1: not a diagnosis: profile: Field required\n",
        ),
    ]
    other = tmp_path / "other.jsonl"
    other.write_text(diagnose.assess({"mo_1": 1, "mo_2": 1}).model_dump_json() + "\n", encoding="utf-8")
    one = tmp_path / "one.csv"
    one.write_text("group\na\n", encoding="utf-8")
    hashes = f"{diagnose.load_knowledge_base().content_hash[:19]}), not with 'diagnose_default' 0.1.0 ({frozen_kb().content_hash[:19]})"
    cases.append(
        (
            ("audit", other, "--groups", one),
            f"error: {other}: diagnosis on line 1: made with knowledge base 'diagnose_default' 0.2.0 ({hashes}; "
            "pass the knowledge base the diagnoses were made with\n",
        )
    )
    for arguments, message in cases:
        code, out, err = run(*arguments)
        assert (code, out, err) == (1, "", message)


def test_the_command_starts_without_numpy_and_the_defaults_agree() -> None:
    import subprocess
    import sys

    from diagnose.cli import _quality as _cli
    from diagnose.quality import _instrument

    code = "import sys, diagnose.cli; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)  # noqa: S603 - this interpreter
    assert done.stdout == "False False\n"
    assert _cli.MIN_CASES == _instrument.MIN_CASES
