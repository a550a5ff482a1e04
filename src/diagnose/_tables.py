"""Reading and writing caseload files for `diagnose batch` and `diagnose compare-kb`.

Input rows come from JSON Lines (one intake object per line: `answers`, optional `context` and
`id`) or CSV (one row per client: an optional `id` column, one column per item id, and context
fields as `context.<field>` columns; an empty cell means `not_asked`). Each row is parsed on its
own, so one bad row is reported with its row number and never stops the others.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from diagnose.scoring import Intake

if TYPE_CHECKING:
    from collections.abc import Iterator

    from diagnose.recommendation import Diagnosis

__all__ = ["Row", "read_rows", "result_record", "summary_columns", "summary_row"]


@dataclass(frozen=True, slots=True)
class Row:
    """One input row: its 1-based number, the client id if given, and the intake or why not."""

    number: int
    client: str | None
    intake: dict[str, object] | None
    problem: str | None = None

    def as_intake(self) -> Intake:
        """The row's intake, not yet checked: `assess` checks it and names what is wrong."""
        assert self.intake is not None  # noqa: S101 - only called on readable rows
        return Intake.model_construct(**self.intake)  # type: ignore[arg-type]  # unchecked on purpose


def _number(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _csv_value(text: str) -> object:
    stripped = text.strip()
    if stripped == "":
        return None
    if stripped in {"true", "false"}:
        return stripped == "true"
    return _number(stripped)


def read_rows(stream: TextIO, kind: str) -> Iterator[Row]:
    """Yield the rows of a JSON Lines (`jsonl`) or `csv` stream, lazily."""
    if kind == "csv":
        yield from _csv_rows(stream)
        return
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(number, None, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            yield Row(
                number, None, None, "expected an object with 'answers' (and optionally 'context', 'id')"
            )
            continue
        unknown = sorted(set(data) - {"answers", "context", "id"})
        client = data.get("id")
        client_id = None if client is None else str(client)
        if unknown:
            message = f"unknown key {unknown[0]!r}; a row has 'answers', 'context' and 'id'"
            yield Row(number, client_id, None, message)
            continue
        context = data.get("context") or {}
        if not isinstance(context, dict):
            yield Row(number, client_id, None, "'context' must be an object")
            continue
        yield Row(number, client_id, {"answers": data["answers"], "context": context})


def _csv_rows(stream: TextIO) -> Iterator[Row]:
    reader = csv.DictReader(stream)
    for number, record in enumerate(reader, start=1):
        answers: dict[str, object] = {}
        context: dict[str, object] = {}
        client = None
        for column, cell in record.items():
            if column is None:
                continue
            value = _csv_value(cell or "")
            if column == "id":
                client = None if value is None else str(cell).strip()
            elif column.startswith("context."):
                if value is not None:
                    context[column.removeprefix("context.")] = value
            elif value is not None:
                answers[column] = value
        if None in record:
            yield Row(number, client, None, "the row has more cells than the header has columns")
            continue
        yield Row(number, client, {"answers": answers, "context": context})


def result_record(row: Row, diagnosis: Diagnosis) -> str:
    """One JSON Lines output record: row number, client id and the whole diagnosis."""
    client = json.dumps(row.client)
    return f'{{"row": {row.number}, "id": {client}, "diagnosis": {diagnosis.model_dump_json()}}}'


def summary_columns(factors: list[str], top: int) -> list[str]:
    """The columns of the CSV summary: id, row, one level per factor, the top recommendations."""
    return ["row", "id", *factors, *(f"advice_{n}" for n in range(1, top + 1))]


def summary_row(row: Row, diagnosis: Diagnosis, top: int) -> list[str]:
    """One CSV summary row."""
    levels = [s.level for s in diagnosis.profile.scores.values()]
    advice = [r.intervention for r in diagnosis.recommendations[:top]]
    return [str(row.number), row.client or "", *levels, *advice, *([""] * (top - len(advice)))]
