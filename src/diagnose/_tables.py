"""Reading and writing caseload files for `diagnose batch` and `diagnose compare-kb`.

Input rows come from JSON Lines (one intake object per line: `answers`, optional `context` and
`id`) or CSV (one row per client: an optional `id` column, one column per item id, and context
fields as `context.<field>` columns; an empty cell means `not_asked`). Each row is parsed on its
own, so one bad row is reported with its row number and never stops the others.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, TextIO

from pydantic_core import from_json

from diagnose.errors import AnswerError
from diagnose.scoring import Intake

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from diagnose.errors import AnswerProblem
    from diagnose.knowledge import KnowledgeBase

__all__ = [
    "Chunk",
    "Row",
    "assess_rows",
    "csv_line",
    "error_record",
    "parse_line",
    "read_rows",
    "result_record",
    "summary_columns",
    "summary_row",
]


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
        if line.strip():
            yield parse_line(number, line)


def parse_line(number: int, line: str) -> Row:
    """One JSON Lines row (not blank)."""
    try:
        data = from_json(line)  # about twice as fast as json.loads, and the same data
    except ValueError:
        try:  # json.loads also takes lone surrogates (from_json refuses) and words the error
            data = json.loads(line.rstrip("\r\n"))  # a column on this line, not "column 1" of the next
        except json.JSONDecodeError as exc:
            return Row(number, None, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return Row(number, None, None, "expected an object with 'answers' (and optionally 'context', 'id')")
    unknown = sorted(set(data) - {"answers", "context", "id"})
    client = data.get("id")
    client_id = None if client is None else str(client)
    if unknown:
        message = f"unknown key {unknown[0]!r}; a row has 'answers', 'context' and 'id'"
        return Row(number, client_id, None, message)
    context = data.get("context") or {}
    if not isinstance(context, dict):
        return Row(number, client_id, None, "'context' must be an object")
    return Row(number, client_id, {"answers": data["answers"], "context": context})


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


def result_record(row: Row, diagnosis: bytes) -> bytes:
    """One JSON Lines output record: row number, client id and the whole diagnosis (its JSON)."""
    client = json.dumps(row.client).encode()
    return b'{"row": %d, "id": %s, "diagnosis": %s}\n' % (row.number, client, diagnosis)


def summary_columns(factors: list[str], top: int) -> list[str]:
    """The columns of the CSV summary: id, row, one level per factor, the top recommendations."""
    return ["row", "id", *factors, *(f"advice_{n}" for n in range(1, top + 1))]


def summary_row(row: Row, levels: Sequence[str], advice: Sequence[str], top: int) -> list[str]:
    """One CSV summary row: factor levels in the knowledge base's order, then the top advice."""
    shown = list(advice[:top])
    return [str(row.number), row.client or "", *levels, *shown, *([""] * (top - len(shown)))]


def error_record(row: Row, message: str, problems: Sequence[AnswerProblem] = ()) -> str:
    """One line of the errors file: row number, client id, the reason and each problem."""
    found = [{"where": p.where, "key": p.key, "message": p.message} for p in problems]
    record = {"row": row.number, "id": row.client, "error": message, "problems": found}
    return json.dumps(record, ensure_ascii=False)


class Chunk(NamedTuple):
    """What `diagnose batch` writes for a chunk of rows: output and errors-file text, and counts."""

    advised: int
    rejected: int
    output: bytes  # UTF-8, whole lines
    errors: str  # whole lines


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line as `csv.writer` writes it: quoted as needed, ending in CR LF."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def assess_rows(
    kb: KnowledgeBase, chunk: list[Row | tuple[int, str]], *, csv_summary: bool, top: int
) -> Chunk:
    """Assess a chunk of input rows (parsed, or JSON Lines still as text) for `diagnose batch`.

    Runs in the batch's worker processes and returns the chunk's output as one block of bytes,
    so that the main process only reads and writes: the diagnoses are most of the data.
    """
    rows = [r if isinstance(r, Row) else parse_line(*r) for r in chunk]
    readable = [row for row in rows if row.intake is not None]
    pairs = [(row.intake["answers"], row.intake["context"]) for row in readable if row.intake is not None]
    results = iter(kb.compiled().assess_pairs(pairs))  # type: ignore[arg-type]  # checked there
    output: list[bytes] = []
    errors: list[str] = []
    writer = csv.writer(buffer := io.StringIO()) if csv_summary else None
    for row in rows:
        if row.intake is None:
            errors.append(error_record(row, row.problem or "unreadable row"))
            continue
        result = next(results)
        if isinstance(result, AnswerError):
            errors.append(error_record(row, str(result), result.problems))
        elif writer is not None:
            writer.writerow(summary_row(row, result.levels, result.advice, top))
        else:
            output.append(result_record(row, result.json))
    text = buffer.getvalue().encode() if csv_summary else b"".join(output)
    return Chunk(len(rows) - len(errors), len(errors), text, "".join(f"{line}\n" for line in errors))
