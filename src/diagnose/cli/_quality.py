"""The `diagnose quality` and `diagnose audit` commands: one self-contained HTML page, or JSON.

`diagnose quality INTAKES [--outcomes FILE]` reads a caseload file (JSON Lines or CSV, as for
`diagnose batch`); `--outcomes` is a CSV with an optional `id` column and one column per outcome
(`true`/`false` or `1`/`0`, empty where unknown). `diagnose audit DIAGNOSES --groups FILE
[--decisions FILE]` reads diagnoses as JSON Lines (a diagnosis per line, or the records `diagnose
batch` writes); `--groups` is a CSV with an optional `id` column and a `group` column;
`--decisions` is JSON Lines, one object per diagnosis: `{"id": ..., "decisions": {intervention:
"accept" | "adapt" | "decline"}}`. Side files line up with the main file by `id` when both have
ids, else row by row; a side file that does not line up fails and says how.
"""

from __future__ import annotations

import json
import re
from pathlib import Path  # noqa: TC003 - click reads the annotations at run time
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from diagnose.assessment.recommendation import Diagnosis
from diagnose.batch._files import Row, read_rows, table_kind
from diagnose.cli._io import FILE, OUTPUT, Fail, is_device, kb_option, load, write_output
from diagnose.errors import QualityError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from diagnose._base import Language

__all__ = ["audit_command", "quality_command"]

#: The default of `--min-cases` (`diagnose.quality._instrument.MIN_CASES`; a test keeps them equal).
MIN_CASES = 30
_ROW = re.compile(r"^(?:outcome '[^']*', )?row (\d+)")
_DIAGNOSIS = re.compile(r"^(diagnosis|groups, diagnosis|decisions, diagnosis) (\d+)")


def _file(path: Path) -> None:
    if is_device(path):
        raise click.UsageError(f"{path}: a device, not a file of rows; give a file", ctx=None)


def _table(path: Path) -> list[Row]:
    """Every row of a CSV or JSON Lines file; an unreadable row fails with its number."""
    _file(path)
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(read_rows(stream, table_kind(path)))
    for row in rows:
        if row.intake is None:
            raise Fail(f"{path}: row {row.number}: {row.problem}")
    return rows


def _csv(path: Path, what: str) -> list[Row]:
    if table_kind(path) != "csv":
        raise Fail(f"{path}: expected a CSV file of {what} (a name ending in .csv)")
    return _table(path)


def _cells(row: Row) -> dict[str, object]:
    """A side file's row as column to value (CSV rows are read as answers, so their cells are there)."""
    cells = (row.intake or {}).get("answers")
    return cells if isinstance(cells, dict) else {}


def _aligned(path: Path, ids: Sequence[str | None], side: list[Row], what: str) -> list[Row]:
    """The side file's rows in the order of the main file: by id when both have ids, else by row."""
    side_ids = [r.client for r in side]
    if all(ids) and ids and all(side_ids):
        by_id: dict[str, Row] = {}
        for r in side:
            if r.client in by_id:
                raise Fail(f"{path}: row {r.number}: id {r.client!r} appears twice")
            by_id[str(r.client)] = r
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise Fail(f"{path}: no row for id {missing[0]!r} ({len(missing)} ids of the {what} have none)")
        extra = sorted(set(by_id) - set(map(str, ids)))
        if extra:
            raise Fail(f"{path}: id {extra[0]!r} is not among the {what}")
        return [by_id[str(i)] for i in ids]
    if len(side) != len(ids):
        raise Fail(
            f"{path}: {len(side)} rows for {len(ids)} {what}; give one row per entry, in the same order "
            "(or an 'id' column in both)"
        )
    return list(side)


def _located(exc: QualityError, path: Path, numbers: Sequence[int]) -> Fail:
    """A QualityError about row or diagnosis N, with the file and the file's own row number."""
    message = str(exc)
    for pattern in (_ROW, _DIAGNOSIS):
        found = pattern.match(message)
        if found:
            index = int(found.group(found.lastindex or 1))
            if 1 <= index <= len(numbers):
                start, end = found.span(found.lastindex or 1)
                head = message[:start].replace("diagnosis ", "diagnosis on line ")
                message = f"{head}{numbers[index - 1]}{message[end:]}"
    return Fail(f"{path}: {message}")


def _outcomes(path: Path, rows: list[Row]) -> tuple[dict[str, list[object]], list[int]]:
    """The outcomes per intake, and the outcome file's row number for each intake."""
    side = _aligned(path, [r.client for r in rows], _csv(path, "outcomes"), "intakes")
    names: dict[str, None] = {}
    for r in side:
        names.update(dict.fromkeys(_cells(r)))
    return {name: [_cells(r).get(name) for r in side] for name in names}, [r.number for r in side]


@click.command("quality")
@click.argument("intakes", type=FILE)
@kb_option
@click.option("--outcomes", "outcomes_path", type=FILE, default=None, help="CSV of outcomes per client.")
@click.option(
    "--min-cases",
    type=click.IntRange(5),
    default=MIN_CASES,
    show_default=True,
    help="Fewest cases behind a figure.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of HTML.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@OUTPUT
def quality_command(
    intakes: Path,
    kb_path: Path | None,
    outcomes_path: Path | None,
    min_cases: int,
    *,
    as_json: bool,
    lang: Language,
    output: Path | None,
) -> None:
    """Report the instrument's quality over the intakes in INTAKES (JSON Lines or CSV).

    Reliability per factor, how each item behaves and, with --outcomes, how well each factor
    separates the outcomes. It validates the instrument; it never ranks or selects people.
    """
    from diagnose.quality._html import quality_html  # noqa: PLC0415 - numpy and pandas load only when used
    from diagnose.quality._instrument import instrument_quality  # noqa: PLC0415 - as above

    kb = load(kb_path)
    rows = _table(intakes)
    outcomes, outcome_rows = _outcomes(outcomes_path, rows) if outcomes_path is not None else (None, [])
    try:
        report = instrument_quality(
            [r.intake for r in rows], knowledge_base=kb, outcomes=outcomes, min_cases=min_cases
        )
    except QualityError as exc:
        if outcomes_path is not None and str(exc).startswith("outcome "):
            raise _located(exc, outcomes_path, outcome_rows) from exc
        raise _located(exc, intakes, [r.number for r in rows]) from exc
    write_output(output, report.model_dump_json(indent=2) if as_json else quality_html(report, kb, lang))


def _diagnoses(path: Path) -> tuple[list[Diagnosis], list[str | None], list[int]]:
    """Diagnoses (one per line, or `diagnose batch` records), their ids and their line numbers."""
    found: list[Diagnosis] = []
    ids: list[str | None] = []
    numbers: list[int] = []
    for number, value in _json_lines(path):
        client, data = None, value
        if isinstance(value, dict) and "diagnosis" in value:
            client, data = value.get("id"), value["diagnosis"]
        try:
            found.append(Diagnosis.model_validate(data))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top)"
            raise Fail(f"{path}:{number}: not a diagnosis: {where}: {first['msg']}") from exc
        ids.append(None if client is None else str(client))
        numbers.append(number)
    return found, ids, numbers


def _json_lines(path: Path) -> Iterator[tuple[int, object]]:
    """Each non-blank line's number and JSON value; a line that is no JSON fails with its place."""
    _file(path)
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise Fail(f"{path}:{number}: not valid JSON: {exc.msg} (column {exc.colno})") from exc


def _groups(path: Path, ids: list[str | None]) -> list[str | None]:
    side = _csv(path, "groups")
    columns: set[str] = set().union(*(_cells(r) for r in side))
    if side and "group" not in columns:
        raise Fail(f"{path}: expected a 'group' column (and optionally 'id'); got {sorted(columns)}")
    aligned = _aligned(path, ids, side, "diagnoses")
    out: list[str | None] = []
    for r in aligned:
        value = _cells(r).get("group")
        out.append(None if value is None else str(value))
    return out


def _decisions(path: Path, ids: list[str | None]) -> list[object]:
    side: list[Row] = []
    for number, data in _json_lines(path):
        if not isinstance(data, dict) or not isinstance(data.get("decisions"), dict):
            raise Fail(f"{path}:{number}: expected an object with 'decisions' (and optionally 'id')")
        client = data.get("id")
        side.append(Row(number, None if client is None else str(client), {"decisions": data["decisions"]}))
    aligned = _aligned(path, ids, side, "diagnoses")
    return [(r.intake or {}).get("decisions") for r in aligned]


@click.command("audit")
@click.argument("diagnoses", type=FILE)
@click.option(
    "--groups", "groups_path", type=FILE, required=True, help="CSV with a 'group' column (audit only)."
)
@click.option("--decisions", "decisions_path", type=FILE, default=None, help="JSON Lines of decisions.")
@kb_option
@click.option(
    "--min-group-size",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Smaller groups are not shown.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON instead of HTML.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language.")
@OUTPUT
def audit_command(
    diagnoses: Path,
    groups_path: Path,
    decisions_path: Path | None,
    kb_path: Path | None,
    min_group_size: int,
    *,
    as_json: bool,
    lang: Language,
    output: Path | None,
) -> None:
    """Audit the advice in DIAGNOSES (JSON Lines) per group, from a separate group file.

    Groups under --min-group-size are not shown. It checks the instrument and how it is used;
    it never ranks or selects people.
    """
    from diagnose.quality._audit import fairness_audit  # noqa: PLC0415 - numpy and pandas load only when used
    from diagnose.quality._html import audit_html  # noqa: PLC0415 - as above

    kb = load(kb_path)
    found, ids, numbers = _diagnoses(diagnoses)
    groups = _groups(groups_path, ids)
    decisions = _decisions(decisions_path, ids) if decisions_path is not None else None
    try:
        audit = fairness_audit(found, groups, decisions, min_group_size, knowledge_base=kb)
    except QualityError as exc:
        message = str(exc)
        where = (
            groups_path
            if message.startswith("groups")
            else decisions_path
            if message.startswith("decisions")
            else diagnoses
        )
        raise _located(exc, where or diagnoses, numbers) from exc
    write_output(output, audit.model_dump_json(indent=2) if as_json else audit_html(audit, kb, lang))
