"""Reading and writing caseload files for `diagnose batch` and `diagnose compare-kb`.

Input rows come from JSON Lines (one intake object per line: `answers`, optional `context` and
`id`) or CSV (a header row, then one row per client: an optional `id` column, one column per item
id, and context fields as `context.<field>` columns; an empty cell means not answered). Each row
is parsed on its own, so one bad row (bad JSON, nested too deep, too few cells, not UTF-8) is
reported with its row number and never stops the others. The format is specified on the CLI page
(docs/cli.md, "Caseload files").
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, NamedTuple, TextIO, TypeVar

from pydantic_core import from_json

from diagnose.assessment.scoring import Intake
from diagnose.batch._compiled import compiled_rules
from diagnose.errors import AnswerError, DiagnoseError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from diagnose.errors import AnswerProblem
    from diagnose.knowledge._base import KnowledgeBase

__all__ = [
    "MAX_ROW",
    "TOO_LONG",
    "Chunk",
    "Row",
    "TableError",
    "assess_rows",
    "bounded_lines",
    "csv_line",
    "error_record",
    "neutral",
    "parse_line",
    "read_rows",
    "result_record",
    "summary_columns",
    "summary_row",
    "table_kind",
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


_CONTEXT = "context."
_BOM = "\ufeff".encode()


class TableError(DiagnoseError, ValueError):
    """A caseload file that cannot be read as a whole (a CSV header unreadable or with a column twice)."""


#: A number as a CSV cell may write it: ASCII digits, an optional minus, a decimal point and
#: exponent. `+1`, `0_2`, Arabic-Indic `\u0663` and fullwidth `\uff11`, which Python's int() takes,
#: stay text, so that the answer is refused as text, never read as another number.
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)


def _number(text: str) -> object:
    """A cell's text as a number when it is one in plain ASCII form; otherwise the text itself."""
    if _INTEGER.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python turns into an int: refused as text
            return text
    if not _DECIMAL.fullmatch(text):
        return text
    number = float(text)
    if not math.isfinite(number):  # beyond float range (1e400): refused as text
        return text
    # A whole float is that whole number: pandas writes 2.0 for an integer column with a gap.
    return int(number) if number.is_integer() else number


def _csv_value(text: str) -> object:
    stripped = text.strip()
    if stripped == "":
        return None
    if stripped in {"true", "false"}:
        return stripped == "true"
    return _number(stripped)


#: The longest row a caseload file may have: a whole intake is a few kilobytes.
MAX_ROW = 16 * 1024 * 1024
TOO_LONG = f"longer than {MAX_ROW // (1024 * 1024)} MiB; a row holds one intake"

L = TypeVar("L", str, bytes)


def bounded_lines(stream: IO[L], limit: int = MAX_ROW) -> Iterator[tuple[int, L | None]]:
    """Number the lines of a stream, holding at most `limit` characters of one in memory.

    A longer line is skipped to its end and given as None, so a file without line breaks (or
    one huge line) costs bounded memory and still leaves the rows after it.
    """
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        newline = "\n" if isinstance(line, str) else b"\n"
        if len(line) <= limit or line.endswith(newline):
            yield number, line
            continue
        while (rest := stream.readline(limit)) and not rest.endswith(newline):
            pass
        yield number, None


def table_kind(path: Path) -> str:
    """The format of a caseload file by its name: `csv` for *.csv, else `jsonl` (JSON Lines)."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_rows(stream: TextIO, kind: str) -> Iterator[Row]:
    """Yield the rows of a JSON Lines (`jsonl`) or `csv` stream, lazily.

    Raises:
        TableError: when a CSV header names a column twice (before any row is read).
    """
    if kind == "csv":
        yield from _csv_rows(stream)
        return
    for number, line in bounded_lines(stream):
        if line is None:
            yield Row(number, None, None, TOO_LONG)
        elif line.strip():
            yield parse_line(number, line)


def _client(value: object) -> str | None:
    """A row's `id` as text; a number counts as its digits. None when absent; ValueError when unfit."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # an int of more than 4,300 digits raises ValueError
    raise ValueError(value)


def parse_line(number: int, line: str | bytes) -> Row:
    """One JSON Lines row (not blank), as text or as UTF-8 bytes (a leading byte-order mark is skipped)."""
    line = line.removeprefix(_BOM) if isinstance(line, bytes) else line.removeprefix("\ufeff")
    try:
        data = from_json(line)  # about twice as fast as json.loads, and the same data
    except ValueError:
        data = None
    if data is None:
        problem, data = _parse_slowly(line)
        if problem is not None:
            return Row(number, None, None, problem)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return Row(number, None, None, "expected an object with 'answers' (and optionally 'context', 'id')")
    unknown = sorted(set(data) - {"answers", "context", "id"})
    try:
        client_id = _client(data.get("id"))
    except ValueError:
        return Row(number, None, None, "'id' must be text or a number")
    if unknown:
        message = f"unknown key {unknown[0]!r}; a row has 'answers', 'context' and 'id'"
        return Row(number, client_id, None, message)
    context = data.get("context") or {}
    if not isinstance(context, dict):
        return Row(number, client_id, None, "'context' must be an object")
    return Row(number, client_id, {"answers": data["answers"], "context": context})


def _parse_slowly(line: str | bytes) -> tuple[str | None, object]:
    """(problem, None) or (None, data): json.loads takes lone surrogates (from_json refuses them)."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 text: byte 0x{line[exc.start]:02x} at byte {exc.start + 1}", None
    try:
        return None, json.loads(line.rstrip("\r\n"))  # a column on this line, not "column 1" of the next
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (column {exc.colno})", None
    except RecursionError:
        return "not readable: nested too deep", None
    except ValueError:  # an integer of more than 4,300 digits
        return f"not readable: a number of more than {sys.get_int_max_str_digits()} digits", None


def _header(stream: TextIO) -> tuple[Iterator[list[str]], list[str]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, [])
    except csv.Error as exc:  # a header cell over the csv module's limit, a bare CR in a cell
        raise TableError(f"CSV header: not readable as CSV: {exc}") from None
    if header and header[0].startswith("\ufeff"):  # Excel's "CSV UTF-8" starts with a byte-order mark
        header[0] = header[0][1:]
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if column in seen:
            message = f"CSV header: column {column!r} appears twice (columns {seen[column]} and {position})"
            raise TableError(message)
        seen[column] = position
    return reader, header


def _csv_rows(stream: TextIO) -> Iterator[Row]:  # noqa: C901 - one pass over the rows, each check a branch
    reader, header = _header(stream)
    id_at = header.index("id") if "id" in header else None
    # (position, column, answers or context, the key there) for every column but the id
    columns = [
        (n, c, c.startswith(_CONTEXT), c.removeprefix(_CONTEXT)) for n, c in enumerate(header) if n != id_at
    ]
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over the csv module's limit: that row only
            number += 1
            yield Row(number, None, None, f"not readable as CSV: {exc}")
            continue
        if not cells:
            continue  # a blank line
        number += 1
        client = cells[id_at].strip(" ") or None if id_at is not None and id_at < len(cells) else None
        if client is not None and not client.isascii() and _undecodable(client):
            yield Row(number, None, None, "not UTF-8 text in column 'id'")
            continue
        if len(cells) != len(header):
            yield Row(number, client, None, f"the row has {len(cells)} cells, the header has {len(header)}")
            continue
        answers: dict[str, object] = {}
        context: dict[str, object] = {}
        problem = None
        for n, column, in_context, key in columns:
            cell = cells[n]
            if not cell.isascii() and _undecodable(cell):
                problem = f"not UTF-8 text in column {column!r}"
                break
            value = _csv_value(cell)
            if value is not None:
                (context if in_context else answers)[key] = value
        if problem is None:
            yield Row(number, client, {"answers": answers, "context": context})
        else:
            yield Row(number, client, None, problem)


def _undecodable(text: str) -> bool:
    """Whether text holds bytes that were not UTF-8 (read with errors="surrogateescape")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: A text cell starting with one of these is run as a formula by spreadsheets (OWASP, CSV injection).
_FORMULA_START = frozenset("=+-@\t\r")


def neutral(cell: str) -> str:
    """A text cell a spreadsheet shows as text: prefixed with `'` when it would start a formula.

    Examples:
        >>> neutral("=SUM(A1:A9)"), neutral("@cmd"), neutral("c-12")
        ("'=SUM(A1:A9)", "'@cmd", 'c-12')
    """
    return f"'{cell}" if cell and cell[0] in _FORMULA_START else cell


def result_record(row: Row, diagnosis: Sequence[bytes]) -> tuple[bytes, ...]:
    r"""One JSON Lines output record in pieces: row number, client id and the whole diagnosis.

    The diagnosis comes in the pieces of its JSON (`CompiledResult.parts`), and the record is
    joined with the rest of its chunk.

    Examples:
        >>> b"".join(result_record(Row(3, "c-1", {}), [b'{"a":', b"1}"]))
        b'{"row": 3, "id": "c-1", "diagnosis": {"a":1}}\n'
    """
    head = b'{"row": %d, "id": %s, "diagnosis": ' % (row.number, json.dumps(row.client).encode())
    return (head, *diagnosis, b"}\n")


def summary_columns(factors: list[str], top: int) -> list[str]:
    """The columns of the CSV summary: id, row, one level per factor, the top recommendations."""
    return ["row", "id", *factors, *(f"advice_{n}" for n in range(1, top + 1))]


def summary_row(row: Row, levels: Sequence[str], advice: Sequence[str], top: int) -> list[str]:
    """One CSV summary row: factor levels in the knowledge base's order, then the top advice."""
    shown = list(advice[:top])
    # The id is the one text cell from outside: levels are fixed words, advice knowledge-base ids
    # (a lowercase letter first), so only the id can start a formula.
    client = row.client or ""
    if client and client[0] in _FORMULA_START:
        client = neutral(client)
    return [str(row.number), client, *levels, *shown, *([""] * (top - len(shown)))]


def error_record(row: Row, message: str, problems: Sequence[AnswerProblem] = ()) -> str:
    """One line of the errors file: row number, client id, the reason and each problem."""
    found = [{"where": p.where, "key": p.key, "message": p.message} for p in problems]
    record = {"row": row.number, "id": row.client, "error": message, "problems": found}
    return json.dumps(record, ensure_ascii=False)


class Chunk(NamedTuple):
    """What `diagnose batch` writes for a chunk of rows: output and errors-file text, counts, ids."""

    advised: int
    rejected: int
    output: bytes | memoryview  # UTF-8, whole lines (a view of shared memory in `diagnose batch`)
    errors: str  # whole lines
    ids: tuple[tuple[int, str], ...]  # (row number, id) of each row with an id, for duplicates


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line as `csv.writer` writes it: quoted as needed, ending in CR LF."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def assess_rows(
    kb: KnowledgeBase, chunk: list[Row | tuple[int, bytes]], *, csv_summary: bool, top: int
) -> Chunk:
    """Assess a chunk of input rows (parsed, or JSON Lines still as text) for `diagnose batch`.

    Runs in the batch's worker processes and returns the chunk's output as one block of bytes,
    so that the main process only reads and writes: the diagnoses are most of the data.
    """
    rows = [r if isinstance(r, Row) else parse_line(*r) for r in chunk]
    readable = [row for row in rows if row.intake is not None]
    pairs = [(row.intake["answers"], row.intake["context"]) for row in readable if row.intake is not None]
    results = iter(compiled_rules(kb).assess_pairs(pairs, summary=csv_summary))  # type: ignore[arg-type]  # checked there
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
            output += result_record(row, result.parts)
    text = buffer.getvalue().encode() if csv_summary else b"".join(output)
    ids = tuple((row.number, row.client) for row in rows if row.client is not None)
    return Chunk(len(rows) - len(errors), len(errors), text, "".join(f"{line}\n" for line in errors), ids)
