"""Assessing a caseload held in a table: a pandas DataFrame or an Arrow table (optional extras).

`pip install "diagnose[pandas]"` for `assess_frame`, `"diagnose[arrow]"` for `assess_table`
(`"diagnose[tables]"` for both). One row per client, one column per item id (a missing cell is
`not_asked`), context fields as `context.<field>` columns, and optionally an `id` column, left
alone. Any other column is read as an item (or a context field), so a misspelled column (`se1`)
rejects each row that has a value in it, naming the column with a suggestion, as `assess` does;
a column named twice is a `TableError`. A whole number stored as a float (3.0, as pandas stores a
column with a missing cell) counts as that number; any other value is checked as `assess` checks
it. The result has one row per input row, in order: each factor's level, the top recommendations,
and in `error` the reason a row was rejected (empty when it was not), never a silent gap. Rows are assessed in
chunks with the batch pipeline (`diagnose.batch._compiled`), so the levels and advice are those of
`assess`.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

from diagnose.batch._compiled import compiled_rules
from diagnose.batch._files import TableError
from diagnose.errors import AnswerError, AnswerProblem
from diagnose.knowledge._base import KnowledgeBase
from diagnose.knowledge._load import load_knowledge_base

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    import pandas as pd
    import pyarrow as pa


__all__ = ["assess_frame", "assess_table"]

_CHUNK = 512
_CONTEXT = "context."
_ID = "id"


def _cell(value: Any) -> object:  # noqa: ANN401 - a cell of any dtype
    """A table cell as a plain Python value; missing cells (NaN, None, NA) become None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ in {"NAType", "NaTType"}:  # pandas' missing markers
        return None
    item = getattr(value, "item", None)  # numpy scalars → int, float, bool
    if callable(item):
        value = item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a column with a missing cell is float; 3.0 there means the answer 3
    return value


def _split(records: Iterable[Mapping[Any, Any]]) -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    """Each record as (answers, context), leaving out missing cells and the `id` column.

    Every other column is an answer or a context field, so that `assess` refuses one that the
    knowledge base does not know, naming it (never a column dropped unseen).
    """
    for record in records:
        answers: dict[str, object] = {}
        context: dict[str, object] = {}
        for column, cell in record.items():
            name = str(column)
            if name == _ID:
                continue
            value = _cell(cell)
            if value is not None:
                if name.startswith(_CONTEXT):
                    context[name.removeprefix(_CONTEXT)] = value
                else:
                    answers[name] = value
        yield answers, context


def _check(columns: Iterable[object], kb: object, top: object) -> None:
    """Refuse a column named twice (TableError) and arguments that do not fit (AnswerError)."""
    seen: dict[str, int] = {}
    for position, column in enumerate(columns, start=1):
        name = str(column)
        if name in seen:
            message = f"columns: {name!r} appears twice (columns {seen[name]} and {position})"
            raise TableError(message)
        seen[name] = position
    problems = []
    if type(top) is not int or top < 1:
        problems.append(
            AnswerProblem("argument", "top", f"expected a whole number of at least 1, got {top!r:.40}")
        )
    if kb is not None and not isinstance(kb, KnowledgeBase):
        message = f"expected a KnowledgeBase (load_knowledge_base) or None, got {kb!r:.40}"
        problems.append(AnswerProblem("argument", "knowledge_base", message))
    if problems:
        raise AnswerError(problems)


def _summaries(
    kb: KnowledgeBase, records: Iterable[Mapping[Any, Any]], top: int
) -> dict[str, list[str | None]]:
    """Column name → values: a level per factor, `advice_1` ... `advice_<top>`, `error`."""
    columns: dict[str, list[str | None]] = {f: [] for f in kb.factors}
    advice_columns = [columns.setdefault(f"advice_{n}", []) for n in range(1, top + 1)]
    errors = columns.setdefault("error", [])
    factors = [columns[f] for f in kb.factors]
    pairs = _split(records)
    compiled = compiled_rules(kb)
    while chunk := list(itertools.islice(pairs, _CHUNK)):
        for result in compiled.assess_pairs(chunk, summary=True):
            if isinstance(result, AnswerError):
                for column in (*factors, *advice_columns):
                    column.append(None)
                errors.append(str(result))
                continue
            for column, level in zip(factors, result.levels, strict=True):
                column.append(level)
            for n, column in enumerate(advice_columns):
                column.append(result.advice[n] if n < len(result.advice) else None)
            errors.append("")
    return columns


def assess_frame(
    frame: pd.DataFrame, *, knowledge_base: KnowledgeBase | None = None, top: int = 3
) -> pd.DataFrame:
    """Assess every row of a DataFrame; return factor levels and top advice per row.

    Args:
        frame: One row per client; item ids as columns, context fields as `context.<field>`.
        knowledge_base: The knowledge base; the packaged default when None.
        top: How many recommendations to list per row (`advice_1` ... `advice_<top>`).

    Returns:
        A DataFrame with the same index: one column per factor (its level), the advice columns,
        and `error` (empty, or why the row was rejected).

    Raises:
        TableError: a column is named twice.
        AnswerError: `top` or `knowledge_base` does not fit (an answer that does not fit is
            reported in its row's `error`).

    Examples:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"mo_1": [1, 5], "mo_2": [1, 5], "se_1": [None, 9]})
        >>> result = assess_frame(frame, top=1)
        >>> result[["motivation", "advice_1"]].iloc[0].tolist()
        ['low', 'motivational_interviewing']
        >>> result["error"].iloc[1].startswith("item 'se_1'")
        True
    """
    import pandas as pd  # noqa: PLC0415 - optional dependency

    _check(frame.columns, knowledge_base, top)
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    records = frame.to_dict(orient="records")
    # Every column has pandas' own dtype for text (`str` in pandas 3, `object` before), also when
    # all its cells are missing: the dtypes do not depend on the rows, so the result of a part of
    # a frame fits that of the whole (`assess_dask` concatenates partitions).
    text = pd.Series(["text"]).dtype
    return pd.DataFrame(_summaries(kb, records, top), index=frame.index, dtype=text)


def assess_table(table: pa.Table, *, knowledge_base: KnowledgeBase | None = None, top: int = 3) -> pa.Table:
    """Assess every row of an Arrow table; return factor levels and top advice per row.

    Arguments and result as for `assess_frame`; the result is an Arrow table of string columns
    (null where a row was rejected or has fewer recommendations), one row per input row.

    Examples:
        >>> import pyarrow as pa
        >>> table = pa.table({"mo_1": [1, 5], "mo_2": [1, None], "se_1": [None, 9]})
        >>> result = assess_table(table, top=1)
        >>> result.column("advice_1").to_pylist()
        ['motivational_interviewing', None]
        >>> result.column("error")[1].as_py()[:44]
        "item 'se_1': expected a whole number from 1 "
    """
    import pyarrow as pa  # noqa: PLC0415 - optional dependency

    _check(table.column_names, knowledge_base, top)
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    records = (row for batch in table.to_batches() for row in batch.to_pylist())
    columns = _summaries(kb, records, top)
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def __dir__() -> list[str]:
    """The public names, as `__all__` lists them (for completion in editors and shells)."""
    return list(__all__)
