"""Tabular interop: a DataFrame in, a table of levels and advice out (optional pandas extra)."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest

import diagnose
from diagnose.batch._files import TableError
from diagnose.batch.tabular import assess_frame, assess_table


def test_levels_advice_and_errors_per_row() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "mo_1": [1, 5, 3],
            "mo_2": [1, 5, math.nan],
            "se_1": [math.nan, 9, 2],
        },
        index=[10, 11, 12],
    )
    result = assess_frame(frame, top=2)
    assert list(result.index) == [10, 11, 12]
    assert list(result.columns) == [*diagnose.load_knowledge_base().factors, "advice_1", "advice_2", "error"]
    first = result.loc[10]
    assert (first["motivation"], first["advice_1"], first["error"]) == (
        "low",
        "motivational_interviewing",
        "",
    )
    assert str(result.loc[11, "error"]).startswith("item 'se_1': expected a whole number from 1 to 5")
    assert result.loc[12, "motivation"] == "not_assessed"  # mo_2 missing: one answer is too few


def test_the_columns_dtypes_do_not_depend_on_the_rows() -> None:
    """Invariant: any split of a frame, assessed part by part and concatenated, is the whole's result.

    A column whose cells are all missing in one part (no second advice, no error) has the same
    dtype as where it has text, so the parts concatenate to exactly the whole (as `assess_dask` does).
    """
    frame = pd.DataFrame({"mo_1": [1, 5, 3, 9], "mo_2": [1, 5, 2, 1], "se_1": [1, 1, 1, 1]})
    whole = assess_frame(frame, top=3)
    parts = [assess_frame(frame.iloc[:0], top=3), assess_frame(frame.iloc[:2], top=3)]
    parts.append(assess_frame(frame.iloc[2:], top=3))
    assert whole["advice_3"].isna().all()  # a column with no text at all
    assert set(whole.dtypes) == {pd.Series(["text"]).dtype}
    for part in parts:
        pd.testing.assert_series_equal(part.dtypes, whole.dtypes)
    pd.testing.assert_frame_equal(pd.concat(parts), whole, check_exact=True)


def test_the_same_advice_as_assess() -> None:
    answers = {"se_1": 1, "se_2": 2, "se_3": 1, "mo_1": 5, "mo_2": 4}
    result = assess_frame(pd.DataFrame([answers]), top=1)
    assert result.loc[0, "advice_1"] == diagnose.assess(answers).recommendations[0].intervention


def caseload(n: int) -> list[dict[str, object]]:
    """Rows of varied answers: some factors low, some missing, every tenth row with a bad value."""
    kb = diagnose.load_knowledge_base()
    rows: list[dict[str, object]] = []
    for i in range(n):
        row: dict[str, object] = {"id": f"c{i}"}
        for j, item in enumerate(kb.items):
            if (i + j) % 7:
                row[item.id] = 1 + (i * 3 + j * 5) % 5
        if i % 10 == 3:
            row["se_1"] = 6
        rows.append(row)
    return rows


def expected_columns(rows: list[dict[str, object]], top: int) -> dict[str, list[str | None]]:
    kb = diagnose.load_knowledge_base()
    out: dict[str, list[str | None]] = {
        c: [] for c in [*kb.factors, *(f"advice_{n}" for n in range(1, top + 1))]
    }
    out["error"] = []
    for row in rows:
        answers = {k: v for k, v in row.items() if k != "id"}
        try:
            d = diagnose.assess(answers)
        except diagnose.AnswerError as exc:
            for name, values in out.items():
                values.append(str(exc) if name == "error" else None)
            continue
        for factor, s in d.profile.scores.items():
            out[factor].append(s.level)
        for n in range(1, top + 1):
            out[f"advice_{n}"].append(
                d.recommendations[n - 1].intervention if n <= len(d.recommendations) else None
            )
        out["error"].append("")
    return out


def test_an_arrow_table_gives_what_assess_gives_row_by_row() -> None:
    """More rows than one chunk (512), with rejected rows among them, in order."""
    rows = caseload(1100)
    names = list(dict.fromkeys(k for row in rows for k in row))
    table = pa.table({name: [row.get(name) for row in rows] for name in names})  # int64 with nulls
    assert table.schema.field("se_1").type == pa.int64()
    result = assess_table(table, top=3)
    assert result.num_rows == 1100
    assert all(result.schema.field(name).type == pa.string() for name in result.column_names)
    assert result.to_pydict() == expected_columns(rows, 3)


def test_pandas_and_arrow_give_the_same_table() -> None:
    rows = caseload(300)
    frame = pd.DataFrame(rows)
    from_pandas = assess_frame(frame, top=2)
    from_arrow = assess_table(pa.Table.from_pandas(frame), top=2)
    expected = expected_columns(rows, 2)
    assert from_arrow.to_pydict() == expected
    for name, values in expected.items():
        assert [
            None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in from_pandas[name]
        ] == values


def test_arrow_context_columns_and_integral_floats() -> None:
    table = pa.table({"mo_1": [1.0, 2.5], "mo_2": [1, 1], "context.nope": [None, None]})
    result = assess_table(table, top=1)
    assert result.column("advice_1").to_pylist() == ["motivational_interviewing", None]
    assert result.column("error")[1].as_py() == (
        "item 'mo_1': expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'; got 2.5"
    )


@pytest.mark.parametrize("top", [0, -1, 1.0, "3"])
def test_top_must_be_a_positive_whole_number(top: object) -> None:
    with pytest.raises(diagnose.AnswerError) as err:
        assess_table(pa.table({"mo_1": [1]}), top=top)  # type: ignore[arg-type]
    assert str(err.value) == f"argument 'top': expected a whole number of at least 1, got {top!r}"


def test_a_knowledge_base_that_is_none_is_named() -> None:
    with pytest.raises(diagnose.AnswerError) as err:
        assess_frame(pd.DataFrame({"mo_1": [1]}), knowledge_base="rules")  # type: ignore[arg-type]
    assert str(err.value) == (
        "argument 'knowledge_base': expected a KnowledgeBase (load_knowledge_base) or None, got 'rules'"
    )


SCALE = "expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'"


@pytest.mark.parametrize(
    ("columns", "errors"),
    [
        (
            {"se1": [2, None], "SE_1": [None, 3], "se_2": [2, 2]},
            [
                "item 'se1': unknown item (did you mean 'se_1'?)",
                "item 'SE_1': unknown item (did you mean 'se_1'?)",
            ],
        ),
        (
            {"context.started_wrk": [True, None], "mo_1": [1, 1], "mo_2": [1, 1]},
            ["context 'started_wrk': unknown context field (did you mean 'started_work'?)", ""],
        ),
        ({"name": ["Jan", "Piet"], "id": ["c1", "c2"]}, ["item 'name': unknown item"] * 2),
        (
            {"mo_1": ["+1", "\u0663"], "mo_2": [1, 1]},
            [f"item 'mo_1': {SCALE}; got '+1'", f"item 'mo_1': {SCALE}; got '\u0663'"],
        ),
        ({"mo_1": [2.0, 5.0], "mo_2": [1, 1]}, ["", ""]),
    ],
)
def test_a_column_that_is_no_item_id_or_context_field_rejects_its_rows(
    columns: dict[str, list[object]], errors: list[str]
) -> None:
    """Never dropped unseen: each row with a value in such a column names it, with a suggestion."""
    frame = pd.DataFrame(columns)
    assert assess_frame(frame, top=1)["error"].tolist() == errors
    assert assess_table(pa.Table.from_pandas(frame), top=1).column("error").to_pylist() == errors


def test_a_column_named_twice_is_refused() -> None:
    frame = pd.DataFrame([[1, 5, 1]], columns=["mo_1", "mo_2", "mo_1"])
    with pytest.raises(TableError, match=r"^columns: 'mo_1' appears twice \(columns 1 and 3\)$"):
        assess_frame(frame)
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["mo_1", "mo_1"])
    with pytest.raises(TableError, match=r"^columns: 'mo_1' appears twice \(columns 1 and 2\)$"):
        assess_table(table)


class _Text(str):
    """A str subclass, as some readers hand out."""

    __slots__ = ()


def test_odd_cells_are_rejected_per_row_never_a_crash() -> None:
    """Deep nesting, a 5000-digit number, str subclasses: each row gets its level or its error."""
    deep: object = []
    for _ in range(1000):
        deep = [deep]
    frame = pd.DataFrame(
        {
            "mo_1": pd.Series([deep, 10**5000, _Text("declined"), 1], dtype=object),
            "mo_2": [1, 1, 1, 1],
        }
    )
    result = assess_frame(frame, top=1)
    scale = "expected a whole number from 1 to 5, or one of 'not_asked', 'declined', 'unknown'"
    assert result["error"].tolist() == [
        f"item 'mo_1': {scale}; got a list nested too deep to show",
        f"item 'mo_1': {scale}; got a number of more than 4300 digits",
        "",
        "",
    ]
    assert result["motivation"].tolist()[2:] == ["not_assessed", "low"]
