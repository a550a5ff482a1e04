"""Intake rows into arrays: per item, the raw answers and why an answer is missing.

Rows come as answer mappings (item id to answer), `Intake`s, intake records (`{"answers": ...,
"context": ...}`), `Diagnosis` objects (their trace's answers), a pandas DataFrame or an Arrow
table (one column per item; `id` and `context.<field>` columns are left alone). Every cell is
checked as `assess` checks an answer, column by column with pandas, and the first problem is
raised as a `QualityError` naming the row (1-based, in the order given) and the item. A column
that is no item of the knowledge base is refused: a group attribute (sex, origin, age...) with
its own message, since groups belong in the audit's separate group data and never in an intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from diagnose._base import LEVELS, suggest
from diagnose.assessment._validation import answer_problem
from diagnose.assessment.recommendation import Diagnosis
from diagnose.assessment.scoring import MISSING_REASONS, Intake
from diagnose.errors import QualityError
from diagnose.knowledge.fairness import protected_question

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import NDArray

    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.knowledge._models import Factor

__all__ = ["ANSWERED", "KINDS", "Answers", "factor_scores", "level_codes", "read_answers", "scored_matrix"]

#: Codes in `Answers.kinds`: 0 answered, then the missing reasons in the scoring's order.
ANSWERED = 0
KINDS = {reason: n for n, reason in enumerate(MISSING_REASONS, start=1)}
_ID, _CONTEXT = "id", "context."


@dataclass(frozen=True, slots=True)
class Answers:
    """The checked answers of `rows` intakes: per item id, raw values (NaN when missing) and kinds."""

    rows: int
    raw: dict[str, NDArray[np.float64]]
    kinds: dict[str, NDArray[np.int8]]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."  # noqa: PLR2004 - keep messages one line


def _answers_of(kb: KnowledgeBase, number: int, row: object, seen: set[str]) -> Mapping[Any, object]:
    """A row's answers; the context keys of intakes and records are checked for group attributes."""
    if type(row) is dict and not isinstance(row.get("answers"), Mapping):
        return row  # the common case first
    if isinstance(row, Diagnosis):
        if row.knowledge_base_hash != kb.content_hash:
            raise QualityError(
                f"row {number}: a diagnosis made with knowledge base {row.knowledge_base_id!r} "
                f"{row.knowledge_base_version} ({row.knowledge_base_hash[:19]}), not with {kb.id!r} "
                f"{kb.version} ({kb.content_hash[:19]}); give rows for one knowledge base"
            )
        return row.trace.answers
    if isinstance(row, Intake):
        _context(kb, number, row.context, seen)
        return row.answers
    if isinstance(row, Mapping):
        inner = row.get("answers")
        if not isinstance(inner, Mapping):
            return row
        context = row.get("context")
        if isinstance(context, Mapping):
            _context(kb, number, context, seen)
        return inner
    raise QualityError(
        f"row {number}: expected answers (a mapping of item id to answer), an Intake or a Diagnosis; "
        f"got {_shown(row)}"
    )


def _context(kb: KnowledgeBase, number: int, context: Mapping[Any, object], seen: set[str]) -> None:
    """Refuse a context key that names a group attribute; each key is looked at once."""
    for key in context:
        name = str(key)
        if name in seen or name in kb.context_fields:
            continue
        seen.add(name)
        found = protected_question([name])
        if found is not None:
            raise QualityError(
                f"row {number}, context {name!r}: reads as a group attribute ({found[0]}), not an answer; "
                "groups never enter the intake: give them to fairness_audit separately"
            )


def _frame(kb: KnowledgeBase, rows: object) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    if type(rows).__module__.startswith("pyarrow") and hasattr(rows, "to_pandas"):
        frame: pd.DataFrame = rows.to_pandas()
        return frame
    if isinstance(rows, str | bytes | Mapping) or not hasattr(rows, "__iter__"):
        raise QualityError(
            "rows: expected a sequence of intakes (answer mappings, Intakes or Diagnoses), "
            f"a pandas DataFrame or an Arrow table; got {_shown(rows)}"
        )
    seen: set[str] = set()
    records = [_answers_of(kb, n, row, seen) for n, row in enumerate(rows_iter(rows), start=1)]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    if len(frame) != len(records):  # rows without a single answer make no columns, and vanish
        frame = frame.reindex(range(len(records)))
    return frame


def rows_iter(rows: object) -> Iterable[object]:
    """The rows as an iterable (checked to be one by the caller)."""
    return rows  # type: ignore[return-value]  # checked by the caller: it has __iter__


def _first_row(column: pd.Series[Any], mask: NDArray[np.bool_] | None = None) -> int:
    """The 1-based position of the first row with a value in the column (or where mask holds)."""
    where = np.flatnonzero(column.notna().to_numpy() if mask is None else mask)
    return int(where[0]) + 1 if len(where) else 1


def _other_column(kb: KnowledgeBase, frame: pd.DataFrame, name: object, has_items: bool) -> None:  # noqa: FBT001 - internal
    """Refuse a column that is no item (a group attribute with its own message)."""
    text = str(name)
    row = _first_row(frame[name])
    field = text.removeprefix(_CONTEXT)
    found = protected_question([field]) if isinstance(name, str) else None
    if found is not None:
        raise QualityError(
            f"column {text!r} (row {row}): reads as a group attribute ({found[0]}), not an answer; "
            "groups never enter the intake: give them to fairness_audit separately"
        )
    if text.startswith(_CONTEXT):
        return
    if not has_items:
        columns = ", ".join(repr(str(c)) for c in list(frame.columns)[:5])
        more = ", ..." if len(frame.columns) > 5 else ""  # noqa: PLR2004 - a few names are enough
        raise QualityError(
            f"none of the columns is an item of knowledge base {kb.id!r} {kb.version} "
            f"(columns: {columns}{more}); are these intakes for another knowledge base?"
        )
    hint = suggest(text, [i.id for i in kb.items]) if isinstance(name, str) else ""
    raise QualityError(f"row {row}, column {text!r}: unknown item{hint}")


def _numeric(kb: KnowledgeBase, item_id: str, column: pd.Series[Any]) -> NDArray[np.float64]:
    """Raw values (NaN for empty cells) of a numeric column, checked against the item's scale."""
    values = column.to_numpy(dtype=float, na_value=np.nan)
    scale = kb.item(item_id).scale
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        bad = present & ((values != np.floor(values)) | (values < scale.min) | (values > scale.max))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        value = column.iloc[at]
        shown = int(value) if float(value).is_integer() else float(value)
        _raise_answer(kb, at + 1, item_id, shown)
    return values


def _raise_answer(kb: KnowledgeBase, row: int, item_id: str, value: object) -> None:
    problem = answer_problem(kb, item_id, value)
    message = str(problem) if problem is not None else f"item {item_id!r}: unreadable answer {_shown(value)}"
    raise QualityError(f"row {row}: {message}")


def _column(
    kb: KnowledgeBase, item_id: str, column: pd.Series[Any]
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """(raw, kinds) of one item's column, or a QualityError at the first bad cell."""
    kinds = np.zeros(len(column), dtype=np.int8)
    if column.dtype.kind in "iuf":
        raw = _numeric(kb, item_id, column)
        kinds[np.isnan(raw)] = KINDS["not_asked"]
        return raw, kinds
    values = column.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # one hashing pass; NaN, None, NA: -1
    scale = kb.item(item_id).scale
    unique_raw = np.full(len(uniques), np.nan)
    unique_kind = np.zeros(len(uniques), dtype=np.int8)
    for n, value in enumerate(uniques):
        if isinstance(value, str) and value in KINDS:
            unique_kind[n] = KINDS[value]
        elif _whole(value) and scale.min <= value <= scale.max:
            unique_raw[n] = float(value)
        else:
            _raise_answer(kb, int(np.flatnonzero(codes == n)[0]) + 1, item_id, value)
    suspects = [n for n, v in enumerate(unique_raw) if v in {0, 1}]
    if suspects:  # True and False hash as 1 and 0: look among the cells that read as 1 or 0
        where = np.flatnonzero(np.isin(codes, suspects))
        flags = pd.Series(values[where]).map(type).isin([bool, np.bool_]).to_numpy()
        if flags.any():
            at = int(where[np.flatnonzero(flags)[0]])
            _raise_answer(kb, at + 1, item_id, values[at])
    present = codes >= 0
    raw = np.full(len(column), np.nan)
    raw[present] = unique_raw[codes[present]]
    kinds[present] = unique_kind[codes[present]]
    kinds[~present] = KINDS["not_asked"]
    return raw, kinds


def _whole(value: object) -> bool:
    """Whether a cell is a whole number (an int, or a float such as 3.0), not a boolean."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return float(value).is_integer()


def read_answers(kb: KnowledgeBase, rows: object) -> Answers:
    """Check every answer of the rows against the knowledge base and return them as arrays.

    Raises:
        QualityError: at the first problem, naming the row and the item or column.
    """
    frame = _frame(kb, rows)
    columns = list(frame.columns)
    if len(set(map(str, columns))) != len(columns):
        raise QualityError("rows: a column name appears twice")
    items = {i.id for i in kb.items}
    has_items = any(c in items for c in columns)
    for name in columns:
        if name != _ID and name not in items:
            _other_column(kb, frame, name, has_items or frame.empty)
    n = len(frame)
    raw: dict[str, NDArray[np.float64]] = {}
    kinds: dict[str, NDArray[np.int8]] = {}
    for item in kb.items:
        if item.id in frame.columns:
            raw[item.id], kinds[item.id] = _column(kb, item.id, frame[item.id])
        else:
            raw[item.id] = np.full(n, np.nan)
            kinds[item.id] = np.full(n, KINDS["not_asked"], dtype=np.int8)
    return Answers(n, raw, kinds)


def scored_matrix(kb: KnowledgeBase, answers: Answers, factor: Factor) -> NDArray[np.float64]:
    """Rows by the factor's items: each answer as it counts (`Item.scored`), NaN when missing."""
    columns = []
    for item in kb.items_by_factor[factor.id]:
        table = np.array([item.scored(v) for v in range(item.scale.min, item.scale.max + 1)], dtype=float)
        raw = answers.raw[item.id]
        present = ~np.isnan(raw)
        column = np.full(len(raw), np.nan)
        column[present] = table[raw[present].astype(np.int64) - item.scale.min]
        columns.append(column)
    return np.column_stack(columns) if columns else np.empty((answers.rows, 0))


def level_codes(factor: Factor, scores: NDArray[np.float64]) -> NDArray[np.int8]:
    """Each score's level as an index into `LEVELS` (-1 for NaN), by the factor's own thresholds."""
    codes = np.full(len(scores), -1, dtype=np.int8)
    present = ~np.isnan(scores)
    if present.any():
        unique, inverse = np.unique(scores[present], return_inverse=True)
        by_value = np.array([LEVELS.index(factor.thresholds.level(float(u))) for u in unique], dtype=np.int8)
        codes[present] = by_value[inverse]
    return codes


def factor_scores(kb: KnowledgeBase, answers: Answers, factor: Factor) -> NDArray[np.float64]:
    """Each row's factor score as the scoring gives it (NaN where it is not assessed).

    That is the mean of the answered scored items when at least `min_answered` are answered.
    """
    matrix = scored_matrix(kb, answers, factor)
    answered = (~np.isnan(matrix)).sum(axis=1)
    total = np.nansum(matrix, axis=1)
    out = np.full(answers.rows, np.nan)
    enough = answered >= factor.min_answered
    out[enough] = total[enough] / answered[enough]
    return out
