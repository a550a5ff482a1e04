"""Batch assessment: order, errors as values, processes equal to one process, the batch command."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

import diagnose
from diagnose.cli import cli

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ROWS: list[dict[str, object]] = [
    {"mo_1": 1, "mo_2": 1},
    {"se_1": 9},
    {"se_1": 1, "se_2": 1, "se_3": 2, "mo_1": 5, "mo_2": 5},
    {"he_1": 1, "he_2": 5, "he_3": 1},
]


def test_results_come_in_input_order_with_errors_in_place() -> None:
    results = list(diagnose.assess_many(ROWS, errors="return"))
    assert [type(r).__name__ for r in results] == ["Diagnosis", "AnswerError", "Diagnosis", "Diagnosis"]
    assert results[0] == diagnose.assess(ROWS[0])
    assert str(results[1]).startswith("item 'se_1': expected a whole number from 1 to 5")


def test_errors_raise_by_default_after_earlier_results() -> None:
    results = diagnose.assess_many(ROWS)
    assert isinstance(next(results), diagnose.Diagnosis)
    with pytest.raises(diagnose.AnswerError):
        next(results)


def test_input_is_read_lazily() -> None:
    """Constant memory: nothing beyond what was asked for is consumed from the input."""
    consumed = []

    def source() -> Iterator[dict[str, object]]:
        for n in range(10**9):
            consumed.append(n)
            yield {"mo_1": 1 + n % 5, "mo_2": 3}

    results = diagnose.assess_many(source())
    first = [next(results) for _ in range(3)]
    assert len(first) == 3
    assert len(consumed) == 3


def test_two_processes_give_the_same_results_as_one() -> None:
    rows = [*ROWS * 60]
    one = list(diagnose.assess_many(rows, errors="return"))
    two = list(diagnose.assess_many(rows, errors="return", workers=2, chunk_size=7))
    assert [str(r) if isinstance(r, diagnose.AnswerError) else r.model_dump_json() for r in one] == [
        str(r) if isinstance(r, diagnose.AnswerError) else r.model_dump_json() for r in two
    ]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"^workers and chunk_size must be at least 1$"):
        diagnose.assess_many(ROWS, workers=0)


def write_jsonl(path: Path, records: list[object], extra: str = "") -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + extra, encoding="utf-8")


def test_batch_command_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [{"id": "a", "answers": ROWS[0]}, {"id": "b", "answers": ROWS[1]}], "not json\n")
    result = CliRunner().invoke(cli, ["batch", str(source), str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"3 rows: 1 assessed, 2 rejected (see {tmp_path / 'out.jsonl.errors.jsonl'}); "
    )
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (record["row"], record["id"]) == (1, "a")
    assert diagnose.Diagnosis.model_validate(record["diagnosis"]) == diagnose.assess(ROWS[0])
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [(e["row"], e["id"]) for e in errors] == [(2, "b"), (3, None)]
    assert errors[0]["problems"][0]["key"] == "se_1"
    assert errors[1]["error"] == "not valid JSON: Expecting value (column 1)"


def test_batch_command_csv_summary(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,mo_1,mo_2,se_1\nx,1,1,\ny,2,declined,7\n", encoding="utf-8")
    errors = tmp_path / "rejected.jsonl"
    result = CliRunner().invoke(
        cli, ["batch", str(source), str(tmp_path / "out.csv"), "--errors", str(errors), "--top", "2"]
    )
    assert result.exit_code == 0
    rows = list(csv.reader((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()))
    kb = diagnose.load_knowledge_base()
    assert rows[0] == ["row", "id", *kb.factors, "advice_1", "advice_2"]
    assert rows[1][:2] == ["1", "x"]
    assert rows[1][2 + list(kb.factors).index("motivation")] == "low"
    assert rows[1][-2:] == ["motivational_interviewing", ""]
    assert len(rows) == 2
    (rejected,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert (rejected["row"], rejected["id"]) == (2, "y")
