"""Assessing a caseload held in a pandas DataFrame (optional extra: `pip install "diagnose[tables]"`).

One row per client, one column per item id (extra columns such as an id are carried along; a
missing cell is `not_asked`); context fields as `context.<field>` columns. The result is a table
of factor levels and the top recommendations per row, with the reason a row was rejected in an
`error` column instead of a silent gap.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from diagnose.errors import AnswerError
from diagnose.knowledge import KnowledgeBase, load_knowledge_base
from diagnose.recommendation import assess

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["assess_frame"]


def _cell(value: Any) -> object:  # noqa: ANN401 - a cell of any dtype
    """A pandas cell as a plain Python value; missing cells (NaN, None, NA) become None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        import pandas as pd  # noqa: PLC0415 - optional dependency

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - this module is only reached with pandas
        pass
    item = getattr(value, "item", None)  # numpy scalars → int, float, bool
    if callable(item):
        value = item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a column with a missing cell is float; 3.0 there means the answer 3
    return value


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

    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    items = {item.id for item in kb.items}
    rows = []
    for _, record in frame.iterrows():
        answers = {k: v for k, c in record.items() if k in items and (v := _cell(c)) is not None}
        context = {
            str(k).removeprefix("context."): v
            for k, c in record.items()
            if str(k).startswith("context.") and (v := _cell(c)) is not None
        }
        out: dict[str, object] = dict.fromkeys(kb.factors, None)
        out.update({f"advice_{n}": None for n in range(1, top + 1)})
        out["error"] = ""
        try:
            diagnosis = assess(answers, knowledge_base=kb, context=context)
        except AnswerError as exc:
            out["error"] = str(exc)
        else:
            out.update({f: s.level for f, s in diagnosis.profile.scores.items()})
            for n, rec in enumerate(diagnosis.recommendations[:top], start=1):
                out[f"advice_{n}"] = rec.intervention
        rows.append(out)
    return pd.DataFrame(rows, index=frame.index)
